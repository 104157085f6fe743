from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "stafett.notify"
    label = "notify"
    verbose_name = _("Varsler")
