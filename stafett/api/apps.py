from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "stafett.api"
    label = "api"
    verbose_name = "API"
