from django.urls import path

from stafett.core import views

app_name = "core"
urlpatterns = [
    path("", views.start, name="start"),
    path("helse/", views.health, name="health"),
    path("tilgjengelighet/", views.accessibility, name="accessibility"),
]
