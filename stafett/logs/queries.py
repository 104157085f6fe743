"""Read models for log pages: everything a page shows, in a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from stafett import access
from stafett.access import Relation
from stafett.audit.models import AuditEvent
from stafett.logs.models import (
    Consent,
    Evaluation,
    Goal,
    Level,
    LogStatus,
    Measure,
    Meeting,
    Message,
    Participant,
    RelayLog,
    current_consent,
)
from stafett.people.models import Person, ServiceType


@dataclass(frozen=True)
class CalendarEntry:
    day: date
    when: datetime | None
    kind: str
    text: str
    overdue: bool


@dataclass
class LogPage:
    log: RelayLog
    consent: Consent | None
    consents: list[Consent]
    participants: list[Participant]
    guardians: list[Person]
    goals: list[Goal]
    meetings: list[Meeting]
    messages: list[Message]
    level_changes: list[Any]
    gaps: list[str] = field(default_factory=list)
    calendar: list[CalendarEntry] = field(default_factory=list)
    # The services taking part, when they suggest a higher level than the log's (issue 15 §8).
    level_suggestion: list[str] = field(default_factory=list)


def _measures() -> QuerySet[Measure]:
    return Measure.objects.select_related("responsible").prefetch_related(
        Prefetch("evaluations", Evaluation.objects.select_related("author")),
        Prefetch("comments", Message.objects.select_related("author")),
    )


def log_page(log: RelayLog) -> LogPage:
    # Imported here: the actions package makes archive copies, and the archive's printout is this page.
    from stafett.logs.actions.common import guardians_of

    today = timezone.localdate()
    goals = list(log.goals.prefetch_related(Prefetch("measures", _measures())))
    participants = list(log.participants.filter(removed_at__isnull=True).select_related("person", "unit"))
    guardians = guardians_of(log.subject)
    meetings = list(log.meetings.prefetch_related("attendees"))
    page = LogPage(
        log=log,
        consent=current_consent(log, today),
        consents=list(log.consents.select_related("collected_by", "collected_at_unit").prefetch_related("signatories")),
        participants=participants,
        guardians=guardians,
        goals=goals,
        meetings=meetings,
        messages=list(log.messages.filter(measure__isnull=True).select_related("author")),
        level_changes=list(log.level_changes.all()),
    )
    measures = [m for g in goals for m in g.measures.all()]
    page.gaps = _gaps(log, current_round(measures, meetings), participants, guardians, page.consent)
    page.calendar = _calendar(meetings, measures, today)
    page.level_suggestion = services_suggesting_level_two(log, participants)
    return page


def services_suggesting_level_two(log: RelayLog, participants: list[Participant]) -> list[str]:
    """At «Nivå 1 – innen én tjeneste» with people from two or more services taking part (the
    holder's and the participants'), the work is interdisciplinary: level 2 (seeds/001 §6).
    Returns those services' names; empty when there is nothing to suggest."""
    if log.level != Level.ONE or log.status != LogStatus.ACTIVE:
        return []
    services = {log.unit.service_type, *(p.unit.service_type for p in participants)}
    if len(services) < 2:
        return []
    return sorted(str(ServiceType(s).label) for s in services)


def current_round(measures: list[Measure], meetings: list[Meeting]) -> list[Measure]:
    """The measures of the current round: the open ones, and those ended at (or after) the latest
    meeting held — measures evaluated and ended at overgangsmøte 2 still count until the next
    round begins (issue 15 §8)."""
    held = [timezone.localtime(m.starts_at).date() for m in meetings if m.held and m.cancelled_at is None]
    since = max(held, default=None)
    return [m for m in measures if m.stopped_at is None or (since is not None and m.stopped_at >= since)]


def _gaps(
    log: RelayLog,
    measures: list[Measure],
    participants: list[Participant],
    guardians: list[Person],
    consent: Consent | None,
) -> list[str]:
    """What is missing, shown plainly (seeds/004 ordliste: guardians always have a measure of their own).
    `measures` are those of the current round (current_round)."""
    gaps: list[str] = []
    if log.status != LogStatus.ACTIVE:
        return gaps
    if consent is None:
        gaps.append(_("Samtykket er ikke gyldig. Deltakerne har ikke tilgang før samtykket er fornyet."))
    responsible = {m.responsible_id for m in measures}
    if guardians and not responsible & {g.id for g in guardians}:
        gaps.append(_("De foresatte har ikke noe eget tiltak ennå."))
    for p in participants:
        if p.person_id not in responsible:
            gaps.append(
                _("%(name)s (%(unit)s) har ikke noe tiltak ennå.") % {"name": p.person.full_name, "unit": p.unit.name}
            )
    return gaps


def _calendar(meetings: list[Meeting], measures: list[Measure], today: date) -> list[CalendarEntry]:
    planned = {timezone.localtime(m.starts_at).date() for m in meetings if m.cancelled_at is None}
    entries = [
        CalendarEntry(
            m.next_meeting_date,
            None,
            _("Neste møte"),
            _("Avtalt i forrige møte – ikke kalt inn ennå"),
            overdue=False,
        )
        for m in meetings
        if m.next_meeting_date and m.next_meeting_date not in planned
    ]
    entries += [
        CalendarEntry(
            timezone.localtime(m.starts_at).date(),
            m.starts_at,
            _("Avlyst møte") if m.cancelled_at else _("Møte"),
            _("%(title)s, %(place)s – avlyst: %(reason)s")
            % {"title": m.title, "place": m.place, "reason": m.cancel_reason}
            if m.cancelled_at
            else f"{m.title}, {m.place}",
            overdue=False,
        )
        for m in meetings
        if not m.held
    ]
    for m in measures:
        if m.stopped_at is not None:
            continue
        evaluated = bool(m.evaluations.all())
        entries.append(
            CalendarEntry(m.deadline, None, _("Frist"), m.what, overdue=m.deadline < today and not evaluated)
        )
        entries.append(
            CalendarEntry(
                m.evaluation_date, None, _("Evaluering"), m.what, overdue=m.evaluation_date < today and not evaluated
            )
        )
    return sorted(entries, key=lambda e: (e.day, e.kind))


def access_log(log: RelayLog) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(scope_code=log.code).order_by("-at", "-id")


# --- Start pages ---------------------------------------------------------------


def _listed(logs: QuerySet[RelayLog]) -> list[RelayLog]:
    return list(logs.select_related("subject", "unit", "holder").order_by("subject__given_name", "id"))


def logs_for_staff(person: Person) -> dict[str, list[RelayLog]]:
    """«Mine logger»: what the person holds (not closed ones) and where they take part — both
    straight from the access definition, so nothing is listed that does not open."""
    return {
        "holder": _listed(access.logs_where(person, {Relation.HOLDER}).exclude(status=LogStatus.CLOSED)),
        "participant": _listed(access.logs_where(person, {Relation.PARTICIPANT})),
        # Issue 15 §8: made passive at handover, they read the history.
        "former": _listed(access.logs_where(person, {Relation.FORMER_HOLDER})),
    }


def logs_for_guardian(person: Person) -> list[RelayLog]:
    return _listed(access.logs_where(person, {Relation.GUARDIAN}))


def logs_for_youth(person: Person) -> list[RelayLog]:
    """A youth with rights sees their own log (SPEC §3: from 16, per municipality)."""
    return _listed(access.logs_where(person, {Relation.YOUTH}))


def tasks_for(person: Person) -> list[Measure]:
    """The person's own open measures with deadlines and evaluations due, soonest first —
    only in logs they may open now (a young child's own measures are the guardians' to see)."""
    own = (
        Measure.objects.filter(
            responsible=person,
            stopped_at__isnull=True,
            log__status=LogStatus.ACTIVE,
            log__in=access.readable_logs(person).values("pk"),
        )
        .select_related("log__subject")
        .prefetch_related("evaluations")
        .order_by("evaluation_date", "deadline", "id")
    )
    return list(own)
