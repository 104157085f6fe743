"""Bulk-read awareness (issue 13 §10): an account that reads more distinct logs in one clock hour
than settings.BULK_READ_LOGS_PER_HOUR is reported to the system administrators of the
municipality. Every read of a log is already a LOG_VIEWED row in the audit trail (scoped to the
log), so this only counts them. Run each hour by the worker (core/tasks.py) and by the daily job;
each run looks back a day, so a missed run is caught up, and the dedupe key tells each
administrator once per account and hour."""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.db.models.functions import TruncHour
from django.utils import timezone

from stafett.audit.models import AuditAction, AuditEvent
from stafett.logs.models import RelayLog
from stafett.notify.events import tell
from stafett.notify.models import Kind
from stafett.people.models import Membership, Person, Role

log = logging.getLogger(__name__)
LOOK_BACK = timedelta(hours=24)


@dataclass(frozen=True)
class BulkRead:
    actor_code: UUID
    hour: datetime  # the start of the clock hour (UTC)
    logs: int  # distinct logs read in it


def bulk_reads(now: datetime, *, limit: int | None = None) -> list[BulkRead]:
    """Accounts over the limit in each full clock hour of the day before `now`."""
    limit = settings.BULK_READ_LOGS_PER_HOUR if limit is None else limit
    end = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)  # the hour now running is not full yet
    rows = (
        AuditEvent.objects.order_by()  # no default ordering in the GROUP BY
        .filter(
            action=AuditAction.LOG_VIEWED.value,
            at__gte=end - LOOK_BACK,
            at__lt=end,
            actor_code__isnull=False,
            scope_code__isnull=False,
        )
        .annotate(hour=TruncHour("at", tzinfo=UTC))
        .values("actor_code", "hour")
        .annotate(logs=Count("scope_code", distinct=True))
        .filter(logs__gt=limit)
        .order_by("hour", "actor_code")
    )
    return [BulkRead(row["actor_code"], row["hour"], row["logs"]) for row in rows]


def _administrators(read: BulkRead) -> list[Person]:
    """The system administrators of the account's municipalities and of the logs' — or, when
    neither has one, every system administrator: a report never goes to no one."""
    read_logs = AuditEvent.objects.filter(
        action=AuditAction.LOG_VIEWED.value,
        actor_code=read.actor_code,
        at__gte=read.hour,
        at__lt=read.hour + timedelta(hours=1),
    ).values("scope_code")
    municipalities = set(
        RelayLog.objects.filter(code__in=read_logs).values_list("unit__municipality_id", flat=True)
    ) | set(
        Membership.objects.active().filter(person__code=read.actor_code).values_list("unit__municipality_id", flat=True)
    )
    admins = Membership.objects.active().filter(role=Role.SYSTEM_ADMIN)
    ours = admins.filter(unit__municipality_id__in=municipalities)
    chosen = ours if ours.exists() else admins
    return list(Person.objects.filter(pk__in=chosen.values("person_id")).order_by("pk"))


def report_bulk_reads(now: datetime | None = None) -> int:
    """Tell the administrators about each bulk read; returns how many were found."""
    found = bulk_reads(now or timezone.now())
    for read in found:
        # The notification names no one (notify/texts.py); operations find the account here.
        log.warning(
            "Mange lesinger: konto %s leste %d logger i timen fra %s (grense %d)",
            read.actor_code,
            read.logs,
            read.hour.isoformat(),
            settings.BULK_READ_LOGS_PER_HOUR,
        )
        with transaction.atomic():
            for admin in _administrators(read):
                key = f"mange_lesinger:{read.actor_code}:{read.hour:%Y%m%d%H}:{admin.code}"
                tell(admin, kind=Kind.BULK_READ, path="/", dedupe_key=key)
    return len(found)
