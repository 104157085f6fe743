"""Meetings: calling them, changing, moving and cancelling them, and writing the minutes.

Each change is audited and told to the log's readers (content-free, stafett/logs/news.py);
the invitation (.ics) follows with a raised SEQUENCE, or METHOD:CANCEL when cancelled.
Saving the minutes makes an archive copy where the municipality asks for one
(seeds/003 4.3 «Arkivering etter hvert møte»)."""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from stafett import access
from stafett.access import Action
from stafett.archive.copies import make_archive_copy
from stafett.archive.models import ArchiveEvent
from stafett.audit.models import AuditAction
from stafett.lib.versioning import StaleEdit, save_versioned
from stafett.logs import news, transitions
from stafett.logs.actions.common import _audit
from stafett.logs.models import ChildAttends, Meeting, RelayLog, Transition
from stafett.notify.models import Kind
from stafett.people.models import Person


def _refuse_past(starts_at: datetime) -> None:
    if starts_at < timezone.now() - timedelta(days=1):
        raise ValidationError({"starts_at": _("Møtetidspunktet kan ikke være tilbake i tid.")})


def routine_reason(transition: Transition | None, number: int, starts_at: datetime, reason: str) -> str:
    """The reason kept for a transition meeting outside the routine's time limit; refuses an empty one
    (seeds/000: overgangsmøte 2 within two weeks after school start)."""
    warning = transitions.late_for_routine(transition, number, starts_at) if transition else None
    if warning is None:
        return ""
    if not reason.strip():
        raise ValidationError({"off_routine_reason": warning})
    return reason.strip()


@transaction.atomic
def schedule_meeting(
    *,
    actor: Person,
    log: RelayLog,
    starts_at: datetime,
    place: str,
    agenda: str,
    duration_minutes: int = 60,
    title: str = "Stafettmøte",
    off_routine_reason: str = "",
) -> Meeting:
    access.require(actor, Action.EDIT_PLAN, log)
    _refuse_past(starts_at)
    meeting = Meeting(
        log=log,
        title=title.strip() or "Stafettmøte",
        starts_at=starts_at,
        place=place.strip(),
        agenda=agenda.strip(),
        duration_minutes=duration_minutes,
        off_routine_reason=off_routine_reason.strip(),
    )
    meeting.full_clean()
    meeting.save()
    _audit(actor, log, AuditAction.MEETING_SCHEDULED, meeting, tidspunkt=starts_at.isoformat())
    news.log_news(log=log, actor=actor, kind=Kind.CALENDAR)
    return meeting


def _refuse_if_over(meeting: Meeting) -> None:
    if meeting.cancelled_at is not None:
        raise ValidationError(_("Møtet er avlyst og kan ikke endres. Kall inn til et nytt møte."))
    if meeting.held:
        raise ValidationError(_("Møtet er holdt. Endre referatet i stedet."))


@transaction.atomic
def change_meeting(
    *,
    actor: Person,
    meeting: Meeting,
    version: int,
    starts_at: datetime,
    place: str,
    title: str | None = None,
    agenda: str | None = None,
    duration_minutes: int | None = None,
    off_routine_reason: str = "",
) -> Meeting:
    """Edit or move a planned meeting. The invitation's SEQUENCE goes up, so calendars replace it."""
    log = meeting.log
    access.require(actor, Action.EDIT_PLAN, log)
    _refuse_if_over(meeting)
    moved = starts_at != meeting.starts_at
    if moved:
        _refuse_past(starts_at)
    found = transitions.transition_of(meeting)
    reason = routine_reason(*found, starts_at, off_routine_reason) if found else ""
    meeting.starts_at = starts_at
    meeting.place = place.strip()
    if title is not None:
        meeting.title = title.strip() or meeting.title
    if agenda is not None:
        meeting.agenda = agenda.strip()
    if duration_minutes is not None:
        meeting.duration_minutes = duration_minutes
    meeting.off_routine_reason = reason
    meeting.sequence += 1
    meeting.changed_at = timezone.now()
    fields = ["starts_at", "place", "title", "agenda", "duration_minutes", "off_routine_reason"]
    save_versioned(meeting, version, [*fields, "sequence", "changed_at"])
    _audit(
        actor,
        log,
        AuditAction.MEETING_CHANGED,
        meeting,
        flyttet=moved,
        tidspunkt=starts_at.isoformat(),
        **({"begrunnelse": reason} if reason else {}),
    )
    news.log_news(log=log, actor=actor, kind=Kind.MEETING_CHANGED)
    return meeting


@transaction.atomic
def cancel_meeting(*, actor: Person, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a planned meeting, with the reason everyone sees; the invitation becomes METHOD:CANCEL."""
    log = meeting.log
    access.require(actor, Action.EDIT_PLAN, log)
    _refuse_if_over(meeting)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Skriv hvorfor møtet avlyses. Deltakerne ser årsaken.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("Årsaken kan være høyst 300 tegn.")})
    now = timezone.now()
    # Conditional: two cancellations at once leave one audit row and one notice.
    cancelled = Meeting.objects.filter(pk=meeting.pk, cancelled_at__isnull=True, held=False).update(
        cancelled_at=now, cancel_reason=reason, sequence=F("sequence") + 1, changed_at=now, version=F("version") + 1
    )
    if not cancelled:
        raise StaleEdit
    meeting.refresh_from_db()
    _audit(actor, log, AuditAction.MEETING_CANCELLED, meeting, tidspunkt=meeting.starts_at.isoformat(), årsak=reason)
    news.log_news(log=log, actor=actor, kind=Kind.MEETING_CHANGED)
    return meeting


@transaction.atomic
def record_minutes(
    *,
    actor: Person,
    meeting: Meeting,
    version: int,
    attendees: list[Person],
    minutes: str,
    next_meeting_date: date | None,
    child_attends: str = "",
    child_attends_note: str = "",
) -> Meeting:
    log = meeting.log
    access.require(actor, Action.EDIT_PLAN, log)
    if meeting.cancelled_at is not None:
        raise ValidationError(_("Møtet er avlyst, og det kan ikke skrives referat fra det."))
    if child_attends and child_attends not in ChildAttends.values:
        raise ValidationError({"child_attends": _("Velg ja, nei eller delvis.")})
    meeting.minutes = minutes.strip()
    meeting.next_meeting_date = next_meeting_date
    meeting.held = True
    meeting.child_attends = child_attends
    meeting.child_attends_note = child_attends_note.strip()
    save_versioned(meeting, version, ["minutes", "next_meeting_date", "held", "child_attends", "child_attends_note"])
    meeting.attendees.set(attendees)
    _audit(
        actor,
        log,
        AuditAction.MEETING_MINUTES_WRITTEN,
        meeting,
        til_stede=[p.full_name for p in attendees],
        barnet_deltok=child_attends,
    )
    if log.unit.municipality.archive_after_meeting:
        # Frozen now, with the minutes just saved; rendered to PDF/A after commit (archive/copies.py).
        make_archive_copy(relay_log=log, event=ArchiveEvent.MEETING)
    return meeting
