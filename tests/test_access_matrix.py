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
