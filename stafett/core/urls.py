from django.urls import path

from stafett.core import views, views_language

app_name = "core"
urlpatterns = [
    path("", views.start, name="start"),
    path("helse/", views.health, name="health"),
    path("helse/full/", views.health_full, name="health_full"),
    path("tilgjengelighet/", views.accessibility, name="accessibility"),
    path("sprak/", views_language.set_language, name="language"),
]
