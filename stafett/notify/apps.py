from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "stafett.notify"
    label = "notify"
    verbose_name = "Varsler"
