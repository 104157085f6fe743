from django.apps import AppConfig


class GuideConfig(AppConfig):
    name = "stafett.guide"
    label = "guide"
    verbose_name = "BTI-veilederen"
