from django.urls import path

from stafett.followup import views, views_calendar, views_notifications

app_name = "followup"
urlpatterns = [
    path("tjenestested/<uuid:unit_code>/oversikt/", views.unit_overview, name="unit_overview"),
    path("varsler/", views_notifications.my_notifications, name="notifications"),
    path("varsler/kalender/", views_calendar.calendar_feed_page, name="calendar_feed_page"),
    path("varsler/kalender/trekk-tilbake/", views_calendar.revoke_calendar_feed, name="revoke_calendar_feed"),
    # The token is the only thing in the URL: no name, no code (issue 11 §4).
    path("kalender/<str:token>.ics", views_calendar.calendar_feed, name="calendar_feed"),
]
