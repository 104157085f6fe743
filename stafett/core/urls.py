from django.urls import path

from stafett.core import views

app_name = "core"
urlpatterns = [
    path("", views.start, name="start"),
    path("helse/", views.health, name="health"),
    path("helse/full/", views.health_full, name="health_full"),
    path("tilgjengelighet/", views.accessibility, name="accessibility"),
]
