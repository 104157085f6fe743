from django.urls import path

from stafett.followup import views

app_name = "followup"
urlpatterns = [
    path("tjenestested/<uuid:unit_code>/oversikt/", views.unit_overview, name="unit_overview"),
]
