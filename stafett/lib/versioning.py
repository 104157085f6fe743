"""Optimistic locking: a save based on stale data is refused, never silently overwrites.
Used by every app with versioned rows (logs, guide, undring, templates)."""

from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StaleEdit(Exception):
    """Someone else saved this item after you opened it; nothing was overwritten."""

    message = _(
        "Noen andre har endret dette mens du skrev. Endringen din er ikke lagret. "
        "Åpne siden på nytt for å se det nyeste, og skriv inn endringen din igjen."
    )


def save_versioned(obj: Any, version: int, fields: list[str]) -> None:
    """Save `fields` only if nobody saved since `version` was read (optimistic locking)."""
    obj.full_clean()
    values = {f: getattr(obj, f) for f in fields}
    if "updated_at" in {f.name for f in obj._meta.fields}:
        values["updated_at"] = timezone.now()
    updated = type(obj).objects.filter(pk=obj.pk, version=version).update(version=F("version") + 1, **values)
    if not updated:
        raise StaleEdit
    obj.version = version + 1
