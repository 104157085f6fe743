"""At handover the new holder may make the old holder passive (issue 15 §8, seeds/000: «passiviser
eller legg til deltakere»): the old holder reads the history and does nothing else, hears of
nothing, and their open measures are handed on."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from stafett import access
from stafett.access import Action, Relation
from stafett.audit.models import AuditAction, AuditEvent
from stafett.logs import actions
from stafett.logs.models import FormerHolder, Measure, RelayLog
from stafett.logs.orphans import orphaned_by_log
from stafett.notify.models import Notification
from stafett.people.models import Membership


@pytest.fixture
def kari_measure(cast, log, make_measure_data) -> Measure:
    return actions.add_measure(actor=cast.kari, goal=log.goals.first(), data=make_measure_data(cast.kari))


def hand_to_nina(cast, log, **kw) -> RelayLog:
    handover = actions.propose_handover(actor=cast.kari, log=log, to=cast.nina, unit=cast.health_station)
    actions.accept_handover(actor=cast.nina, handover=handover, **kw)
    return RelayLog.objects.get(pk=log.pk)


def test_passive_old_holder_may_read_but_not_write_and_gets_no_notifications(cast, log, client):
    log = hand_to_nina(cast, log, old_holder_passive=True)
    assert access.relations_to_log(cast.kari, log) == {Relation.FORMER_HOLDER}
    assert access.allowed_actions(cast.kari, log) == {Action.VIEW_LOG}
    assert log in access.readable_logs(cast.kari)
    assert cast.kari.id not in access.readers_of([log])[log.id]
    with pytest.raises(PermissionDenied):
        actions.post_message(actor=cast.kari, log=log, text="Hei")
    Notification.objects.all().delete()
    actions.post_message(actor=cast.nina, log=log, text="Nytt fra helsestasjonen")
    assert not Notification.objects.filter(recipient=cast.kari).exists()
    assert Notification.objects.filter(recipient=cast.silje).exists()

    client.force_login(cast.kari)
    page = client.get(reverse("logs:detail", args=[log.code]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "passiv: leser historikken" in html and 'name="text"' not in html
    assert client.get(reverse("logs:access_log", args=[log.code])).status_code == 403
    assert "Tidligere stafettholder, passiv" in client.get(reverse("core:start")).content.decode()


def test_passive_old_holder_is_recorded_in_the_audit_trail(cast, log):
    hand_to_nina(cast, log, old_holder_passive=True)
    event = AuditEvent.objects.filter(action=AuditAction.HANDOVER_ACCEPTED).latest("id")
    assert event.details["forrige_stafettholder"] == "passiv, leser historikken"


def test_passive_old_holders_measures_need_someone_new_unless_the_new_holder_takes_them(cast, log, kari_measure):
    log = hand_to_nina(cast, log, old_holder_passive=True)
    assert [m.id for m in orphaned_by_log([log])[log.id]] == [kari_measure.id]


def test_the_new_holder_takes_over_the_old_holders_open_measures(cast, log, kari_measure):
    log = hand_to_nina(cast, log, old_holder_passive=True, take_old_holders_measures=True)
    kari_measure.refresh_from_db()
    assert kari_measure.responsible == cast.nina
    assert orphaned_by_log([log]) == {}
    event = AuditEvent.objects.filter(action=AuditAction.HANDOVER_ACCEPTED).latest("id")
    assert event.details["tiltak_overtatt"] == 1


def test_passive_old_holder_loses_reading_when_they_leave_their_unit(cast, log):
    log = hand_to_nina(cast, log, old_holder_passive=True)
    Membership.objects.filter(person=cast.kari).delete()
    assert not access.can(cast.kari, Action.VIEW_LOG, log)


def test_passive_old_holder_reads_only_while_the_log_is_active(cast, log):
    log = hand_to_nina(cast, log, old_holder_passive=True)
    actions.withdraw_consent(actor=cast.nina, log=log, on_paper=True)
    assert not access.can(cast.kari, Action.VIEW_LOG, RelayLog.objects.get(pk=log.pk))


def test_the_holder_ends_a_passive_old_holders_reading(cast, log, client):
    log = hand_to_nina(cast, log, old_holder_passive=True)
    former = FormerHolder.objects.get()
    client.force_login(cast.nina)
    response = client.post(reverse("logs:end_former_holder", args=[log.code, former.code]))
    assert response.status_code == 302
    assert not access.can(cast.kari, Action.VIEW_LOG, log)
    assert AuditEvent.objects.filter(action=AuditAction.FORMER_HOLDER_ENDED).exists()


def test_the_answer_page_offers_to_make_the_old_holder_passive(cast, log, client):
    handover = actions.propose_handover(actor=cast.kari, log=log, to=cast.nina, unit=cast.health_station)
    client.force_login(cast.nina)
    url = reverse("logs:answer_handover", args=[handover.code])
    assert "Blir passiv" in client.get(url).content.decode()
    client.post(url, {"accept": "1", "old_holder_stays": "passiv", "take_measures": "on"})
    assert access.relations_to_log(cast.kari, RelayLog.objects.get(pk=log.pk)) == {Relation.FORMER_HOLDER}


def test_a_passive_old_holder_who_becomes_holder_again_is_no_longer_passive(cast, log):
    log = hand_to_nina(cast, log, old_holder_passive=True)
    handover = actions.propose_handover(actor=cast.nina, log=log, to=cast.kari, unit=cast.kindergarten)
    actions.accept_handover(actor=cast.kari, handover=handover)
    assert not FormerHolder.objects.filter(person=cast.kari, ended_at__isnull=True).exists()


def test_an_unknown_former_holder_is_a_404(cast, log, client):
    client.force_login(cast.kari)
    url = f"/logg/{log.code}/tidligere-stafettholder/{log.code}/avslutt/"
    assert client.post(url).status_code == 404
