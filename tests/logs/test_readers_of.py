"""`access.readers_of` (bulk, for the daily job) must give the same answers as `can(VIEW_LOG)`."""

from datetime import timedelta

import pytest
from django.utils import timezone

from stafett import access
from stafett.access import Action
from stafett.logs import actions
from stafett.logs.models import Consent, RelayLog
from stafett.people.models import Membership, Person

PEOPLE = ["kari", "nina", "silje", "jonas", "emma", "berit", "trude", "randi", "ola_admin", "outsider"]


def agree(cast, logs: list[RelayLog]) -> None:
    logs = list(RelayLog.objects.filter(pk__in=[lg.pk for lg in logs]).select_related("subject", "unit__municipality"))
    readers = access.readers_of(logs)
    for log in logs:
        for name in PEOPLE:
            person: Person = getattr(cast, name)
            assert (person.id in readers[log.id]) is access.can(person, Action.VIEW_LOG, log), (name, log.status)


def test_readers_agree_with_can_on_active_logs(cast, log, youth_log):
    agree(cast, [log, youth_log])


def test_readers_agree_when_consent_has_run_out(cast, log):
    today = timezone.localdate()
    Consent.objects.filter(log=log).update(
        valid_from=today - timedelta(days=700), valid_until=today - timedelta(days=1)
    )
    agree(cast, [log])


def test_readers_agree_when_the_participant_has_left_the_unit(cast, log):
    Membership.objects.filter(person=cast.nina).update(ended_on=timezone.localdate())
    agree(cast, [log])


def test_readers_agree_when_the_log_is_shielded_from_guardians(cast, log):
    actions.shield_from_guardians(actor=cast.kari, log=log)
    agree(cast, [log])


def test_readers_agree_with_a_proposed_holder(cast, log):
    actions.propose_handover(actor=cast.kari, log=log, to=cast.berit, unit=cast.kindergarten)
    agree(cast, [log])


@pytest.mark.parametrize("status", ["passiv", "avsluttet"])
def test_readers_agree_on_passive_and_closed_logs(cast, log, status):
    RelayLog.objects.filter(pk=log.pk).update(status=status)
    agree(cast, [log])


def test_readers_agree_except_that_a_passive_former_holder_hears_of_nothing(cast, log):
    handover = actions.propose_handover(actor=cast.kari, log=log, to=cast.nina, unit=cast.health_station)
    actions.accept_handover(actor=cast.nina, handover=handover, old_holder_passive=True)
    log = RelayLog.objects.get(pk=log.pk)
    assert access.can(cast.kari, Action.VIEW_LOG, log)
    assert cast.kari.id not in access.readers_of([log])[log.id]
    assert cast.nina.id in access.readers_of([log])[log.id]
