"""What every log action shares: the audit row scoped to the log, the record of a read,
the child's guardians, and the refusal when a log is not active."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation

from stafett import access
from stafett.access import Action
from stafett.audit.models import AuditAction
from stafett.audit.record import record
from stafett.logs.models import RelayLog
from stafett.people.models import Guardianship, Person


def _audit(actor: Person, log: RelayLog, action: AuditAction, obj: models.Model | None = None, **details: Any) -> None:
    record(actor=actor, action=action, obj=obj or log, details=details, scope_code=log.code)


def in_bokmal(text: Callable[[], object]) -> str:
    """Text for an audit row: the access log is written in bokmål, whatever language the person
    acting reads Stafett in (choice labels and service names are translated)."""
    with translation.override("nb"):
        return str(text())


def guardians_of(child: Person) -> list[Person]:
    return [g.guardian for g in Guardianship.objects.filter(child=child).select_related("guardian")]


def _require_active(actor: Person, log: RelayLog, action: Action, refusal: str) -> None:
    """Readers learn why nothing can change; outsiders still get 404."""
    if not log.is_active:
        access.require(actor, Action.VIEW_LOG, log)
        raise ValidationError(refusal)
    access.require(actor, action, log)


def record_view(*, actor: Person, log: RelayLog, what: str = "log") -> None:
    """Every read of a log is in its access log (SPEC §3: who has seen the log, and when)."""
    _audit(actor, log, AuditAction.LOG_VIEWED, side=what)
