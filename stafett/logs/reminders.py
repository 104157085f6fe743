"""Reminders about logs: deadlines and evaluations before and when overdue, consent running
out (30, 14 and 7 days before), a handover not answered, a log with no meeting for months,
a holder who has left the unit, a transition step falling due. Each reminder is sent once:
its dedupe key names the thing and the occasion.

Nothing is lost (issue 14 §4): every reminder whose moment has passed and whose key is not in
the outbox is sent on the next run, however long ago the moment was — a «before» reminder that
comes late says «today» or «overdue» instead. A municipality's first run sends what is already
overdue. Nothing is dropped (issue 14 §1): if the person it concerns cannot be reached or may
not read the log, the holder is told in their place, and the unit's leaders in the holder's."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from stafett.access import Action, logs_for, readers_of
from stafett.lib.months import add_months
from stafett.logs.models import (
    Consent,
    Evaluation,
    Handover,
    HandoverStatus,
    LogStatus,
    Measure,
    Meeting,
    RelayLog,
    ResponsibleKind,
    Transition,
)
from stafett.logs.news import log_path
from stafett.logs.transitions import progress
from stafett.notify.events import tell, unit_leaders
from stafett.notify.models import Kind, Unreachable, Whose
from stafett.notify.outbox import already_queued, queue, unreachable
from stafett.people.models import Membership, Municipality, Person, Role

CONSENT_WARNINGS = (30, 14, 7)
TRANSITION_WARNING = timedelta(days=14)
WHOSE = {
    ResponsibleKind.PARTICIPANT: Whose.PARTICIPANT,
    ResponsibleKind.GUARDIAN: Whose.GUARDIAN,
    ResponsibleKind.CHILD: Whose.CHILD,
}


def remind_about_logs(today: date, since: date | None = None) -> None:
    """Queue every reminder due by today and not yet sent (the caller batches, see core/reminders.py).
    `since`: the last day the job finished (None: it never has) — only the quarterly summary,
    which has no thing of its own to look back from, needs it."""
    active = RelayLog.objects.filter(status=LogStatus.ACTIVE, unit__municipality=OuterRef("pk"))
    for municipality in Municipality.objects.annotate(has_logs=Exists(active)).filter(has_logs=True):
        due = _measures(municipality, today)
        due += _consents(municipality, today)
        due += _no_meeting(municipality, today)
        _handovers(municipality, today)
        deliver(due, today)
    deliver(_transitions(today), today)
    _holders_who_left(today)
    _quarterly_summaries(today, since)


@dataclass(frozen=True)
class Due:
    """One reminder about a log for one person; `whose` is their part if someone stands in."""

    log: RelayLog
    person: Person
    whose: Whose
    kind: str
    key: str


def _active_logs_in(municipality: Municipality) -> Q:
    return Q(log__status=LogStatus.ACTIVE, log__unit__municipality=municipality)


def _overview_path(log: RelayLog) -> str:
    return f"/tjenestested/{log.unit.code}/oversikt/"


def deliver(due: list[Due], today: date) -> None:
    """Each reminder once, to the person it concerns if they may read the log now and can be
    reached; else to the holder, saying whose it is and why; else to the unit's leaders (the
    holder has no channel). Checked in bulk: readers, addresses and past failures."""
    logs = list({d.log.id: d.log for d in due}.values())
    leaders = {log.unit_id: unit_leaders(log.unit) for log in {log.unit_id: log for log in logs}.values()}
    keys = {d.key: [d.key] + [f"{d.key}:leder:{p.id}" for p in leaders[d.log.unit_id]] for d in due}
    done = already_queued([k for ks in keys.values() for k in ks])
    todo = [d for d in due if not done.intersection(keys[d.key])]
    if not todo:
        return
    readers = readers_of(list({d.log.id: d.log for d in todo}.values()), today)
    people = {d.person.id: d.person for d in todo} | {d.log.holder.id: d.log.holder for d in todo}
    people |= {p.id: p for d in todo for p in leaders[d.log.unit_id]}
    lost = unreachable(list(people.values()))
    for d in todo:
        told = d.person if d.person.id not in lost and d.person.id in readers[d.log.id] else None
        if told is not None:
            queue(recipient=told, kind=d.kind, path=log_path(d.log), dedupe_key=d.key)
            continue
        why = lost.get(d.person.id, Unreachable.NO_ACCESS)
        holder = d.log.holder
        if d.person.id != holder.id and holder.id not in lost:
            queue(
                recipient=holder,
                kind=d.kind,
                path=log_path(d.log),
                dedupe_key=d.key,
                stands_in_for=d.person,
                whose=d.whose,
                why=why,
            )
            continue
        why = lost.get(holder.id, why)
        for leader in leaders[d.log.unit_id]:
            if leader.id not in lost:
                queue(
                    recipient=leader,
                    kind=d.kind,
                    path=_overview_path(d.log),
                    dedupe_key=f"{d.key}:leder:{leader.id}",
                    stands_in_for=holder,
                    whose=Whose.HOLDER,
                    why=why,
                )


def stood_in_for(measures: list[Measure], today: date) -> dict[int, Unreachable]:
    """Which of these measures (loaded with `log` and `responsible`) the holder is reminded of in
    the responsible person's place, and why: the same rule as `deliver`, for «Mine oppgaver» and
    «Trenger oppfølging»."""
    if not measures:
        return {}
    readers = readers_of(list({m.log_id: m.log for m in measures}.values()), today)
    lost = unreachable(list({m.responsible_id: m.responsible for m in measures}.values()))
    found = {}
    for m in measures:
        if m.responsible_id == m.log.holder_id:
            continue
        if m.responsible_id in lost:
            found[m.id] = lost[m.responsible_id]
        elif m.responsible_id not in readers[m.log_id]:
            found[m.id] = Unreachable.NO_ACCESS
    return found


def _measures(m: Municipality, today: date) -> list[Due]:
    """Before: from N days ahead until the day («today» on the day itself, which a late run after
    an outage may be the first to see). Overdue: from the day after, however long after; once
    the date has passed, the overdue reminder also stands for a «before» one never sent."""
    soon = today + timedelta(days=m.remind_days_before)
    open_measures = (
        Measure.objects.filter(_active_logs_in(m), stopped_at__isnull=True)
        .annotate(evaluated=Exists(Evaluation.objects.filter(measure=OuterRef("pk"))))
        .select_related("responsible", "log__holder", "log__unit__municipality")
    )
    due: list[Due] = []

    def add(measure: Measure, on: date, kinds: tuple[str, str, str], name: str) -> None:
        soon_kind, today_kind, passed_kind = kinds
        if on >= today:
            kind, when = (soon_kind if on > today else today_kind), "før"
        else:
            kind, when = passed_kind, "etter"
        whose = WHOSE.get(ResponsibleKind(measure.responsible_kind), Whose.PARTICIPANT)
        due.append(Due(measure.log, measure.responsible, whose, kind, f"{name}:{measure.code}:{on}:{when}"))

    deadlines = (Kind.DEADLINE_SOON, Kind.DEADLINE_TODAY, Kind.DEADLINE_PASSED)
    for measure in open_measures.filter(deadline__lte=soon):
        add(measure, measure.deadline, deadlines, "frist")
    evaluations = (Kind.EVALUATION_SOON, Kind.EVALUATION_TODAY, Kind.EVALUATION_PASSED)
    for measure in open_measures.filter(evaluated=False, evaluation_date__lte=soon):
        add(measure, measure.evaluation_date, evaluations, "evaluering")
    return due


def _consents(m: Municipality, today: date) -> list[Due]:
    """30, 14 and 7 days before: the nearest warning not yet given (a consent made with 10 days
    left gets the 14-day one, not all three at once). A consent that ran out before any run gave
    its 7-day warning gets one late, saying it has run out."""
    # The consent that governs each log today (logs.models.current_consent, in bulk).
    latest = Consent.objects.valid_on(today).filter(log=OuterRef("log")).latest_first()
    consents = (
        Consent.objects.valid_on(today)
        .filter(_active_logs_in(m), valid_until__lte=today + timedelta(days=max(CONSENT_WARNINGS)))
        .filter(pk=latest.values("pk")[:1])
        .select_related("log__holder", "log__unit")
    )
    due = []
    for consent in consents:
        left = (consent.valid_until - today).days
        warning = min(d for d in CONSENT_WARNINGS if d >= left)
        key = f"samtykke:{consent.code}:{warning}"
        due.append(Due(consent.log, consent.log.holder, Whose.HOLDER, Kind.CONSENT_EXPIRING, key))
    last_recorded = Consent.objects.filter(log=OuterRef("log"), withdrawn_at__isnull=True).latest_first()
    valid_now = Consent.objects.valid_on(today).filter(log=OuterRef("log"))
    ran_out = (
        Consent.objects.filter(_active_logs_in(m), withdrawn_at__isnull=True, valid_until__lt=today)
        .filter(pk=Subquery(last_recorded.values("pk")[:1]))
        .filter(~Exists(valid_now))
        .select_related("log__holder", "log__unit")
    )
    for consent in ran_out:
        key = f"samtykke:{consent.code}:{min(CONSENT_WARNINGS)}"
        due.append(Due(consent.log, consent.log.holder, Whose.HOLDER, Kind.CONSENT_EXPIRED, key))
    return due


def _handovers(m: Municipality, today: date) -> None:
    cutoff = today - timedelta(days=m.handover_reminder_days)
    for h in Handover.objects.filter(
        status=HandoverStatus.PROPOSED, created_at__date__lte=cutoff, log__unit__municipality=m
    ).select_related("to_person", "proposed_by", "log"):
        tell(
            h.to_person,
            kind=Kind.HANDOVER_PENDING,
            path=f"/overforing/{h.code}/",
            dedupe_key=f"overforing:{h.code}:til",
        )
        tell(h.proposed_by, kind=Kind.HANDOVER_PENDING, path=log_path(h.log), dedupe_key=f"overforing:{h.code}:fra")


def start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def held_meetings(today: date) -> QuerySet[Meeting]:
    """A meeting counts as held once its minutes are written or its day has passed — a meeting
    planned for later does not end a quiet spell (issue 14 §3); a cancelled one never counts."""
    return Meeting.objects.filter(cancelled_at__isnull=True).filter(Q(held=True) | Q(starts_at__lt=start_of(today)))


def quiet_since(log: RelayLog) -> date:
    """The day the quiet spell began: the last held meeting, or the day the log was opened.
    Needs `last_held` from `_with_meetings`."""
    return timezone.localdate(log.last_held or log.created_at)  # type: ignore[attr-defined]


def _with_meetings(logs: QuerySet[RelayLog], today: date) -> QuerySet[RelayLog]:
    last = held_meetings(today).filter(log=OuterRef("pk")).order_by("-starts_at").values("starts_at")[:1]
    planned = Meeting.objects.filter(
        log=OuterRef("pk"), held=False, cancelled_at__isnull=True, starts_at__gte=start_of(today)
    )
    return logs.annotate(last_held=Subquery(last), planned=Exists(planned))


def _no_meeting(m: Municipality, today: date) -> list[Due]:
    """N calendar months after the last held meeting (or the opening), once per quiet spell: the
    key names the day it began. A meeting planned ahead is mentioned, it does not silence it."""
    roughly = add_months(today, -m.no_meeting_months) + timedelta(days=3)  # coarse, in SQL; exact below
    logs = _with_meetings(
        RelayLog.objects.filter(status=LogStatus.ACTIVE, unit__municipality=m, created_at__lt=start_of(roughly)),
        today,
    ).select_related("holder", "unit")
    due = []
    for log in logs:
        started = quiet_since(log)
        if add_months(started, m.no_meeting_months) <= today:
            kind = Kind.NO_MEETING_PLANNED if log.planned else Kind.NO_MEETING  # type: ignore[attr-defined]
            due.append(Due(log, log.holder, Whose.HOLDER, kind, f"ingen_mote:{log.code}:{started}"))
    return due


def _holders_who_left(today: date) -> None:
    still_there = Membership.objects.active().filter(person=OuterRef("holder"), unit=OuterRef("unit"))
    for log in RelayLog.objects.filter(status=LogStatus.ACTIVE).filter(~Exists(still_there)).select_related("unit"):
        for leader in unit_leaders(log.unit):
            tell(
                leader,
                kind=Kind.HOLDER_LEFT,
                path=_overview_path(log),
                dedupe_key=f"holder_sluttet:{log.code}:{log.holder_id}:{leader.id}",
            )


def _transitions(today: date) -> list[Due]:
    """Two weeks before a step falls due; a step already overdue is reminded at once."""
    due = []
    for t in Transition.objects.filter(completed_at__isnull=True, log__status=LogStatus.ACTIVE).select_related(
        "log__holder", "log__unit", "to_unit", "contact_teacher", "meeting_1", "meeting_2"
    ):
        for step in progress(t):
            if not step.done and step.due is not None and step.due <= today + TRANSITION_WARNING:
                key = f"overgang:{t.code}:{step.key}:{step.due}"
                due.append(Due(t.log, t.log.holder, Whose.HOLDER, Kind.TRANSITION_STEP, key))
    return due


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _quarterly_summaries(today: date, since: date | None) -> None:
    """seeds/001: the leader goes through the unit's active logs every three months. On the first
    run of each quarter, each leader of a unit with open logs gets a link to the overview."""
    start = quarter_start(today)
    if since is not None and since >= start:
        return  # a run this quarter has already sent it (or found nobody to send it to)
    quarter = f"{start.year}-K{(start.month - 1) // 3 + 1}"
    has_logs = RelayLog.objects.filter(unit=OuterRef("unit"), status__in=[LogStatus.ACTIVE, LogStatus.PASSIVE])
    leaders = Membership.objects.active().filter(Exists(has_logs), role=Role.LEADER).select_related("person", "unit")
    for m in leaders:
        tell(
            m.person,
            kind=Kind.QUARTERLY_SUMMARY,
            path=f"/tjenestested/{m.unit.code}/oversikt/",
            dedupe_key=f"kvartal:{m.unit.code}:{m.person_id}:{quarter}",
        )


def stand_in_tasks(holder: Person, today: date) -> list[tuple[Measure, Unreachable]]:
    """«Mine oppgaver» for a holder: open measures in their active logs that they are reminded of
    in someone else's place, with why (the rule of `deliver`, through `stood_in_for`)."""
    measures = list(
        Measure.objects.filter(
            stopped_at__isnull=True,
            log__status=LogStatus.ACTIVE,
            log__in=logs_for(holder, Action.EDIT_PLAN, today).values("pk"),
        )
        .exclude(responsible=holder)
        .select_related("responsible", "log__subject", "log__holder")
        .prefetch_related("evaluations")
        .order_by("evaluation_date", "deadline", "id")
    )
    why = stood_in_for(measures, today)
    return [(m, why[m.id]) for m in measures if m.id in why]


def stood_in_by_log(logs: list[RelayLog], today: date) -> dict[int, int]:
    """For «Trenger oppfølging»: how many open measures of each log the holder is reminded of in
    the responsible person's place."""
    measures = list(
        Measure.objects.filter(log__in=[log.id for log in logs], stopped_at__isnull=True).select_related(
            "responsible", "log"
        )
    )
    log_of = {m.id: m.log_id for m in measures}
    counts: dict[int, int] = {}
    for measure_id in stood_in_for(measures, today):
        counts[log_of[measure_id]] = counts.get(log_of[measure_id], 0) + 1
    return counts
