"""Measures without a responsible person (issue 14 §2, logs/orphans.py): when the responsible
professional leaves the log — the baton passes, they are removed, they leave their unit, the
consent no longer covers their service — the holder is told at once, sees «Trenger ny ansvarlig»
on the log page and in «Trenger oppfølging», and is reminded every ORPHAN_REMINDER_DAYS days
until someone else has the measure.

The clock starts on Monday 2 March 2026; the daily job runs at a quarter past six."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from stafett.core.reminders import run_reminders
from stafett.followup.overview import holder_attention
from stafett.logs import actions
from stafett.logs.actions import EvaluationData, MeasureData
from stafett.logs.models import Decision, Handover, Measure, MeasureCategory, RelayLog
from stafett.logs.orphans import ORPHAN_REMINDER_DAYS, orphaned_by_log
from stafett.notify.models import Kind, Notification
from stafett.people import actions as people_actions
from stafett.people.models import Membership, Person

OSLO = ZoneInfo("Europe/Oslo")
D0 = date(2026, 3, 2)


def day(n: int) -> date:
    return D0 + timedelta(days=n)


@contextmanager
def on(when: date, at: time = time(6, 15)) -> Iterator[None]:
    with time_machine.travel(datetime.combine(when, at, tzinfo=OSLO), tick=False):
        yield


def run_every_day(first: date, last: date) -> None:
    when = first
    while when <= last:
        with on(when):
            run_reminders(when)
        when += timedelta(days=1)


def told(person: Person) -> list[date]:
    rows = Notification.objects.filter(kind=Kind.MEASURE_ORPHANED, recipient=person).order_by("created_at", "id")
    return [timezone.localdate(n.created_at) for n in rows]


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(datetime.combine(D0, time(9), tzinfo=OSLO), tick=False):
        yield


@pytest.fixture
def kari_measure(cast, log, make_measure_data) -> Measure:
    """The holder's own measure: William's old holder had one like it (issue 14)."""
    goal = log.goals.first()
    data = make_measure_data(cast.kari, what="Snakke med Emma hver morgen", deadline_days=30)
    return actions.add_measure(actor=cast.kari, goal=goal, data=data)


def orphans_of(log: RelayLog) -> list[Measure]:
    return orphaned_by_log([log]).get(log.id, [])


def hand_over_to_nina(cast, log: RelayLog) -> RelayLog:
    handover = actions.propose_handover(actor=cast.berit, log=log, to=cast.nina, unit=cast.health_station)
    return actions.accept_handover(actor=cast.nina, handover=Handover.objects.get(pk=handover.pk))


def test_after_the_log_changed_holder_the_old_holders_measure_is_listed_to_the_new_holder_and_reminded(
    cast, log, kari_measure, client
):
    hand_over_to_nina(cast, log)

    assert orphans_of(log) == [kari_measure]
    assert told(cast.nina) == [D0]  # at the event
    (row,) = Notification.objects.filter(kind=Kind.MEASURE_ORPHANED)
    assert row.path == f"/logg/{log.code}/#ny-ansvarlig"
    assert told(cast.kari) == []  # she no longer has access: she is not the one to fix it

    run_every_day(day(1), day(20))
    assert told(cast.nina) == [D0, day(ORPHAN_REMINDER_DAYS), day(2 * ORPHAN_REMINDER_DAYS)]

    with on(day(20), time(12)):
        flags = [f.key for row in holder_attention(cast.nina, day(20)) for f in row.flags]
        assert "ny_ansvarlig" in flags
        client.force_login(cast.nina)
        page = client.get(reverse("logs:detail", args=[log.code])).content.decode()
    assert "Trenger ny ansvarlig" in page
    assert "Snakke med Emma hver morgen (ansvarlig var Kari Lunde" in page
    assert reverse("logs:edit_measure", args=[log.code, kari_measure.code]) + "#id_responsible" in page


def test_reassigning_from_the_orphan_list_ends_the_reminders(cast, log, kari_measure, client):
    hand_over_to_nina(cast, log)
    client.force_login(cast.nina)
    url = reverse("logs:edit_measure", args=[log.code, kari_measure.code])
    assert 'id="id_responsible"' in client.get(url).content.decode()
    kari_measure.refresh_from_db()
    response = client.post(
        url,
        {
            "version": kari_measure.version,
            "what": kari_measure.what,
            "category": kari_measure.category,
            "responsible": cast.nina.pk,
            "deadline": kari_measure.deadline.isoformat(),
            "evaluation_date": kari_measure.evaluation_date.isoformat(),
        },
    )
    assert response.status_code == 302

    assert orphans_of(log) == []
    run_every_day(day(1), day(30))
    assert told(cast.nina) == [D0]
    assert "ny_ansvarlig" not in [f.key for row in holder_attention(cast.nina, day(30)) for f in row.flags]


def test_removed_participants_open_measures_are_listed_to_the_holder(cast, log, nina_measure, silje_measure):
    participant = log.participants.get(person=cast.nina)
    actions.remove_participant(actor=cast.kari, participant=participant)

    # The guardian's measure stays hers: a family member is reached through the holder (§1), not replaced.
    assert orphans_of(log) == [nina_measure]
    assert told(cast.kari) == [D0]


def test_a_stopped_measure_needs_no_new_responsible_person(cast, log, nina_measure):
    stop = EvaluationData(carried_out=False, decision=Decision.STOP)
    actions.evaluate_measure(actor=cast.nina, measure=nina_measure, data=stop)
    actions.remove_participant(actor=cast.kari, participant=log.participants.get(person=cast.nina))

    assert orphans_of(log) == []
    run_every_day(D0, day(20))
    assert told(cast.kari) == []


def test_consent_narrowed_leaves_the_participants_measures_to_the_holder(cast, log, nina_measure, make_consent):
    actions.renew_consent(actor=cast.kari, log=log, consent=make_consent(services=["barnehage", "skole"]))

    assert orphans_of(log) == [nina_measure]
    assert told(cast.kari) == [D0]


def test_consent_run_out_is_a_consent_reminder_not_a_new_responsible_person(cast, log, nina_measure):
    log.consents.update(valid_until=day(5))

    run_every_day(D0, day(20))  # from day 6 no consent is valid, and Nina cannot read the log

    assert told(cast.kari) == []


def test_staff_member_leaving_their_unit_leaves_their_measures_to_the_holder(cast, log, nina_measure, client):
    membership = Membership.objects.get(person=cast.nina, unit=cast.health_station)
    client.force_login(cast.trude)
    response = client.post(reverse("people:staff_end", args=[cast.health_station.code, membership.code]))

    assert response.status_code == 302
    assert orphans_of(log) == [nina_measure]
    assert told(cast.kari) == [D0]


def test_a_participant_leaving_on_a_future_day_leaves_the_measures_to_the_holder_on_that_day(cast, log, nina_measure):
    membership = Membership.objects.get(person=cast.nina, unit=cast.health_station)
    people_actions.end_membership(actor=cast.trude, membership=membership, on=day(10))

    run_every_day(D0, day(12))

    assert told(cast.kari) == [day(10)]


def test_a_holder_who_leaves_the_unit_keeps_her_measures_until_the_baton_passes(cast, log, kari_measure):
    membership = Membership.objects.get(person=cast.kari, unit=cast.kindergarten)
    people_actions.end_membership(actor=cast.berit, membership=membership)
    run_every_day(D0, day(10))

    # She still holds the log (the leaders are told to appoint a new holder); her measures move with it.
    assert orphans_of(log) == []
    assert told(cast.kari) == []
    assert Notification.objects.filter(kind=Kind.HOLDER_LEFT, recipient=cast.berit).exists()


def test_a_new_measure_for_a_new_responsible_is_not_listed(cast, log, kari_measure):
    log = hand_over_to_nina(cast, log)
    goal = log.goals.first()
    data = MeasureData("Ny plan", MeasureCategory.SPRAK, cast.nina, day(10), day(12))
    fresh = actions.add_measure(actor=cast.nina, goal=goal, data=data)
    assert fresh not in orphans_of(log)
    assert orphans_of(log) == [kari_measure]
