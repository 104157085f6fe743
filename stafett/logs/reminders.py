"""Reminders about logs: deadlines and evaluations before and when overdue, consent running
out (30, 14 and 7 days before), a handover not answered, a log with no meeting for months,
a holder who has left the unit, a transition step falling due. Each reminder is sent once:
its dedupe key names the thing and the occasion."""

from datetime import date, timedelta

from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from stafett.access import readers_of
from stafett.logs.models import (
    Consent,
    Evaluation,
    Handover,
    HandoverStatus,
    LogStatus,
    Measure,
    RelayLog,
    Transition,
)
from stafett.logs.news import log_path
from stafett.logs.transitions import progress
from stafett.notify.events import tell, unit_leaders
from stafett.notify.models import Kind
from stafett.notify.outbox import already_queued, queue
from stafett.people.models import Membership, Municipality, Role

CONSENT_WARNINGS = (30, 14, 7)
TRANSITION_WARNING = timedelta(days=14)
CATCH_UP_DAYS = 7  # a reminder missed because the job did not run is sent late, not lost


def remind_about_logs(today: date) -> None:
    """Queue every reminder about logs due today (the caller batches, see core/reminders.py)."""
    active = RelayLog.objects.filter(status=LogStatus.ACTIVE, unit__municipality=OuterRef("pk"))
    for municipality in Municipality.objects.annotate(has_logs=Exists(active)).filter(has_logs=True):
        _measures(municipality, today)
        _consents(municipality, today)
        _handovers(municipality, today)
        _no_meeting(municipality, today)
    _holders_who_left(today)
    _transitions(today)
    _quarterly_summaries(today)


def _active_logs_in(municipality: Municipality) -> Q:
    return Q(log__status=LogStatus.ACTIVE, log__unit__municipality=municipality)


def _measures(m: Municipality, today: date) -> None:
    """Before: from N days ahead until the day. Overdue: the first days after (a missed run
    catches up; the dedupe key keeps it to one of each)."""
    soon = today + timedelta(days=m.remind_days_before)
    late = today - timedelta(days=CATCH_UP_DAYS)
    open_measures = (
        Measure.objects.filter(_active_logs_in(m), stopped_at__isnull=True)
        .annotate(evaluated=Exists(Evaluation.objects.filter(measure=OuterRef("pk"))))
        .select_related("responsible", "log__subject", "log__unit__municipality")
    )
    due: list[tuple[Measure, str, str]] = []
    for measure in open_measures.filter(deadline__gte=late, deadline__lte=soon):
        before = measure.deadline >= today
        kind, when = (Kind.DEADLINE_SOON, "før") if before else (Kind.DEADLINE_PASSED, "etter")
        due.append((measure, kind, f"frist:{measure.code}:{measure.deadline}:{when}"))
    for measure in open_measures.filter(evaluated=False, evaluation_date__gte=late, evaluation_date__lte=soon):
        before = measure.evaluation_date >= today
        kind = Kind.EVALUATION_SOON if before else Kind.EVALUATION_PASSED
        due.append(
            (measure, kind, f"evaluering:{measure.code}:{measure.evaluation_date}:{'før' if before else 'etter'}")
        )
    _tell_responsible(due, today)


def _tell_responsible(due: list[tuple[Measure, str, str]], today: date) -> None:
    """Each reminder once, and only to someone who may read the log now (not a shielded guardian,
    not a young child, not a participant whose consent ran out) — checked in bulk."""
    done = already_queued([key for _, _, key in due])
    todo = [d for d in due if d[2] not in done]
    readers = readers_of(list({m.log_id: m.log for m, _, _ in todo}.values()), today)
    for measure, kind, key in todo:
        if measure.responsible_id in readers[measure.log_id]:
            queue(recipient=measure.responsible, kind=kind, path=log_path(measure.log), dedupe_key=key)


def _consents(m: Municipality, today: date) -> None:
    """30, 14 and 7 days before: the nearest warning not yet given (a consent made with 10 days
    left gets the 14-day one, not all three at once)."""
    # The consent that governs each log today (logs.models.current_consent, in bulk).
    latest = Consent.objects.valid_on(today).filter(log=OuterRef("log")).latest_first()
    consents = (
        Consent.objects.valid_on(today)
        .filter(_active_logs_in(m), valid_until__lte=today + timedelta(days=max(CONSENT_WARNINGS)))
        .filter(pk=latest.values("pk")[:1])
        .select_related("log__holder")
    )
    for consent in consents:
        left = (consent.valid_until - today).days
        warning = min(d for d in CONSENT_WARNINGS if d >= left)
        tell(
            consent.log.holder,
            kind=Kind.CONSENT_EXPIRING,
            path=log_path(consent.log),
            dedupe_key=f"samtykke:{consent.code}:{warning}",
        )


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


def _no_meeting(m: Municipality, today: date) -> None:
    cutoff = today - timedelta(days=30 * m.no_meeting_months)
    logs = (
        RelayLog.objects.filter(status=LogStatus.ACTIVE, unit__municipality=m, created_at__date__lte=cutoff)
        .annotate(last_meeting=Max("meetings__starts_at"))
        .filter(Q(last_meeting__isnull=True) | Q(last_meeting__date__lte=cutoff))
        .select_related("holder")
    )
    for log in logs:
        # Once per period without a meeting: the key names the day it started (the last meeting, or
        # the day the log was opened) — not the cutoff, which moves on every day's run.
        started = timezone.localdate(log.last_meeting or log.created_at)
        tell(log.holder, kind=Kind.NO_MEETING, path=log_path(log), dedupe_key=f"ingen_mote:{log.code}:{started}")


def _holders_who_left(today: date) -> None:
    still_there = Membership.objects.active().filter(person=OuterRef("holder"), unit=OuterRef("unit"))
    for log in RelayLog.objects.filter(status=LogStatus.ACTIVE).filter(~Exists(still_there)).select_related("unit"):
        for leader in unit_leaders(log.unit):
            tell(
                leader,
                kind=Kind.HOLDER_LEFT,
                path=f"/tjenestested/{log.unit.code}/oversikt/",
                dedupe_key=f"holder_sluttet:{log.code}:{log.holder_id}:{leader.id}",
            )


def _transitions(today: date) -> None:
    for t in Transition.objects.filter(completed_at__isnull=True, log__status=LogStatus.ACTIVE).select_related(
        "log__holder", "log__unit", "to_unit", "contact_teacher", "meeting_1", "meeting_2"
    ):
        for step in progress(t):
            if not step.done and step.due is not None and today <= step.due <= today + TRANSITION_WARNING:
                tell(
                    t.log.holder,
                    kind=Kind.TRANSITION_STEP,
                    path=log_path(t.log),
                    dedupe_key=f"overgang:{t.code}:{step.key}:{step.due}",
                )


def _quarterly_summaries(today: date) -> None:
    """seeds/001: the leader goes through the unit's active logs every three months. In the first
    days of each quarter, each leader of a unit with open logs gets a link to the overview."""
    start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    if (today - start).days > CATCH_UP_DAYS:
        return
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
