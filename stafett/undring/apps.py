from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UndringConfig(AppConfig):
    name = "stafett.undring"
    verbose_name = _("Undring (nivå 0)")
