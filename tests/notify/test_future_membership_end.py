"""A staff membership that ends in the future ends on that day (issue 14 §6): access through the
unit lasts until then (people.models.MembershipQuerySet.active, read by stafett/access.py), the
leaders hear that a holder has left on the day itself, and the staff list says «slutter <dato>».

The clock starts on Monday 2 March 2026; the daily job runs at a quarter past six."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from stafett import access
from stafett.access import Action, Relation
from stafett.core.reminders import run_reminders
from stafett.notify.models import Kind, Notification
from stafett.people import actions as people_actions
from stafett.people.models import Membership

OSLO = ZoneInfo("Europe/Oslo")
D0 = date(2026, 3, 2)
LAST_DAY = date(2026, 3, 11)
ENDS = date(2026, 3, 12)


@contextmanager
def on(when: date, at: time = time(6, 15)) -> Iterator[None]:
    with time_machine.travel(datetime.combine(when, at, tzinfo=OSLO), tick=False):
        yield


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(datetime.combine(D0, time(9), tzinfo=OSLO), tick=False):
        yield


def membership_of(person, unit) -> Membership:
    return Membership.objects.get(person=person, unit=unit)


def test_participant_keeps_access_until_the_future_end_date_of_her_membership(cast, log):
    people_actions.end_membership(actor=cast.trude, membership=membership_of(cast.nina, cast.health_station), on=ENDS)

    with on(LAST_DAY, time(23, 59)):
        assert access.can(cast.nina, Action.VIEW_LOG, log)
        assert cast.nina.id in access.readers_of([log])[log.id]
    with on(ENDS, time(0, 1)):
        assert not access.can(cast.nina, Action.VIEW_LOG, log)
        assert cast.nina.id not in access.readers_of([log])[log.id]
        assert not access.readable_logs(cast.nina).exists()


def test_a_leader_leaving_in_the_future_leads_the_unit_until_that_day(cast, log):
    people_actions.end_membership(actor=cast.trude, membership=membership_of(cast.berit, cast.kindergarten), on=ENDS)

    with on(LAST_DAY):
        assert access.can(cast.berit, Action.VIEW_UNIT_OVERVIEW, cast.kindergarten)
        assert Relation.UNIT_LEADER in access.relations_to(cast.berit, log)
    with on(ENDS):
        assert not access.can(cast.berit, Action.VIEW_UNIT_OVERVIEW, cast.kindergarten)
        assert Relation.UNIT_LEADER not in access.relations_to(cast.berit, log)


def test_leaders_are_told_on_the_end_date_that_the_holder_has_left_not_before(cast, log):
    people_actions.end_membership(actor=cast.berit, membership=membership_of(cast.kari, cast.kindergarten), on=ENDS)

    when = D0
    while when <= ENDS + timedelta(days=3):
        with on(when):
            run_reminders(when)
        when += timedelta(days=1)

    rows = Notification.objects.filter(kind=Kind.HOLDER_LEFT, recipient=cast.berit)
    assert [timezone.localdate(n.created_at) for n in rows] == [ENDS]


def test_the_staff_list_shows_when_someone_leaves(client, cast):
    people_actions.end_membership(actor=cast.berit, membership=membership_of(cast.kari, cast.kindergarten), on=ENDS)
    client.force_login(cast.berit)

    page = client.get(reverse("people:staff", args=[cast.kindergarten.code])).content.decode()

    assert "slutter 12.3.2026" in page
    end_url = reverse(
        "people:staff_end", args=[cast.kindergarten.code, membership_of(cast.kari, cast.kindergarten).code]
    )
    assert end_url not in page  # already leaving: nothing more to end


def test_the_leader_chooses_a_future_end_date_on_the_form(client, cast):
    membership = membership_of(cast.kari, cast.kindergarten)
    client.force_login(cast.berit)
    url = reverse("people:staff_end", args=[cast.kindergarten.code, membership.code])
    assert 'type="date"' in client.get(url).content.decode()

    response = client.post(url, {"on": ENDS.isoformat()})

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.ended_on == ENDS
    assert Membership.objects.active().filter(pk=membership.pk).exists()


def test_an_end_date_in_the_past_is_refused(cast):
    with pytest.raises(ValidationError, match="tilbake i tid"):
        people_actions.end_membership(
            actor=cast.berit, membership=membership_of(cast.kari, cast.kindergarten), on=D0 - timedelta(days=1)
        )


def test_a_membership_already_ending_cannot_be_ended_again(cast):
    membership = membership_of(cast.kari, cast.kindergarten)
    people_actions.end_membership(actor=cast.berit, membership=membership, on=ENDS)
    with pytest.raises(ValidationError, match="slutter allerede 12.03.2026"):
        people_actions.end_membership(actor=cast.berit, membership=membership, on=ENDS + timedelta(days=1))
