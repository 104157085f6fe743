from django.urls import path

from stafett.stats import views

app_name = "stats"
urlpatterns = [
    path("", views.statistics_page, name="statistics"),
    path("tall.csv", views.statistics_csv, name="csv"),
]
