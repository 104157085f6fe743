"""Write one audit row. Called by actions inside their own transaction."""

import uuid
from typing import Any

from django.db import models

from stafett.audit.context import current_ip
from stafett.audit.models import AuditEvent

SYSTEM_NAME = "Stafett (system)"


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    details: dict[str, Any] | None = None,
    scope_code: uuid.UUID | None = None,
) -> AuditEvent:
    """Append an audit row about `obj`. `actor` is a Person, or None for the system itself."""
    return AuditEvent.objects.create(
        actor_code=getattr(actor, "code", None),
        actor_name=actor.full_name if actor is not None else SYSTEM_NAME,
        action=action,
        object_type=obj._meta.label_lower,
        object_code=str(getattr(obj, "code", obj.pk)),
        scope_code=scope_code,
        ip=current_ip.get(),
        details=details or {},
    )
