from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "stafett.stats"
    label = "stats"
    verbose_name = _("Statistikk")
