from django.urls import path

from stafett.followup import views, views_notifications

app_name = "followup"
urlpatterns = [
    path("tjenestested/<uuid:unit_code>/oversikt/", views.unit_overview, name="unit_overview"),
    path("varsler/", views_notifications.my_notifications, name="notifications"),
]
