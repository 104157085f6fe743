"""Staff lists: leaders keep them current (seeds/001 §3)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from stafett.audit.models import AuditEvent
from stafett.people import actions
from stafett.people.actions import PersonData, StaffEntry
from stafett.people.models import Membership, Person, Role


def entry(given="Tor", family="Aasen", email="tor.aasen@fjordvik.example", role=Role.EMPLOYEE, title="barnehagelærer"):
    return StaffEntry(person=PersonData(given_name=given, family_name=family, email=email), role=role, title=title)


def staff_url(cast, name="people:staff", *args):
    return reverse(name, args=[cast.kindergarten.code, *args])


def test_leader_adds_a_new_person_to_the_staff_list_and_it_is_audited(cast):
    membership = actions.add_staff(actor=cast.berit, unit=cast.kindergarten, entry=entry())
    assert membership.person.full_name == "Tor Aasen"
    assert membership.person.email == "tor.aasen@fjordvik.example"
    event = AuditEvent.objects.about(cast.kindergarten).get(action="staff.added")
    assert event.actor_name == "Berit Solheim"
    assert event.details["person"] == "Tor Aasen"
    assert AuditEvent.objects.about(membership.person).get().action == "person.registered"


def test_adding_someone_already_known_by_email_reuses_the_person(cast):
    actions.add_staff(actor=cast.trude, unit=cast.health_station, entry=entry(email="KARI.LUNDE@fjordvik.example"))
    assert Person.objects.filter(email__iexact="kari.lunde@fjordvik.example").count() == 1
    assert cast.kari.memberships.count() == 2


def test_leader_cannot_hand_out_the_system_administrator_role(cast):
    with pytest.raises(ValidationError, match="Bare systemansvarlig"):
        actions.add_staff(actor=cast.berit, unit=cast.kindergarten, entry=entry(role=Role.SYSTEM_ADMIN))
    assert not Person.objects.filter(email="tor.aasen@fjordvik.example").exists()


def test_system_administrator_can_hand_out_any_role(cast):
    m = actions.add_staff(actor=cast.trude, unit=cast.kindergarten, entry=entry(role=Role.SUPERUSER))
    assert m.role == Role.SUPERUSER


def test_the_same_person_and_role_cannot_be_listed_twice(cast):
    with pytest.raises(ValidationError, match="allerede på ansattlisten"):
        actions.add_staff(actor=cast.berit, unit=cast.kindergarten, entry=entry(email="kari.lunde@fjordvik.example"))


def test_employee_cannot_change_the_staff_list(cast):
    with pytest.raises(PermissionDenied):
        actions.add_staff(actor=cast.kari, unit=cast.kindergarten, entry=entry())


def test_staff_of_another_unit_is_told_the_list_does_not_exist(cast):
    with pytest.raises(Http404):
        actions.add_staff(actor=cast.nina, unit=cast.kindergarten, entry=entry())


def test_ending_a_membership_removes_access_at_once_and_keeps_history(cast):
    membership = cast.kari.memberships.get()
    actions.end_membership(actor=cast.berit, membership=membership)
    membership.refresh_from_db()
    assert membership.ended_on is not None
    assert not Membership.objects.active().filter(person=cast.kari).exists()
    assert AuditEvent.objects.about(cast.kindergarten).filter(action="staff.ended").count() == 1


def test_nobody_takes_themself_off_the_staff_list(cast):
    # SPEC §3: nobody changes their own memberships or roles — and the only leader cannot lock the unit out.
    with pytest.raises(ValidationError, match="deg selv"):
        actions.end_membership(actor=cast.berit, membership=cast.berit.memberships.get())


def test_a_membership_cannot_be_ended_twice(cast):
    membership = cast.kari.memberships.get()
    actions.end_membership(actor=cast.berit, membership=membership)
    with pytest.raises(ValidationError, match="allerede"):
        actions.end_membership(actor=cast.berit, membership=membership)


# --- Views ---------------------------------------------------------------


def test_outsider_gets_404_on_every_staff_page(client, cast):
    client.force_login(cast.nina)
    kari_membership = cast.kari.memberships.get()
    assert client.get(staff_url(cast)).status_code == 404
    assert client.post(staff_url(cast, "people:staff_add"), {}).status_code == 404
    assert client.get(staff_url(cast, "people:staff_import")).status_code == 404
    assert client.get(staff_url(cast, "people:staff_end", kari_membership.code)).status_code == 404


def test_employee_can_read_the_list_but_gets_403_on_writes(client, cast):
    client.force_login(cast.kari)
    response = client.get(staff_url(cast))
    assert response.status_code == 200
    assert "Legg til ansatt" not in response.content.decode()
    assert client.post(staff_url(cast, "people:staff_add"), {}).status_code == 403
    assert client.post(staff_url(cast, "people:staff_end", cast.berit.memberships.get().code)).status_code == 403


def test_anonymous_is_sent_to_login(client, cast):
    response = client.get(staff_url(cast))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_wrong_method_gets_405(client, cast):
    client.force_login(cast.berit)
    assert client.get(staff_url(cast, "people:staff_add")).status_code == 405
    assert client.post(staff_url(cast)).status_code == 405


def test_unknown_unit_is_404(client, cast):
    client.force_login(cast.berit)
    assert client.get(reverse("people:staff", args=["00000000-0000-0000-0000-000000000000"])).status_code == 404


def test_leader_adds_staff_through_the_form(client, cast):
    client.force_login(cast.berit)
    response = client.post(
        staff_url(cast, "people:staff_add"),
        {
            "given_name": "Tor",
            "family_name": "Aasen",
            "email": "tor@fjordvik.example",
            "role": "ansatt",
            "title": "assistent",
        },
        follow=True,
    )
    assert "Tor Aasen er lagt til på ansattlisten." in response.content.decode()
    assert Membership.objects.active().filter(unit=cast.kindergarten, person__email="tor@fjordvik.example").exists()


def test_htmx_add_returns_the_staff_section_only(client, cast):
    client.force_login(cast.berit)
    response = client.post(
        staff_url(cast, "people:staff_add"),
        {"given_name": "Tor", "family_name": "Aasen", "email": "tor@fjordvik.example", "role": "ansatt"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert '<div id="ansatte">' in html and "<html" not in html
    assert "Tor Aasen" in html


def test_bad_form_input_gets_norwegian_messages_and_changes_nothing(client, cast):
    client.force_login(cast.berit)
    before = Membership.objects.count()
    response = client.post(
        staff_url(cast, "people:staff_add"), {"given_name": "", "email": "ikke-epost", "role": "ansatt"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Feltet er påkrevet." in html
    assert "Oppgi en gyldig e-postadresse" in html
    assert Membership.objects.count() == before


def test_end_membership_asks_for_confirmation_first(client, cast):
    client.force_login(cast.berit)
    membership = cast.kari.memberships.get()
    response = client.get(staff_url(cast, "people:staff_end", membership.code))
    assert response.status_code == 200
    assert "Ta Kari Lunde av ansattlisten?" in response.content.decode()
    membership.refresh_from_db()
    assert membership.ended_on is None
    client.post(staff_url(cast, "people:staff_end", membership.code))
    membership.refresh_from_db()
    assert membership.ended_on is not None


def test_staff_list_uses_a_fixed_number_of_queries(client, cast, django_assert_max_num_queries):
    client.force_login(cast.berit)
    client.get(staff_url(cast))  # warm the session
    with django_assert_max_num_queries(12) as few:
        client.get(staff_url(cast))
    for i in range(15):
        actions.add_staff(
            actor=cast.berit, unit=cast.kindergarten, entry=entry(given=f"Ansatt{i}", email=f"a{i}@x.example")
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(staff_url(cast))
    assert "Ansatt14" in response.content.decode()
