"""Reported access bugs, as rules (SPEC §3–§4). Written before the fix: each fails on the
code that had the bug and passes once access is a continuous rule that nobody can grant
themselves.

- Narrowing, expiry or withdrawal of the consent ends a participant's access at once.
- Nobody grants access to themselves; a proposed holder sees only what they need to decide.
- Admin roles are not employee roles.
- Every list (start page, tasks, readable_logs) agrees with can().
- The receiving principal's rule lives in the policy, not beside it.
"""

import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from stafett import access
from stafett.access import Action, Relation, Target
from stafett.audit.models import AuditEvent
from stafett.logs import actions, queries
from stafett.logs import models as log_models
from stafett.logs.guardians import link_guardian
from stafett.logs.models import CloseReason, Consent, Handover, Participant, RelayLog
from stafett.notify.models import Notification
from stafett.people import actions as people_actions
from stafett.people.actions import PersonData, StaffEntry
from stafett.people.models import Membership, Person, Role
from tests.conftest import make_person

GOAL_TEXT = "Emma forteller om dagen sin hjemme"
MEASURE_TEXT = "Lese bildebok hver kveld"


def log_url(log: RelayLog) -> str:
    return reverse("logs:detail", args=[log.code])


def notifications_to(person: Person) -> int:
    return Notification.objects.filter(recipient=person).count()


def names(event: AuditEvent, person: Person, obj: object = None) -> bool:
    """The audit row is about `obj`, or names the person in its details."""
    if obj is not None and event.object_code == str(getattr(obj, "code", "")):
        return True
    return person.full_name in json.dumps(event.details, ensure_ascii=False)


def fresh(log: RelayLog) -> RelayLog:
    return RelayLog.objects.get(pk=log.pk)


@pytest.fixture(autouse=True)
def archive_dir(settings, tmp_path):
    settings.ARCHIVE_DIR = tmp_path / "arkiv"
    return settings.ARCHIVE_DIR


@pytest.fixture
def colleague(cast) -> Person:
    """Another employee at the kindergarten, who can be proposed as holder."""
    per = make_person("Per", "Berg", email="per.berg@fjordvik.example")
    Membership.objects.create(person=per, unit=cast.kindergarten, role=Role.EMPLOYEE, title="barnehagelærer")
    return per


# --- 1. Narrowing the consent ends access ---------------------------------------------------


def test_participant_loses_access_when_consent_no_longer_covers_their_service(client, cast, log, make_consent):
    actions.renew_consent(actor=cast.kari, log=log, consent=make_consent(services=["barnehage", "skole"]))
    log = fresh(log)

    assert not access.can(cast.nina, Action.VIEW_LOG, log)
    client.force_login(cast.nina)
    assert client.get(log_url(log)).status_code == 404
    assert "helsestasjon" not in log_models.current_consent(log).services


def test_participant_cut_off_by_narrowed_consent_is_removed_logged_and_the_holder_is_told(cast, log, make_consent):
    told_before = notifications_to(cast.kari)
    actions.renew_consent(actor=cast.kari, log=log, consent=make_consent(services=["barnehage", "skole"]))

    participant = Participant.objects.get(log=log, person=cast.nina)
    assert participant.removed_at is not None
    lost = AuditEvent.objects.filter(scope_code=log.code, action="participant.lost_access")
    assert any(names(event, cast.nina, participant) for event in lost), list(lost.values("object_code", "details"))
    assert notifications_to(cast.kari) > told_before


def test_reopened_log_keeps_only_participants_the_new_consent_covers(cast, log, make_consent):
    actions.close_log(actor=cast.kari, log=log, reason=CloseReason.GOALS_MET)
    actions.reopen_log(actor=cast.kari, log=fresh(log), consent=make_consent(services=["barnehage"]))
    log = fresh(log)

    active = log.participants.filter(removed_at__isnull=True).select_related("unit")
    assert not active.filter(person=cast.nina).exists()
    assert not access.can(cast.nina, Action.VIEW_LOG, log)
    covered = set(log_models.current_consent(log).services)
    assert {p.unit.service_type for p in active} <= covered


# --- 2. Nobody proposes themselves; a proposed holder sees only what they need ---------------


def test_a_leader_cannot_propose_herself_as_holder(cast, log):
    with pytest.raises(ValidationError):
        actions.propose_handover(actor=cast.berit, log=log, to=cast.berit, unit=cast.kindergarten)
    assert not Handover.objects.filter(to_person=cast.berit).exists()


def test_the_handover_page_does_not_offer_the_leader_herself_and_refuses_her(client, cast, log):
    url = reverse("logs:propose_handover", args=[log.code])
    herself = f"{cast.berit.code}:{cast.kindergarten.code}"
    client.force_login(cast.berit)

    page = client.get(url)
    assert page.status_code == 200
    assert herself not in page.content.decode()

    assert client.post(url, {"member": herself, "note": ""}).status_code == 400
    assert not Handover.objects.filter(to_person=cast.berit).exists()
    assert client.get(log_url(log)).status_code == 404


def test_a_proposed_holder_does_not_read_the_log_until_she_accepts(client, cast, log, colleague):
    handover = actions.propose_handover(actor=cast.kari, log=log, to=colleague, unit=cast.kindergarten)
    client.force_login(colleague)
    assert not access.can(colleague, Action.VIEW_LOG, log)
    assert client.get(log_url(log)).status_code == 404

    response = client.post(reverse("logs:answer_handover", args=[handover.code]), {"accept": "1"})
    assert response.status_code == 302
    assert client.get(log_url(log)).status_code == 200


def test_the_handover_answer_page_shows_what_is_needed_to_decide_and_no_plan_content(client, cast, log, colleague):
    note = "Du kjenner Emma fra avdelingen"
    handover = actions.propose_handover(actor=cast.kari, log=log, to=colleague, unit=cast.kindergarten, note=note)
    client.force_login(colleague)
    response = client.get(reverse("logs:answer_handover", args=[handover.code]))
    assert response.status_code == 200
    page = response.content.decode()

    assert cast.emma.given_name in page
    assert cast.kindergarten.name in page
    assert f"nivå {log.level}" in page.lower(), "the log's level is shown"
    assert cast.kari.full_name in page
    assert note in page
    assert GOAL_TEXT not in page
    assert MEASURE_TEXT not in page
    assert "Hørselstest på helsestasjonen" not in page


def test_a_proposed_holder_may_answer_the_handover_but_not_read_the_log(cast, log, colleague):
    actions.propose_handover(actor=cast.kari, log=log, to=colleague, unit=cast.kindergarten)
    assert Relation.PROPOSED_HOLDER not in access.POLICY[Target.LOG][Action.VIEW_LOG]
    assert Relation.PROPOSED_HOLDER in access.POLICY[Target.LOG][Action.ANSWER_HANDOVER]
    assert access.can(colleague, Action.ANSWER_HANDOVER, log)
    assert not access.can(colleague, Action.VIEW_LOG, log)


# --- 3. A system administrator cannot grant herself access -----------------------------------


def test_a_system_administrator_cannot_put_herself_on_a_staff_list(cast):
    trude = cast.trude
    entry = StaffEntry(PersonData(trude.given_name, trude.family_name, email=trude.email), role=Role.LEADER)
    with pytest.raises(ValidationError):
        people_actions.add_staff(actor=trude, unit=cast.kindergarten, entry=entry)
    assert not Membership.objects.filter(person=trude, unit=cast.kindergarten).exists()


def test_a_system_administrator_cannot_end_her_own_membership(cast):
    own = Membership.objects.get(person=cast.trude, unit=cast.admin_office)
    with pytest.raises(ValidationError):
        people_actions.end_membership(actor=cast.trude, membership=own)
    own.refresh_from_db()
    assert own.ended_on is None


def test_a_system_administrator_cannot_link_herself_as_guardian(cast):
    with pytest.raises(ValidationError):
        people_actions.add_guardian(actor=cast.trude, child=cast.emma, guardian=cast.trude)
    assert not cast.emma.guardianships.filter(guardian=cast.trude).exists()


def test_the_unit_leader_is_told_when_the_administrator_adds_a_new_leader(cast):
    told_before = notifications_to(cast.berit)
    entry = StaffEntry(PersonData("Lise", "Moe", email="lise.moe@fjordvik.example"), role=Role.LEADER)
    people_actions.add_staff(actor=cast.trude, unit=cast.kindergarten, entry=entry)
    assert notifications_to(cast.berit) > told_before


def test_holder_and_guardian_are_told_and_the_access_log_shows_when_a_guardian_is_linked(cast, log):
    kari_before, silje_before = notifications_to(cast.kari), notifications_to(cast.silje)
    link_guardian(actor=cast.trude, child=cast.emma, guardian=cast.outsider)

    assert notifications_to(cast.kari) > kari_before
    assert notifications_to(cast.silje) > silje_before
    linked = queries.access_log(log).filter(action="guardian.linked")
    assert linked.exists()
    assert all(event.scope_code == log.code for event in linked)


# --- 4. Admin roles are not employees ---------------------------------------------------------


@pytest.mark.parametrize(("who", "role"), [("trude", Role.SYSTEM_ADMIN), ("randi", Role.SUPERUSER)])
def test_an_admin_role_at_a_unit_does_not_make_someone_an_employee_there(cast, who, role):
    person = getattr(cast, who)
    Membership.objects.create(person=person, unit=cast.kindergarten, role=role, title="administrasjon")
    assert not access.can(person, Action.OPEN_LOG, cast.kindergarten)
    assert not access.can(person, Action.WRITE_NOTE, cast.kindergarten)


# --- 5. Lists agree with can() ----------------------------------------------------------------


def expire_consent(log: RelayLog) -> None:
    today = timezone.localdate()
    Consent.objects.filter(log=log).update(
        valid_from=today - timedelta(days=800), valid_until=today - timedelta(days=1)
    )


def test_a_log_whose_consent_has_expired_is_not_listed_for_its_participant(client, cast, log):
    expire_consent(log)
    assert not access.can(cast.nina, Action.VIEW_LOG, log)

    client.force_login(cast.nina)
    assert log_url(log) not in client.get("/").content.decode()
    assert log not in access.readable_logs(cast.nina)


def test_readable_logs_lists_exactly_the_logs_can_lets_each_person_read(cast, log, youth_log):
    people = [getattr(cast, name) for name in ("berit", "kari", "nina", "trude", "randi", "silje", "emma", "jonas")]
    people.append(cast.outsider)

    def check() -> None:
        logs = [fresh(log), fresh(youth_log)]
        for person in people:
            expected = {x.pk for x in logs if access.can(person, Action.VIEW_LOG, x)}
            assert set(access.readable_logs(person).values_list("pk", flat=True)) == expected, person.full_name

    check()
    expire_consent(log)
    check()


def test_tasks_leave_out_a_measure_given_to_a_child_under_the_youth_age(client, cast, log, make_measure_data):
    goal = log.goals.get(text=GOAL_TEXT)
    actions.add_measure(actor=cast.kari, goal=goal, data=make_measure_data(cast.emma, what="Emma tegner familien"))
    assert not access.can(cast.emma, Action.VIEW_LOG, log)

    client.force_login(cast.emma)
    assert "Emma tegner familien" not in client.get("/").content.decode()

    client.force_login(cast.silje)  # the guardian's own measure is still her task
    assert MEASURE_TEXT in client.get("/").content.decode()


def test_a_youth_with_rights_sees_his_own_log_on_the_start_page(client, cast, youth_log):
    assert access.can(cast.jonas, Action.VIEW_LOG, youth_log)
    client.force_login(cast.jonas)
    page = client.get("/").content.decode()
    assert log_url(youth_log) in page
    assert "Du har ingen roller i Stafett ennå" not in page


def test_a_handover_is_refused_while_the_only_consent_has_not_started_yet(cast, log, colleague):
    today = timezone.localdate()
    Consent.objects.filter(log=log).update(
        valid_from=today + timedelta(days=10), valid_until=today + timedelta(days=400)
    )
    with pytest.raises(ValidationError):
        actions.propose_handover(actor=cast.kari, log=log, to=colleague, unit=cast.kindergarten)
    assert not Handover.objects.filter(log=log).exists()


# --- 6. The transition principal's rule is in the policy --------------------------------------


def test_the_receiving_principal_adding_the_contact_teacher_is_a_rule_in_the_policy():
    assert Relation.RECEIVING_PRINCIPAL in access.POLICY[Target.LOG][Action.ADD_CONTACT_TEACHER]


def test_the_access_matrix_shows_who_may_add_the_contact_teacher():
    out = StringIO()
    call_command("access_matrix", stdout=out)
    matrix = out.getvalue()
    assert Action.ADD_CONTACT_TEACHER.label in matrix
    assert Relation.RECEIVING_PRINCIPAL.label in matrix
