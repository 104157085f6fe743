"""The municipality's archive settings, edited with the municipality in the Django admin
(people/admin.py puts this inline on the municipality's page)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from stafett.archive.models import ArchiveSettings


class ArchiveSettingsInline(admin.StackedInline):  # type: ignore[type-arg]
    model = ArchiveSettings
    can_delete = False
    max_num = 1
    verbose_name = _("arkivinnstillinger (Fiks Arkiv)")
    verbose_name_plural = _("arkivinnstillinger (Fiks Arkiv)")
    fieldsets = [
        (
            _("Klassering"),
            {"fields": ["child_class_system", "topic_class_system", "topic_class_id", "topic_class_title"]},
        ),
        (_("Skjerming"), {"fields": ["access_restriction", "screening_authority"]}),
        (_("Journalpost"), {"fields": ["archive_part", "record_type", "fiks_receiver_account"]}),
    ]
