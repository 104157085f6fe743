"""Write one audit row. Called by actions inside their own transaction.

Saving seals the row into the hash chain (chain.seal, from AuditEvent.save): on PostgreSQL that
takes the chain's advisory lock, held until the action's transaction commits, so audited
transactions on every app server take their turn at the end of the chain.
"""

import uuid
from typing import Any

from django.db import models

from stafett.audit.context import current_ip
from stafett.audit.models import AuditAction, AuditEvent

SYSTEM_NAME = "Stafett (system)"


def record(
    *,
    actor: Any,
    action: AuditAction,
    obj: models.Model,
    details: dict[str, Any] | None = None,
    scope_code: uuid.UUID | None = None,
) -> AuditEvent:
    """Append an audit row about `obj`. `actor` is a Person, or None for the system itself.

    `action` must be an AuditAction member, so every row has a plain Norwegian label."""
    if not isinstance(action, AuditAction):
        raise TypeError(f"record() needs an AuditAction, not {action!r}: add it to stafett/audit/models.py.")
    return AuditEvent.objects.create(
        actor_code=getattr(actor, "code", None),
        actor_name=actor.full_name if actor is not None else SYSTEM_NAME,
        action=action.value,
        object_type=obj._meta.label_lower,
        object_code=str(getattr(obj, "code", obj.pk)),
        scope_code=scope_code,
        ip=current_ip.get(),
        details=details or {},
    )
