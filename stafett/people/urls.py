from django.urls import path

from stafett.people import views

app_name = "people"
urlpatterns = [
    path("tjenestesteder/", views.unit_list, name="units"),
    path("tjenestested/<uuid:unit_code>/ansatte/", views.staff_list, name="staff"),
    path("tjenestested/<uuid:unit_code>/ansatte/ny/", views.staff_add, name="staff_add"),
    path("tjenestested/<uuid:unit_code>/ansatte/import/", views.staff_import, name="staff_import"),
    path("tjenestested/<uuid:unit_code>/ansatte/mal.csv", views.staff_csv_template, name="staff_csv_template"),
    path(
        "tjenestested/<uuid:unit_code>/ansatte/<uuid:membership_code>/avslutt/",
        views.staff_end,
        name="staff_end",
    ),
    path("personer/", views.person_search, name="person_search"),
    path("personer/ny/", views.person_register, name="person_register"),
    path("personer/<uuid:code>/", views.person_detail, name="person_detail"),
    path("personer/<uuid:code>/foresatte/ny/", views.guardian_add, name="guardian_add"),
    path("personer/<uuid:code>/foresatte/<uuid:guardian_code>/fjern/", views.guardian_remove, name="guardian_remove"),
]
