"""The full role × action matrix for organisation data (stafett/access.py)."""

import pytest

from stafett import access
from stafett.access import POLICY, Action

YES, NO = True, False

# who → (on the kindergarten: view staff, manage staff), (installation: manage people, admin)
EXPECTED = {
    "berit": ((YES, YES), (NO, NO)),  # leader of the kindergarten
    "kari": ((YES, NO), (NO, NO)),  # employee there
    "nina": ((NO, NO), (NO, NO)),  # staff at another unit
    "trude": ((YES, YES), (YES, YES)),  # system administrator, same municipality
    "randi": ((NO, NO), (NO, NO)),  # superuser: templates, not people
    "ola_admin": ((NO, NO), (YES, YES)),  # system administrator of another municipality
    "silje": ((NO, NO), (NO, NO)),  # guardian
    "outsider": ((NO, NO), (NO, NO)),
}


@pytest.mark.parametrize("who", EXPECTED)
def test_access_matrix_for_organisation_data(cast, who):
    person = getattr(cast, who)
    (view_staff, manage_staff), (manage_people, use_admin) = EXPECTED[who]
    assert access.can(person, Action.VIEW_STAFF, cast.kindergarten) is view_staff
    assert access.can(person, Action.MANAGE_STAFF, cast.kindergarten) is manage_staff
    assert access.can(person, Action.MANAGE_PEOPLE) is manage_people
    assert access.can(person, Action.USE_ADMIN) is use_admin


def test_every_action_is_in_the_policy_exactly_once():
    seen = [action for actions in POLICY.values() for action in actions]
    assert sorted(seen) == sorted(Action)


def test_system_admin_of_another_municipality_manages_a_shared_service_that_serves_it(cast):
    # PPT serves both Fjordvik and Nabodal (issue 2: shared services).
    assert access.can(cast.ola_admin, Action.MANAGE_STAFF, cast.ppt)
    assert not access.can(cast.ola_admin, Action.MANAGE_STAFF, cast.kindergarten)


def test_ended_membership_gives_no_access(cast):
    from django.utils import timezone

    membership = cast.kari.memberships.get()
    membership.ended_on = timezone.localdate()
    membership.save()
    assert not access.can(cast.kari, Action.VIEW_STAFF, cast.kindergarten)


def test_anonymous_has_no_relations():
    from django.contrib.auth.models import AnonymousUser

    assert access.relations_to(AnonymousUser(), None) == set()


def test_access_matrix_command_prints_markdown_table(capsys):
    from django.core.management import call_command

    call_command("access_matrix")
    out = capsys.readouterr().out
    assert "| Handling |" in out
    assert "Endre ansattlisten" in out
    assert out.count("\n|") >= len(Action) + 1


# Issue 15 §7–§8: the two narrow relations and exactly what each may do with a log.
NARROW = {
    access.Relation.ASSISTED_GUARDIAN: {Action.VIEW_AS_ASSISTED_GUARDIAN},
    access.Relation.FORMER_HOLDER: {Action.VIEW_LOG},
}


@pytest.mark.parametrize("relation", NARROW, ids=lambda r: r.value)
def test_the_narrow_relations_have_exactly_their_own_actions(relation):
    allowed = {action for action, relations in POLICY[access.Target.LOG].items() if relation in relations}
    assert allowed == NARROW[relation]


def test_only_the_assisted_guardian_reads_with_a_code_and_only_the_holder_assists():
    log_policy = POLICY[access.Target.LOG]
    assert log_policy[Action.VIEW_AS_ASSISTED_GUARDIAN] == {access.Relation.ASSISTED_GUARDIAN}
    assert log_policy[Action.ASSIST_GUARDIAN] == {access.Relation.HOLDER}
    assert access.Relation.ASSISTED_GUARDIAN not in log_policy[Action.VIEW_LOG]


def test_a_former_holder_reads_but_is_on_no_recipient_list():
    assert access.Relation.FORMER_HOLDER in access.relations_for(Action.VIEW_LOG)
    assert access.Relation.FORMER_HOLDER in access.SILENT_READERS


def test_the_assisted_guardians_relation_is_not_the_guardians(cast):
    # A guardian with BankID reads the log as GUARDIAN; the code page asks only for ASSISTED_GUARDIAN.
    from stafett.logs.actions import assisted
    from stafett.logs.actions.opening import open_log
    from tests.logs.conftest import SERVICES, pdf_upload

    log = open_log(
        actor=cast.kari,
        subject=cast.emma,
        unit=cast.kindergarten,
        consent=_consent(cast, SERVICES, pdf_upload()),
        initiator_text="Test",
        initiated_by="Test",
    )
    assert access.can(cast.silje, Action.VIEW_LOG, log)
    assert not access.assisted_guardian_may_read(cast.silje, log)
    assisted.register_assisted_guardian(actor=cast.kari, log=log, guardian=cast.silje, reason="Ingen BankID")
    assert access.assisted_guardian_may_read(cast.silje, log)
    assert not access.assisted_guardian_may_read(cast.outsider, log)


def _consent(cast, services, document):
    from stafett.logs.actions import ConsentData

    return ConsentData(
        services=list(services), signatories=[cast.silje], document=document, collected_at_unit=cast.kindergarten
    )
