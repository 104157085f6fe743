"""The daily reminder job (stafett/core/reminders.py): each reminder comes on its day, and once,
when the job runs every day across the whole period — and late rather than never when a day is missed.

The clock starts on Monday 2 March 2026. Each test builds its logs then, runs the job day by day
with the clock moved to that morning, and counts the rows in the outbox by kind and recipient.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from stafett.core.reminders import run_reminders
from stafett.logs import actions
from stafett.logs.actions import EvaluationData, MeasureData
from stafett.logs.models import (
    Arena,
    CloseReason,
    Decision,
    Handover,
    Measure,
    MeasureCategory,
    RelayLog,
    TransitionKind,
)
from stafett.notify.models import Kind, Notification
from stafett.people import actions as people_actions
from stafett.people.models import Membership, Person, Role, ServiceType, Unit
from tests.conftest import make_person

OSLO = ZoneInfo("Europe/Oslo")
D0 = date(2026, 3, 2)
SCHOOL_START = date(2026, 8, 17)

REMINDER_KINDS = {
    Kind.DEADLINE_SOON,
    Kind.DEADLINE_PASSED,
    Kind.EVALUATION_SOON,
    Kind.EVALUATION_PASSED,
    Kind.CONSENT_EXPIRING,
    Kind.HANDOVER_PENDING,
    Kind.NO_MEETING,
    Kind.HOLDER_LEFT,
    Kind.TRANSITION_STEP,
    Kind.QUARTERLY_SUMMARY,
}


def day(n: int) -> date:
    return D0 + timedelta(days=n)


@contextmanager
def on(when: date) -> Iterator[None]:
    """The clock at a quarter past six that morning, when the worker runs the daily job."""
    with time_machine.travel(datetime.combine(when, time(6, 15), tzinfo=OSLO), tick=False):
        yield


def run_every_day(first: date, last: date, *, skip: frozenset[date] = frozenset()) -> None:
    when = first
    while when <= last:
        if when not in skip:
            with on(when):
                run_reminders(when)
        when += timedelta(days=1)


def sent_on(kind: str, person: Person) -> list[date]:
    """The days `person` was sent a reminder of `kind` (one row per channel; the cast uses e-mail only)."""
    rows = Notification.objects.filter(kind=kind, recipient=person).order_by("created_at", "id")
    return [timezone.localdate(n.created_at) for n in rows]


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(datetime.combine(D0, time(9), tzinfo=OSLO), tick=False):
        yield


@pytest.fixture
def open_log(cast, make_consent):
    """A log Kari holds for Emma, with its consent running until `until`; no measures, no meetings."""

    def make(*, until: date) -> RelayLog:
        return actions.open_log(
            actor=cast.kari, subject=cast.emma, unit=cast.kindergarten, consent=make_consent(valid_until=until)
        )

    return make


def add_measure(log: RelayLog, responsible: Person, *, deadline: date, evaluation: date) -> Measure:
    goal = actions.add_goal(actor=log.holder, log=log, arena=Arena.HOME, text="Emma forteller om dagen sin")
    data = MeasureData("Lese bildebok hver kveld", MeasureCategory.SPRAK, responsible, deadline, evaluation)
    return actions.add_measure(actor=log.holder, goal=goal, data=data)


@pytest.fixture
def school(cast) -> tuple[Unit, Person]:
    school = Unit.objects.create(municipality=cast.fjordvik, name="Fjordvik skole", service_type=ServiceType.SKOLE)
    principal = make_person("Geir", "Moen", email="geir@skole.example")
    Membership.objects.create(person=principal, unit=school, role=Role.LEADER, title="rektor")
    return school, principal


def start_school_transition(cast, log: RelayLog, school: Unit):
    return actions.start_transition(
        actor=cast.kari,
        log=log,
        kind=TransitionKind.KINDERGARTEN_TO_SCHOOL,
        to_unit=school,
        start_date=SCHOOL_START,
    )


def kari_leaves_the_kindergarten(cast) -> None:
    membership = Membership.objects.get(person=cast.kari, unit=cast.kindergarten)
    people_actions.end_membership(actor=cast.berit, membership=membership)


# --- Measures: deadline and evaluation ------------------------------------------------------------


def test_deadline_reminder_is_sent_once_three_days_before_and_once_when_overdue(cast, log, silje_measure):
    deadline = silje_measure.deadline
    assert deadline == day(14)

    run_every_day(D0, day(40))

    assert sent_on(Kind.DEADLINE_SOON, cast.silje) == [deadline - timedelta(days=3)]
    assert sent_on(Kind.DEADLINE_PASSED, cast.silje) == [deadline + timedelta(days=1)]
    assert sent_on(Kind.DEADLINE_SOON, cast.nina) == [deadline - timedelta(days=3)]  # her own measure
    assert sent_on(Kind.DEADLINE_SOON, cast.kari) == []  # the holder is not the one responsible


def test_deadline_reminder_follows_the_municipalitys_days_before(cast, log, silje_measure):
    cast.fjordvik.remind_days_before = 7
    cast.fjordvik.save()

    run_every_day(D0, day(40))

    assert sent_on(Kind.DEADLINE_SOON, cast.silje) == [silje_measure.deadline - timedelta(days=7)]


def test_evaluation_reminder_is_sent_once_before_and_once_when_overdue(cast, log, silje_measure):
    evaluation = silje_measure.evaluation_date
    assert evaluation == day(21)

    run_every_day(D0, day(40))

    assert sent_on(Kind.EVALUATION_SOON, cast.silje) == [evaluation - timedelta(days=3)]
    assert sent_on(Kind.EVALUATION_PASSED, cast.silje) == [evaluation + timedelta(days=1)]


def test_no_evaluation_reminders_once_the_measure_is_evaluated(cast, log, silje_measure, nina_measure):
    evaluated = EvaluationData(carried_out=True, decision=Decision.CONTINUE)
    actions.evaluate_measure(actor=cast.nina, measure=nina_measure, data=evaluated)
    run_every_day(D0, day(18))  # Silje is reminded before her evaluation date ...
    with on(day(19)):
        actions.evaluate_measure(actor=cast.silje, measure=silje_measure, data=evaluated)
    run_every_day(day(19), day(40))  # ... and evaluates before it is overdue

    assert sent_on(Kind.EVALUATION_SOON, cast.silje) == [day(18)]
    assert sent_on(Kind.EVALUATION_PASSED, cast.silje) == []
    assert sent_on(Kind.EVALUATION_SOON, cast.nina) == []
    assert sent_on(Kind.EVALUATION_PASSED, cast.nina) == []


def test_no_reminders_for_a_stopped_measure(cast, log, nina_measure):
    stop = EvaluationData(carried_out=False, decision=Decision.STOP)
    actions.evaluate_measure(actor=cast.nina, measure=nina_measure, data=stop)

    run_every_day(D0, day(40))

    kinds = [Kind.DEADLINE_SOON, Kind.DEADLINE_PASSED, Kind.EVALUATION_SOON, Kind.EVALUATION_PASSED]
    assert not Notification.objects.filter(recipient=cast.nina, kind__in=kinds).exists()
    assert sent_on(Kind.DEADLINE_SOON, cast.silje) == [day(11)]  # the other measure still is reminded


# --- Consent running out ----------------------------------------------------------------------------


def test_consent_expiring_gives_exactly_three_warnings_30_14_and_7_days_before(cast, open_log):
    until = day(35)
    log = open_log(until=until)

    run_every_day(D0, day(39))

    assert sent_on(Kind.CONSENT_EXPIRING, cast.kari) == [until - timedelta(days=d) for d in (30, 14, 7)]
    keys = Notification.objects.filter(kind=Kind.CONSENT_EXPIRING).values_list("dedupe_key", flat=True)
    assert [k.rsplit(":", 1)[1] for k in keys] == ["30", "14", "7"]
    paths = Notification.objects.filter(kind=Kind.CONSENT_EXPIRING).values_list("path", flat=True)
    assert set(paths) == {f"/logg/{log.code}/"}


def test_no_consent_warnings_after_renewal(cast, open_log, make_consent):
    log = open_log(until=day(35))
    run_every_day(D0, day(10))  # the 30-day warning on day 5
    with on(day(10)):
        actions.renew_consent(actor=cast.kari, log=log, consent=make_consent(valid_until=date(2028, 3, 1)))

    run_every_day(day(11), day(39))

    assert sent_on(Kind.CONSENT_EXPIRING, cast.kari) == [day(5)]


def test_consent_made_with_ten_days_left_gets_one_warning_at_once_not_three(cast, open_log):
    open_log(until=day(10))

    run_every_day(D0, D0)

    assert sent_on(Kind.CONSENT_EXPIRING, cast.kari) == [D0]
    assert Notification.objects.get(kind=Kind.CONSENT_EXPIRING).dedupe_key.endswith(":14")


def test_consent_made_with_ten_days_left_gets_the_late_14_day_warning_then_the_7_day_one(cast, open_log):
    until = day(10)
    open_log(until=until)

    run_every_day(D0, day(20))

    assert sent_on(Kind.CONSENT_EXPIRING, cast.kari) == [D0, until - timedelta(days=7)]


# --- Handover, meetings, holder, transition ---------------------------------------------------------


def test_handover_not_answered_after_seven_days_reminds_proposed_holder_and_proposer_once(cast, log):
    handover = actions.propose_handover(actor=cast.kari, log=log, to=cast.nina, unit=cast.health_station)

    run_every_day(D0, day(30))

    assert sent_on(Kind.HANDOVER_PENDING, cast.nina) == [day(7)]
    assert sent_on(Kind.HANDOVER_PENDING, cast.kari) == [day(7)]
    assert sent_on(Kind.HANDOVER_REQUEST, cast.nina) == [D0]  # the question itself, when proposed
    to_nina = Notification.objects.get(kind=Kind.HANDOVER_PENDING, recipient=cast.nina)
    assert to_nina.path == f"/overforing/{handover.code}/"


def test_handover_reminder_follows_the_municipalitys_days(cast, log):
    cast.fjordvik.handover_reminder_days = 3
    cast.fjordvik.save()
    actions.propose_handover(actor=cast.kari, log=log, to=cast.nina, unit=cast.health_station)

    run_every_day(D0, day(30))

    assert sent_on(Kind.HANDOVER_PENDING, cast.nina) == [day(3)]


def test_answered_handover_is_not_reminded(cast, log):
    handover = actions.propose_handover(actor=cast.kari, log=log, to=cast.nina, unit=cast.health_station)
    run_every_day(D0, day(5))
    with on(day(5)):
        actions.decline_handover(actor=cast.nina, handover=Handover.objects.get(pk=handover.pk), reason="Full")

    run_every_day(day(6), day(30))

    assert not Notification.objects.filter(kind=Kind.HANDOVER_PENDING).exists()


def test_log_without_a_meeting_for_three_months_reminds_the_holder_once(cast, log):
    run_every_day(D0, day(200))

    assert sent_on(Kind.NO_MEETING, cast.kari) == [date(2026, 6, 2)]  # three calendar months
    assert sent_on(Kind.NO_MEETING, cast.nina) == []


def test_a_meeting_ends_the_quiet_period_and_three_quiet_months_after_it_remind_again(cast, log):
    run_every_day(D0, day(99))  # reminded on 2 June
    with on(day(100)):
        actions.schedule_meeting(
            actor=cast.kari,
            log=log,
            starts_at=datetime.combine(day(100), time(10), tzinfo=OSLO),
            place="Solsikken",
            agenda="Hvordan går det?",
        )

    run_every_day(day(100), day(220))

    assert sent_on(Kind.NO_MEETING, cast.kari) == [date(2026, 6, 2), date(2026, 9, 10)]


def test_holder_who_left_the_unit_is_reported_to_each_unit_leader_once(cast, log):
    other_leader = make_person("Per", "Dahl", email="per@fjordvik.example")
    Membership.objects.create(person=other_leader, unit=cast.kindergarten, role=Role.LEADER, title="assisterende")
    run_every_day(D0, day(4))
    with on(day(5)):
        kari_leaves_the_kindergarten(cast)

    run_every_day(day(5), day(60))

    assert sent_on(Kind.HOLDER_LEFT, cast.berit) == [day(5)]
    assert sent_on(Kind.HOLDER_LEFT, other_leader) == [day(5)]
    assert sent_on(Kind.HOLDER_LEFT, cast.kari) == []
    assert Notification.objects.filter(kind=Kind.HOLDER_LEFT).first().path == (
        f"/tjenestested/{cast.kindergarten.code}/oversikt/"
    )


def test_transition_step_falling_due_reminds_the_holder_once(cast, log, school):
    school_unit, _ = school
    start_school_transition(cast, log, school_unit)  # «add the principal» is due on 31 March

    run_every_day(D0, date(2026, 4, 30))

    # «tell the school» was due on 30 November: overdue when the transition starts, so at once;
    # the February/March meeting and «add the principal» two weeks before 31 March
    two_weeks_before = date(2026, 3, 31) - timedelta(days=14)
    assert sent_on(Kind.TRANSITION_STEP, cast.kari) == [D0, two_weeks_before, two_weeks_before]


def test_transition_step_done_in_time_is_not_reminded(cast, log, school):
    school_unit, principal = school
    start_school_transition(cast, log, school_unit)
    actions.add_participant(actor=cast.kari, log=log, person=principal, unit=school_unit)

    run_every_day(D0, date(2026, 4, 30))

    keys = Notification.objects.filter(kind=Kind.TRANSITION_STEP).values_list("dedupe_key", flat=True)
    # not «add the principal»: only the overdue «tell the school» and the February/March meeting
    assert [k.split(":")[2] for k in keys] == ["notify", "february_meeting"]


def test_quarterly_summary_reaches_a_leader_once_each_quarter(cast, log):
    health_leader = make_person("Hanne", "Berg", email="hanne@fjordvik.example")
    Membership.objects.create(person=health_leader, unit=cast.health_station, role=Role.LEADER, title="leder")

    run_every_day(D0, date(2027, 1, 20))

    assert sent_on(Kind.QUARTERLY_SUMMARY, cast.berit) == [
        D0,  # the first run ever: the quarter's summary is already due
        date(2026, 4, 1),
        date(2026, 7, 1),
        date(2026, 10, 1),
        date(2027, 1, 1),
    ]
    assert sent_on(Kind.QUARTERLY_SUMMARY, health_leader) == []  # no logs at the health station


# --- Passive and closed logs; a missed run ----------------------------------------------------------


@pytest.fixture
def busy_log(cast, open_log, school) -> RelayLog:
    """A log with every reminder ahead: consent running out, a measure, a handover, a transition."""
    log = open_log(until=day(35))
    add_measure(log, cast.silje, deadline=day(10), evaluation=day(17))
    actions.add_participant(actor=cast.kari, log=log, person=cast.nina, unit=cast.health_station)
    actions.propose_handover(actor=cast.kari, log=log, to=cast.nina, unit=cast.health_station)
    start_school_transition(cast, log, school[0])
    return log


def expected_reminders(cast) -> dict[tuple[str, Person], list[date]]:
    """When each reminder about `busy_log` is due, with the job running every day from D0 to day 120."""
    return {
        (Kind.DEADLINE_SOON, cast.silje): [day(7)],
        (Kind.DEADLINE_PASSED, cast.silje): [day(11)],
        (Kind.EVALUATION_SOON, cast.silje): [day(14)],
        (Kind.EVALUATION_PASSED, cast.silje): [day(18)],
        (Kind.CONSENT_EXPIRING, cast.kari): [day(5), day(21), day(28)],
        (Kind.HANDOVER_PENDING, cast.nina): [day(7)],
        (Kind.HANDOVER_PENDING, cast.kari): [day(7)],
        (Kind.HANDOVER_PENDING, cast.berit): [day(7)],  # the unit leader (issue 14 §5)
        (Kind.NO_MEETING, cast.kari): [date(2026, 6, 2)],
        (Kind.HOLDER_LEFT, cast.berit): [D0],
        # telling the school (due 30.11 last year: overdue, so at once); the February/March meeting
        # and the principal (both 31.3), contact teacher (1.6), meeting 1 and measures (both 20.6),
        # two weeks ahead
        (Kind.TRANSITION_STEP, cast.kari): [
            D0,
            date(2026, 3, 17),
            date(2026, 3, 17),
            date(2026, 5, 18),
            date(2026, 6, 6),
            date(2026, 6, 6),
        ],
        # the first run ever sends the quarter's summary already due (issue 14 §4)
        (Kind.QUARTERLY_SUMMARY, cast.berit): [D0, date(2026, 4, 1)],
    }


def reminders_sent() -> dict[tuple[str, Person], list[date]]:
    found: dict[tuple[str, Person], list[date]] = {}
    for n in Notification.objects.filter(kind__in=REMINDER_KINDS).select_related("recipient"):
        found.setdefault((n.kind, n.recipient), []).append(timezone.localdate(n.created_at))
    return found


def test_an_active_log_gets_every_reminder_once_on_its_day(cast, busy_log):
    kari_leaves_the_kindergarten(cast)

    run_every_day(D0, day(120))

    assert reminders_sent() == expected_reminders(cast)


def test_a_missed_day_sends_each_reminder_on_the_next_run_rather_than_never(cast, busy_log):
    kari_leaves_the_kindergarten(cast)
    expected = expected_reminders(cast)
    missed = frozenset(d for days in expected.values() for d in days)

    run_every_day(D0, day(120), skip=missed)

    def next_run(d: date) -> date:
        d += timedelta(days=1)
        while d in missed:
            d += timedelta(days=1)
        return d

    assert reminders_sent() == {key: [next_run(d) for d in days] for key, days in expected.items()}


def test_no_reminders_for_a_passive_log(cast, busy_log):
    actions.withdraw_consent(actor=cast.silje, log=busy_log)
    kari_leaves_the_kindergarten(cast)

    run_every_day(D0, day(120))

    # The leader's quarterly overview lists passive logs too; nothing else is about this log.
    assert reminders_sent() == {(Kind.QUARTERLY_SUMMARY, cast.berit): [D0, date(2026, 4, 1)]}


def test_no_reminders_for_a_closed_log(cast, busy_log):
    actions.close_log(actor=cast.kari, log=busy_log, reason=CloseReason.GOALS_MET)
    kari_leaves_the_kindergarten(cast)

    run_every_day(D0, day(120))

    assert reminders_sent() == {}


def test_the_daily_job_wakes_the_worker_once_however_many_reminders_it_queues(cast, busy_log, monkeypatch):
    from stafett.notify import outbox

    wake_ups = []
    monkeypatch.setattr(outbox, "_wake_worker_after_commit", lambda: wake_ups.append(1))
    kari_leaves_the_kindergarten(cast)
    with on(day(90)):
        queued = run_reminders(day(90))

    assert queued >= 2
    assert wake_ups == [1]
