"""At handover the new holder decides about the old holder (issue 15 §8, seeds/000: «passiviser
eller legg til deltakere»), and the printout never names someone who left as responsible."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from stafett import access
from stafett.access import Action
from stafett.archive.pdf import log_html
from stafett.audit.models import AuditAction, AuditEvent
from stafett.logs import actions
from stafett.logs.models import Measure, RelayLog
from stafett.people.models import Membership


@pytest.fixture
def kari_measure(cast, log, make_measure_data) -> Measure:
    goal = log.goals.first()
    return actions.add_measure(
        actor=cast.kari, goal=goal, data=make_measure_data(cast.kari, what="Fast voksen i samling")
    )


def hand_to_nina(cast, log, **kw):
    handover = actions.propose_handover(actor=cast.kari, log=log, to=cast.nina, unit=cast.health_station)
    return actions.accept_handover(actor=cast.nina, handover=handover, **kw)


def test_old_holder_stays_as_participant_when_the_new_holder_says_so(cast, log, kari_measure):
    hand_to_nina(cast, log, old_holder_stays=True)
    log = RelayLog.objects.get(pk=log.pk)
    assert log.holder == cast.nina
    assert log.participants.filter(person=cast.kari, unit=cast.kindergarten, removed_at__isnull=True).exists()
    assert access.can(cast.kari, Action.VIEW_LOG, log)
    assert "trenger ny ansvarlig" not in log_html(log)
    event = AuditEvent.objects.filter(action=AuditAction.HANDOVER_ACCEPTED).latest("id")
    assert event.details["forrige_stafettholder"] == "blir deltaker"


def test_old_holder_leaves_by_default_and_the_printout_does_not_name_her_responsible(cast, log, kari_measure):
    hand_to_nina(cast, log)
    log = RelayLog.objects.get(pk=log.pk)
    assert not access.can(cast.kari, Action.VIEW_LOG, log)
    html = " ".join(log_html(log).split())
    assert "Fast voksen i samling</strong> – trenger ny ansvarlig (var Kari Lunde" in html
    assert "Kari Lunde (deltaker)" not in html


def test_old_holder_who_left_the_unit_cannot_stay(cast, log):
    Membership.objects.filter(person=cast.kari).delete()
    Membership.objects.create(person=cast.kari, unit=cast.ppt, title="rådgiver")
    handover = actions.propose_handover(actor=cast.berit, log=log, to=cast.nina, unit=cast.health_station)
    with pytest.raises(ValidationError) as e:
        actions.accept_handover(actor=cast.nina, handover=handover, old_holder_stays=True)
    assert "står ikke lenger på ansattlisten ved Solsikken barnehage" in " ".join(e.value.messages)
    assert RelayLog.objects.get(pk=log.pk).holder == cast.kari


def test_the_answer_page_asks_about_the_old_holder(client, cast, log):
    handover = actions.propose_handover(actor=cast.kari, log=log, to=cast.nina, unit=cast.health_station)
    client.force_login(cast.nina)
    url = reverse("logs:answer_handover", args=[handover.code])
    assert "Hva skjer med den forrige stafettholderen?" in client.get(url).content.decode()
    client.post(url, {"accept": "1", "old_holder_stays": "ja"})
    assert log.participants.filter(person=cast.kari, removed_at__isnull=True).exists()
