from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "stafett.stats"
    label = "stats"
    verbose_name = "Statistikk"
