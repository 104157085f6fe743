"""Measures without a responsible person (issue 14 §2): a professional who was responsible for a
measure has left the log — the baton passed to someone else, they were removed as a participant,
they left their unit, or the consent no longer covers their service. Their open measures are
listed to the holder as «Trenger ny ansvarlig», who is told at once and reminded every
ORPHAN_REMINDER_DAYS days until someone else has taken the measure over.

Whether a measure is orphaned is derived, never stored: the responsible person is a professional
who can no longer read the log (access.readers_of), so it cannot drift from who has access."""

from collections.abc import Iterable
from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from stafett import access
from stafett.logs.models import Consent, LogStatus, Measure, Participant, RelayLog, ResponsibleKind
from stafett.logs.news import log_path
from stafett.notify.events import tell
from stafett.notify.models import Kind, Notification
from stafett.people.models import Person, Unit

ORPHAN_REMINDER_DAYS = 7
ANCHOR = "ny-ansvarlig"  # the list on the log page, next to the plan
KEY = "ny_ansvarlig"


def _open_professional_measures() -> QuerySet[Measure]:
    # Guardians and the child are responsible as family, not as staff: when they cannot be
    # reached the holder is told in their place (issue 14 §1), the measure stays theirs.
    return Measure.objects.filter(
        stopped_at__isnull=True, responsible_kind=ResponsibleKind.PARTICIPANT, log__status=LogStatus.ACTIVE
    )


def orphaned(measures: Iterable[Measure], today: date | None = None) -> list[Measure]:
    """The measures (already loaded, with `log`) whose responsible person may no longer read the log."""
    today = today or timezone.localdate()
    candidates = [
        m
        for m in measures
        if m.stopped_at is None and m.responsible_kind == ResponsibleKind.PARTICIPANT and m.log.is_active
    ]
    if not candidates:
        return []
    logs = list({m.log_id: m.log for m in candidates}.values())
    # While no consent is valid every participant is out: the consent is what needs renewing
    # (the holder is reminded of that), not the measures' responsible persons.
    consented = set(Consent.objects.valid_on(today).filter(log__in=logs).values_list("log_id", flat=True))
    readers = access.readers_of([log for log in logs if log.id in consented], today)
    return [m for m in candidates if m.log_id in readers and m.responsible_id not in readers[m.log_id]]


def orphaned_in(log: RelayLog, measures: Iterable[Measure]) -> list[Measure]:
    """The log page: of the measures it already shows, those needing a new responsible person."""
    measures = list(measures)
    for m in measures:
        m.log = log  # loaded through the goals; spares a query a measure
    return orphaned(measures)


def orphaned_by_log(logs: QuerySet[RelayLog] | list[RelayLog], today: date | None = None) -> dict[int, list[Measure]]:
    """For each of these logs with orphaned measures: those measures, in a few queries."""
    measures = _open_professional_measures().filter(log__in=logs).select_related("log", "responsible")
    found: dict[int, list[Measure]] = {}
    for m in orphaned(measures, today):
        found.setdefault(m.log_id, []).append(m)
    return found


def _key(log: RelayLog, holder_id: int, day: date) -> str:
    return f"{KEY}:{log.code}:{holder_id}:{day.isoformat()}"


def _last_told(log: RelayLog, holder_id: int) -> date | None:
    keys = Notification.objects.filter(dedupe_key__startswith=f"{KEY}:{log.code}:{holder_id}:").values_list(
        "dedupe_key", flat=True
    )
    days = [date.fromisoformat(k.rsplit(":", 1)[1]) for k in keys if k]
    return max(days, default=None)


def _tell_holder(log: RelayLog, today: date) -> None:
    tell(
        log.holder,
        kind=Kind.MEASURE_ORPHANED,
        path=f"{log_path(log)}#{ANCHOR}",
        dedupe_key=_key(log, log.holder_id, today),
    )


def tell_holder_if_orphaned(log: RelayLog, today: date | None = None) -> bool:
    """At the event (handover accepted, participant removed or out of the consent, staff member
    gone): the holder hears at once if a measure now has nobody responsible. Call it inside the
    action's transaction, after the change."""
    today = today or timezone.localdate()
    log = RelayLog.objects.select_related("holder").get(pk=log.pk)
    if not orphaned_by_log([log], today):
        return False
    _tell_holder(log, today)
    return True


def tell_holders_after_staff_left(person: Person, unit: Unit, today: date | None = None) -> None:
    """A staff member is off the unit's list today: the holders of the logs they took part in
    through that unit hear about the measures they leave behind."""
    logs = RelayLog.objects.filter(
        status=LogStatus.ACTIVE,
        pk__in=Participant.objects.filter(person=person, unit=unit, removed_at__isnull=True).values("log_id"),
    )
    for log in logs:
        tell_holder_if_orphaned(log, today)


def remind_about_orphans(today: date) -> None:
    """The daily job: every holder with orphaned measures is told on the first run after they
    appear (a future end of a membership, a consent narrowed …) and then every
    ORPHAN_REMINDER_DAYS days until the measures have a new responsible person. The key names the
    day it was sent, so a missed run sends it on the next one, and never twice the same day."""
    logs = list(RelayLog.objects.filter(pk__in=_open_professional_measures().values("log_id")).select_related("holder"))
    orphans = orphaned_by_log(logs, today)
    for log in logs:
        if log.id not in orphans:
            continue
        last = _last_told(log, log.holder_id)
        if last is None or today - last >= timedelta(days=ORPHAN_REMINDER_DAYS):
            _tell_holder(log, today)
