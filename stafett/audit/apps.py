from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "stafett.audit"
    label = "audit"
    verbose_name = "Revisjonslogg"
