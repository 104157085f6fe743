from django.apps import AppConfig


class UndringConfig(AppConfig):
    name = "stafett.undring"
    verbose_name = "Undring (nivå 0)"
