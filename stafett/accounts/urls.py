from django.conf import settings
from django.urls import path

from stafett.accounts import views

app_name = "accounts"
urlpatterns = [
    path("logg-inn/", views.login_page, name="login"),
    path("logg-inn/<str:provider>/", views.login_start, name="start"),
    path("logg-inn/<str:provider>/tilbake/", views.callback, name="callback"),
    path("logg-ut/", views.logout, name="logout"),
    path("logget-ut/", views.logged_out, name="logged_out"),
]
if settings.DEMO:
    urlpatterns.append(path("demo/logg-inn/", views.demo_login, name="demo_login"))
