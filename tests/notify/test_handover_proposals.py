"""Handover proposals reach the current holder, and the unit's leaders when nobody answers
(issue 14 §5, logs/handover_reminders.py). The clock starts on Monday 2 March 2026; the daily
job runs at a quarter past six."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from stafett.core.reminders import run_reminders
from stafett.logs import actions
from stafett.logs.models import Handover
from stafett.notify.models import Kind, Notification
from stafett.people.models import Membership, Person, Role
from tests.conftest import make_person

OSLO = ZoneInfo("Europe/Oslo")
D0 = date(2026, 3, 2)


def day(n: int) -> date:
    return D0 + timedelta(days=n)


@contextmanager
def on(when: date) -> Iterator[None]:
    with time_machine.travel(datetime.combine(when, time(6, 15), tzinfo=OSLO), tick=False):
        yield


def run_every_day(first: date, last: date, *, skip: range = range(0)) -> None:
    when = first
    while when <= last:
        if (when - D0).days not in skip:
            with on(when):
                run_reminders(when)
        when += timedelta(days=1)


def sent_on(kind: str, person: Person) -> list[date]:
    rows = Notification.objects.filter(kind=kind, recipient=person).order_by("created_at", "id")
    return [timezone.localdate(n.created_at) for n in rows]


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(datetime.combine(D0, time(9), tzinfo=OSLO), tick=False):
        yield


@pytest.fixture
def arne(cast) -> Person:
    """A second leader at the kindergarten, who did not make the proposal."""
    arne = make_person("Arne", "Berg", email="arne.berg@fjordvik.example")
    Membership.objects.create(person=arne, unit=cast.kindergarten, role=Role.LEADER, title="assisterende styrer")
    return arne


def test_a_leaders_proposal_reaches_the_current_holder_at_once(cast, log):
    actions.propose_handover(actor=cast.berit, log=log, to=cast.nina, unit=cast.health_station)

    assert sent_on(Kind.HANDOVER_PROPOSED, cast.kari) == [D0]
    (row,) = Notification.objects.filter(kind=Kind.HANDOVER_PROPOSED)
    assert row.path == f"/logg/{log.code}/"
    assert sent_on(Kind.HANDOVER_REQUEST, cast.nina) == [D0]


def test_the_holders_own_proposal_is_not_announced_to_herself(cast, log):
    actions.propose_handover(actor=cast.kari, log=log, to=cast.nina, unit=cast.health_station)

    assert sent_on(Kind.HANDOVER_PROPOSED, cast.kari) == []


def test_an_unanswered_proposal_reminds_the_current_holder_and_the_other_leaders_once(cast, log, arne):
    actions.propose_handover(actor=cast.berit, log=log, to=cast.nina, unit=cast.health_station)
    days = cast.fjordvik.handover_reminder_days

    run_every_day(D0, day(30))

    assert sent_on(Kind.HANDOVER_PENDING, cast.kari) == [day(days)]
    assert sent_on(Kind.HANDOVER_PENDING, arne) == [day(days)]
    assert sent_on(Kind.HANDOVER_PENDING, cast.berit) == [day(days)]  # as the proposer, once
    assert sent_on(Kind.HANDOVER_PENDING, cast.nina) == [day(days)]
    to_arne = Notification.objects.get(kind=Kind.HANDOVER_PENDING, recipient=arne)
    assert to_arne.path == f"/tjenestested/{cast.kindergarten.code}/oversikt/"  # leaders do not read the log


def test_a_holders_unanswered_proposal_goes_to_the_unit_leaders(cast, log):
    actions.propose_handover(actor=cast.kari, log=log, to=cast.nina, unit=cast.health_station)

    run_every_day(D0, day(30))

    assert sent_on(Kind.HANDOVER_PENDING, cast.berit) == [day(cast.fjordvik.handover_reminder_days)]
    assert sent_on(Kind.HANDOVER_PENDING, cast.kari) == [day(cast.fjordvik.handover_reminder_days)]  # as proposer


def test_the_leaders_are_told_after_the_municipalitys_days(cast, log, arne):
    cast.fjordvik.handover_reminder_days = 3
    cast.fjordvik.save()
    actions.propose_handover(actor=cast.kari, log=log, to=cast.nina, unit=cast.health_station)

    run_every_day(D0, day(10))

    assert sent_on(Kind.HANDOVER_PENDING, arne) == [day(3)]


def test_a_proposal_passing_its_limit_during_an_outage_reaches_the_leaders_on_the_next_run(cast, log, arne):
    actions.propose_handover(actor=cast.berit, log=log, to=cast.nina, unit=cast.health_station)

    run_every_day(D0, day(40), skip=range(1, 25))

    assert sent_on(Kind.HANDOVER_PENDING, arne) == [day(25)]
    assert sent_on(Kind.HANDOVER_PENDING, cast.kari) == [day(25)]


def test_an_answered_proposal_reaches_no_leader(cast, log, arne):
    handover = actions.propose_handover(actor=cast.berit, log=log, to=cast.nina, unit=cast.health_station)
    with on(day(2)):
        actions.decline_handover(actor=cast.nina, handover=Handover.objects.get(pk=handover.pk), reason="Full")

    run_every_day(D0, day(30))

    assert sent_on(Kind.HANDOVER_PENDING, arne) == []
    assert sent_on(Kind.HANDOVER_PENDING, cast.kari) == []
