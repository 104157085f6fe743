"""Participants: invited by the holder, one per unit, within the consent (SPEC §3, §4; seeds/001 §6–§7)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from stafett import access
from stafett.access import Action
from stafett.audit.models import AuditEvent
from stafett.logs import actions
from stafett.logs.actions import NotificationChoices
from stafett.logs.models import Consent, Participant
from stafett.people.models import Membership, Role, ServiceType, Unit
from tests.conftest import make_person


@pytest.fixture
def doctor(cast):
    """A second employee at the health station."""
    person = make_person("Per", "Lege", email="per.lege@fjordvik.example")
    Membership.objects.create(person=person, unit=cast.health_station, role=Role.EMPLOYEE, title="lege")
    return person


@pytest.fixture
def psychologist(cast):
    """An employee at PPT, a service the consent does not name."""
    person = make_person("Pia", "Psykolog", email="pia@fjordvik.example")
    Membership.objects.create(person=person, unit=cast.ppt, role=Role.EMPLOYEE, title="pedagogisk-psykologisk rådgiver")
    return person


def test_the_holder_adds_a_participant_who_then_reads_the_log(cast, log, doctor):
    school = Unit.objects.create(municipality=cast.fjordvik, name="Fjordvik skole", service_type=ServiceType.SKOLE)
    Membership.objects.create(person=cast.outsider, unit=school, role=Role.EMPLOYEE, title="lærer")
    p = actions.add_participant(
        actor=cast.kari, log=log, person=cast.outsider, unit=school, notify=NotificationChoices(comment=True)
    )
    assert (p.notify_message, p.notify_calendar, p.notify_comment) == (True, True, True)
    assert access.can(cast.outsider, Action.VIEW_LOG, log)


def test_adding_a_participant_is_audited_in_the_logs_access_log(cast, log):
    event = AuditEvent.objects.get(action="participant.added")
    assert event.scope_code == log.code
    assert event.actor_name == "Kari Lunde"
    assert event.details == {"person": "Nina Fossum", "tjenestested": "Fjordvik helsestasjon"}


def test_someone_from_a_service_outside_the_consent_needs_new_or_extended_consent(cast, log, psychologist):
    with pytest.raises(ValidationError) as e:
        actions.add_participant(actor=cast.kari, log=log, person=psychologist, unit=cast.ppt)
    assert e.value.message_dict["unit"] == [
        "PPT er ikke med i samtykket. De foresatte må gi nytt eller utvidet samtykke "
        "før noen fra denne tjenesten kan bli med."
    ]
    assert not log.participants.filter(person=psychologist).exists()
    assert not access.can(psychologist, Action.VIEW_LOG, log)


def test_a_second_participant_from_the_same_unit_needs_a_reason(cast, log, doctor):
    with pytest.raises(ValidationError) as e:
        actions.add_participant(actor=cast.kari, log=log, person=doctor, unit=cast.health_station)
    assert e.value.message_dict["extra_reason"] == [
        "Det er allerede en deltaker fra Fjordvik helsestasjon. Skriv hvorfor det trengs én til."
    ]
    with pytest.raises(ValidationError, match="Skriv hvorfor"):
        actions.add_participant(actor=cast.kari, log=log, person=doctor, unit=cast.health_station, extra_reason="   ")
    assert log.participants.filter(removed_at__isnull=True).count() == 1


def test_a_second_participant_from_the_same_unit_is_allowed_with_a_reason(cast, log, doctor):
    p = actions.add_participant(
        actor=cast.kari, log=log, person=doctor, unit=cast.health_station, extra_reason=" Legen følger opp hørselen "
    )
    assert p.extra_reason == "Legen følger opp hørselen"
    assert access.can(doctor, Action.VIEW_LOG, log)


def test_a_removed_participants_place_can_be_taken_by_a_colleague(cast, log, doctor):
    actions.remove_participant(actor=cast.kari, participant=log.participants.get(person=cast.nina))
    actions.add_participant(actor=cast.kari, log=log, person=doctor, unit=cast.health_station)
    assert access.can(doctor, Action.VIEW_LOG, log)


def test_a_person_not_on_the_units_staff_list_is_refused(cast, log, psychologist):
    with pytest.raises(ValidationError) as e:
        actions.add_participant(actor=cast.kari, log=log, person=psychologist, unit=cast.health_station)
    assert e.value.message_dict["person"] == ["Pia Psykolog står ikke på ansattlisten ved Fjordvik helsestasjon."]


def test_a_person_whose_membership_has_ended_is_refused(cast, log, doctor):
    Membership.objects.filter(person=doctor).update(ended_on=timezone.localdate())
    with pytest.raises(ValidationError, match="står ikke på ansattlisten"):
        actions.add_participant(actor=cast.kari, log=log, person=doctor, unit=cast.health_station, extra_reason="x")


def test_a_guardian_cannot_be_added_as_a_participant(cast, log):
    with pytest.raises(ValidationError, match="står ikke på ansattlisten"):
        actions.add_participant(actor=cast.kari, log=log, person=cast.silje, unit=cast.kindergarten)


def test_the_holder_cannot_be_added_as_a_participant(cast, log):
    with pytest.raises(ValidationError) as e:
        actions.add_participant(actor=cast.kari, log=log, person=cast.kari, unit=cast.kindergarten)
    assert e.value.message_dict["person"] == ["Kari Lunde er stafettholder og har allerede tilgang."]


def test_a_participant_cannot_be_added_twice(cast, log):
    with pytest.raises(ValidationError, match="Nina Fossum er allerede deltaker"):
        actions.add_participant(actor=cast.kari, log=log, person=cast.nina, unit=cast.health_station, extra_reason="x")
    assert log.participants.filter(person=cast.nina).count() == 1


def test_no_participant_can_be_added_while_the_consent_is_expired(cast, log, doctor):
    Consent.objects.filter(log=log).update(
        valid_from=timezone.localdate() - timedelta(days=800), valid_until=timezone.localdate() - timedelta(days=1)
    )
    with pytest.raises(ValidationError, match="Forny samtykket før du legger til deltakere"):
        actions.add_participant(actor=cast.kari, log=log, person=doctor, unit=cast.health_station, extra_reason="x")


@pytest.mark.parametrize(
    ("who", "error"), [("nina", PermissionDenied), ("silje", PermissionDenied), ("berit", Http404)]
)
def test_only_the_holder_manages_participants(cast, log, doctor, who, error):
    with pytest.raises(error):
        actions.add_participant(
            actor=getattr(cast, who), log=log, person=doctor, unit=cast.health_station, extra_reason="x"
        )
    with pytest.raises(error):
        actions.remove_participant(actor=getattr(cast, who), participant=log.participants.get(person=cast.nina))
    assert log.participants.filter(removed_at__isnull=True).count() == 1


def test_removing_a_participant_ends_access_at_once_and_keeps_the_history(cast, log, nina_measure):
    participant = log.participants.get(person=cast.nina)
    actions.remove_participant(actor=cast.kari, participant=participant)
    participant.refresh_from_db()
    assert participant.removed_at is not None
    assert Participant.objects.filter(pk=participant.pk).exists()
    assert not access.can(cast.nina, Action.VIEW_LOG, log)
    with pytest.raises(Http404):
        actions.post_message(actor=cast.nina, log=log, text="Er jeg fortsatt med?")
    event = AuditEvent.objects.get(action="participant.removed")
    assert event.scope_code == log.code
    assert event.details == {"person": "Nina Fossum"}


def test_a_participant_cannot_be_removed_twice(cast, log):
    participant = log.participants.get(person=cast.nina)
    actions.remove_participant(actor=cast.kari, participant=participant)
    with pytest.raises(ValidationError, match="allerede fjernet"):
        actions.remove_participant(actor=cast.kari, participant=participant)
    assert AuditEvent.objects.filter(action="participant.removed").count() == 1


def test_a_removed_participant_can_be_invited_again(cast, log):
    actions.remove_participant(actor=cast.kari, participant=log.participants.get(person=cast.nina))
    actions.add_participant(actor=cast.kari, log=log, person=cast.nina, unit=cast.health_station)
    assert access.can(cast.nina, Action.VIEW_LOG, log)
    assert log.participants.filter(person=cast.nina).count() == 2


def test_a_participant_who_leaves_the_unit_she_was_invited_from_loses_access(cast, log):
    # seeds/001 §3: leaders keep the staff lists current, so that access follows the job.
    Membership.objects.filter(person=cast.nina, unit=cast.health_station).update(ended_on=timezone.localdate())
    assert not access.can(cast.nina, Action.VIEW_LOG, log)
