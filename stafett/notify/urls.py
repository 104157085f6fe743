from django.urls import path

from stafett.notify import views

app_name = "notify"
urlpatterns = [path("varsler/", views.my_notifications, name="mine")]
