"""The person register: children and guardians, by national ID number (system administrators)."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from stafett.audit.models import AuditEvent
from stafett.core.demo_data import synthetic_national_id
from stafett.people import actions
from stafett.people.actions import PersonData
from stafett.people.models import Guardianship, Person

NEW_CHILD = synthetic_national_id(date(2018, 4, 1))


def test_system_admin_registers_a_child_with_birth_date_from_the_number(cast):
    person = actions.register_person(
        actor=cast.trude, data=PersonData(given_name="Mia", family_name="Berg", national_id=NEW_CHILD)
    )
    assert person.birth_date == date(2018, 4, 1)
    event = AuditEvent.objects.about(person).get()
    assert event.action == "person.registered"
    assert NEW_CHILD not in str(event.details)  # masked in the audit trail


def test_a_number_cannot_be_registered_twice(cast):
    with pytest.raises(ValidationError) as e:
        actions.register_person(
            actor=cast.trude, data=PersonData(given_name="X", family_name="Y", national_id=cast.emma.national_id)
        )
    assert "fødselsnummer" in str(e.value.message_dict).lower()


def test_leader_cannot_register_people(cast):
    with pytest.raises(PermissionDenied):
        actions.register_person(
            actor=cast.berit, data=PersonData(given_name="Mia", family_name="Berg", national_id=NEW_CHILD)
        )


def test_guardian_added_and_removed_is_audited_on_the_child(cast):
    g = actions.add_guardian(actor=cast.trude, child=cast.emma, guardian=cast.outsider)
    actions.remove_guardian(actor=cast.trude, guardianship=g)
    assert list(AuditEvent.objects.about(cast.emma).values_list("action", flat=True).order_by("id")) == [
        "guardian.added",
        "guardian.removed",
    ]


def test_guardian_cannot_be_added_twice_or_be_their_own_guardian(cast):
    with pytest.raises(ValidationError, match="allerede registrert"):
        actions.add_guardian(actor=cast.trude, child=cast.emma, guardian=cast.silje)
    with pytest.raises(ValidationError, match="sin egen"):
        actions.add_guardian(actor=cast.trude, child=cast.emma, guardian=cast.emma)


def test_search_by_national_id_uses_post_and_redirects_to_a_code_url(client, cast):
    client.force_login(cast.trude)
    response = client.post(reverse("people:person_search"), {"national_id": cast.emma.national_id})
    assert response.status_code == 302
    assert response.url == reverse("people:person_detail", args=[cast.emma.code])
    assert cast.emma.national_id not in response.url
    detail = client.get(response.url).content.decode()
    assert cast.emma.national_id not in detail  # shown masked
    assert cast.emma.national_id[:6] + " *****" in detail


def test_search_for_unknown_number_offers_registration(client, cast):
    client.force_login(cast.trude)
    response = client.post(reverse("people:person_search"), {"national_id": NEW_CHILD})
    assert "Ingen person har dette nummeret" in response.content.decode()


def test_register_form_explains_a_bad_number_in_norwegian(client, cast):
    client.force_login(cast.trude)
    response = client.post(
        reverse("people:person_register"), {"national_id": "12345678901", "given_name": "Mia", "family_name": "Berg"}
    )
    assert response.status_code == 400
    assert "Fødselsnummeret er ikke gyldig" in response.content.decode()
    assert not Person.objects.filter(given_name="Mia").exists()


def test_register_and_add_guardian_through_the_pages(client, cast):
    client.force_login(cast.trude)
    response = client.post(
        reverse("people:person_register"),
        {"national_id": NEW_CHILD, "given_name": "Mia", "family_name": "Berg", "postal_code": "9990"},
    )
    child = Person.objects.by_national_id(NEW_CHILD).get()
    assert response.url == reverse("people:person_detail", args=[child.code])
    response = client.post(
        reverse("people:guardian_add", args=[child.code]), {"national_id": cast.silje.national_id, "kind": "forelder"}
    )
    assert response.status_code == 302
    assert Guardianship.objects.filter(child=child, guardian=cast.silje).exists()
    confirm = client.get(reverse("people:guardian_remove", args=[child.code, cast.silje.code]))
    assert "Fjerne Silje Hansen som foresatt?" in confirm.content.decode()
    client.post(reverse("people:guardian_remove", args=[child.code, cast.silje.code]))
    assert not Guardianship.objects.filter(child=child, guardian=cast.silje).exists()


def test_adding_an_unknown_guardian_says_register_first(client, cast):
    client.force_login(cast.trude)
    response = client.post(
        reverse("people:guardian_add", args=[cast.emma.code]), {"national_id": NEW_CHILD, "kind": "forelder"}
    )
    assert response.status_code == 400
    assert "Registrer personen først" in response.content.decode()


@pytest.mark.parametrize("who", ["berit", "kari", "silje", "randi", "outsider"])
def test_only_system_admins_reach_the_person_register(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("people:person_search")).status_code == 403
    assert client.get(reverse("people:person_detail", args=[cast.emma.code])).status_code == 403


def test_national_id_is_not_in_error_reports(client, cast):
    # sensitive_post_parameters keeps numbers out of Django's error e-mails and pages.
    client.force_login(cast.trude)
    response = client.post(reverse("people:person_search"), {"national_id": cast.emma.national_id})
    assert response.wsgi_request.sensitive_post_parameters == ("national_id",)
