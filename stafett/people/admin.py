"""Django admin: only municipalities and units, only for system administrators.

Persons, staff lists and guardians change through people/actions.py (audited),
never through the admin.
"""

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from stafett.archive.admin import ArchiveSettingsInline
from stafett.audit.models import AuditAction
from stafett.audit.record import record
from stafett.people.models import Municipality, Unit


class AuditedAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            action = "changed" if change else "created"
            record(
                actor=request.user,
                action=AuditAction(f"{obj._meta.model_name}.{action}"),
                obj=obj,
                details={"felt": sorted(form.changed_data), "navn": str(obj)},
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            deleted = AuditAction(f"{obj._meta.model_name}.deleted")
            record(actor=request.user, action=deleted, obj=obj, details={"navn": str(obj)})
            super().delete_model(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # Bulk delete would skip delete_model and so the audit trail.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions


@admin.register(Municipality)
class MunicipalityAdmin(AuditedAdmin):
    list_display = ["name", "number", "language"]
    inlines = [ArchiveSettingsInline]  # Fiks Arkiv: classes and screening per municipality

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        changed = sorted({f"arkiv.{name}" for f in formset.forms if f.has_changed() for name in f.changed_data})
        if changed:
            details = {"felt": changed, "navn": str(form.instance)}
            record(actor=request.user, action=AuditAction.MUNICIPALITY_CHANGED, obj=form.instance, details=details)


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ["name", "service_type", "municipality"]
    list_filter = ["service_type", "municipality"]
    search_fields = ["name"]
    filter_horizontal = ["also_serves"]
