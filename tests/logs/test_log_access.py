"""Who may do what with a relay log (SPEC §3, §4): the full role × action matrix, written out by hand."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from stafett import access
from stafett.access import POLICY, Action, Relation, Target
from stafett.logs import actions
from stafett.logs.models import LogStatus, RelayLog

Y, N = True, False
A = Action

# The columns of the table below, in this order.
COLUMNS = [
    A.VIEW_LOG,
    A.EDIT_PLAN,
    A.MANAGE_PARTICIPANTS,
    A.COMMENT,
    A.EVALUATE_OWN_MEASURE,
    A.EVALUATE_ANY_MEASURE,
    A.POST_MESSAGE,
    A.VIEW_ACCESS_LOG,
    A.DOWNLOAD_DOCUMENT,
    A.EXPORT,
    A.WITHDRAW_CONSENT,
    A.RENEW_CONSENT,
    A.HAND_OVER,
    A.CLOSE_LOG,
    A.SHIELD_FROM_GUARDIANS,
    A.CHILD_WELFARE_DATES,
    A.ANSWER_HANDOVER,
    A.ADD_CONTACT_TEACHER,
    A.SEE_TRANSITION_NOTICE,
    A.MAKE_INDIVIDUAL_PLAN,
    A.ASSIST_GUARDIAN,
    A.VIEW_AS_ASSISTED_GUARDIAN,
]

# (who, on which log) → may they, column by column (SPEC §3), on an active log with valid consent.
# fmt: off
EXPECTED = {
    # view, edit plan, participants, comment, evaluate own, evaluate any, message,
    # access log, document, export, withdraw, renew, hand over, close, shield from guardians (SPEC §7),
    # child welfare's dates (holder, or a participant from child welfare),
    # answer a handover (only the proposed holder), add the contact teacher, see a transition notice,
    # turn the log into an individual plan (the holder only),
    # assist a guardian without BankID (the holder only), read with a one-time code (issue 15 §7)
    ("kari", "log"):        (Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, Y, N, Y, Y, Y, Y, N),  # holder
    ("nina", "log"):        (Y, N, N, Y, Y, N, Y, N, N, N, N, N, N, N, Y, N, N, N, N, N, N, N),  # participant
    ("silje", "log"):       (Y, N, N, Y, Y, Y, Y, Y, Y, Y, Y, N, N, N, N, N, N, N, N, N, N, N),  # guardian
    ("jonas", "youth_log"): (Y, N, N, Y, Y, N, Y, Y, Y, Y, Y, N, N, N, N, N, N, N, N, N, N, N),  # youth of 16, own log
    ("emma", "log"):        (N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N),  # child, no rights yet
    ("berit", "log"):       (N, N, N, N, N, N, N, N, N, N, N, N, Y, N, N, N, N, N, N, N, N, N),  # leader: proposes
    ("trude", "log"):       (N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N),  # system administrator
    ("randi", "log"):       (N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N),  # superuser
    ("ola_admin", "log"):   (N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N),  # sysadmin elsewhere
    ("outsider", "log"):    (N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N),  # citizen
    ("nina", "youth_log"):  (N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N, N),  # not invited here
    ("silje", "youth_log"): (Y, N, N, Y, Y, Y, Y, Y, Y, Y, Y, N, N, N, N, N, N, N, N, N, N, N),  # guardian of the youth
}
# fmt: on


@pytest.fixture
def assisted_log(cast, log):
    from stafett.logs.actions.assisted import register_assisted_guardian

    register_assisted_guardian(actor=cast.kari, log=log, guardian=cast.silje, reason="Har ikke BankID")
    return log


@pytest.fixture
def former_holder_log(cast, log):
    handover = actions.propose_handover(actor=cast.kari, log=log, to=cast.nina, unit=cast.health_station)
    actions.accept_handover(actor=cast.nina, handover=handover, old_holder_passive=True)
    return RelayLog.objects.get(pk=log.pk)


# Issue 15 §7–§8: the narrow relations, row by row like the table.
NARROW_ROWS = {
    # A guardian registered without BankID keeps the guardian's own rights when signed in; the
    # code adds only the code reading.
    ("silje", "assisted_log"): {A.VIEW_AS_ASSISTED_GUARDIAN}
    | {a for a, y in zip(COLUMNS, EXPECTED[("silje", "log")], strict=True) if y},
    ("kari", "former_holder_log"): {A.VIEW_LOG},  # the passive old holder: reads the history, nothing else
    ("nina", "former_holder_log"): {a for a, y in zip(COLUMNS, EXPECTED[("kari", "log")], strict=True) if y},
}


@pytest.mark.parametrize(("who", "which"), NARROW_ROWS, ids=[f"{who}-{which}" for who, which in NARROW_ROWS])
def test_the_narrow_relations_in_the_matrix(cast, request, who, which):
    target = request.getfixturevalue(which)
    assert {a for a in COLUMNS if access.can(getattr(cast, who), a, target)} == NARROW_ROWS[(who, which)]


def test_the_table_covers_every_log_action():
    assert set(COLUMNS) == set(POLICY[Target.LOG])
    assert len(COLUMNS) == len(set(COLUMNS))


@pytest.mark.parametrize(("who", "which"), EXPECTED, ids=[f"{who}-{which}" for who, which in EXPECTED])
def test_role_by_action_matrix_for_a_log(cast, request, who, which):
    person = getattr(cast, who)
    target = request.getfixturevalue(which)
    actual = tuple(access.can(person, action, target) for action in COLUMNS)
    expected = EXPECTED[(who, which)]
    wrong = {a.value: (e, g) for a, e, g in zip(COLUMNS, expected, actual, strict=True) if e != g}
    assert wrong == {}, "action: (expected, got)"


def test_allowed_actions_for_templates_agree_with_can(cast, log):
    assert access.allowed_actions(cast.nina, log) == {
        A.VIEW_LOG,
        A.COMMENT,
        A.EVALUATE_OWN_MEASURE,
        A.POST_MESSAGE,
        A.SHIELD_FROM_GUARDIANS,
    }


@pytest.mark.parametrize(
    ("who", "which", "relations"),
    [
        ("kari", "log", {Relation.HOLDER}),
        ("nina", "log", {Relation.PARTICIPANT}),
        ("silje", "log", {Relation.GUARDIAN}),
        ("emma", "log", {Relation.CHILD}),
        ("jonas", "youth_log", {Relation.YOUTH}),
        ("berit", "log", {Relation.UNIT_LEADER}),
        # The admin roles have no relation to any log: they never read content (SPEC §3).
        ("trude", "log", set()),
        ("randi", "log", set()),
        ("outsider", "log", set()),
    ],
)
def test_each_person_has_exactly_the_expected_relation_to_the_log(cast, request, who, which, relations):
    assert access.relations_to(getattr(cast, who), request.getfixturevalue(which)) == relations


def test_a_youth_of_15_is_a_child_without_rights_on_his_log(cast, youth_log):
    with time_machine.travel(datetime(2025, 12, 1, 12, tzinfo=ZoneInfo("Europe/Oslo")), tick=False):
        assert access.relations_to(cast.jonas, youth_log) == {Relation.CHILD}
        assert not access.can(cast.jonas, A.VIEW_LOG, youth_log)


def test_the_youth_gets_rights_on_his_16th_birthday(cast, youth_log):
    with time_machine.travel(datetime(2026, 1, 5, 8, tzinfo=ZoneInfo("Europe/Oslo")), tick=False):
        assert access.can(cast.jonas, A.VIEW_LOG, youth_log)


# --- Losing access ---------------------------------------------------------------------


def after_consent_expires(log):
    day_after = log.consents.get().valid_until + timedelta(days=1)
    return time_machine.travel(datetime.combine(day_after, time(12), tzinfo=ZoneInfo("Europe/Oslo")), tick=False)


def test_a_removed_participant_loses_access_at_once(cast, log):
    participant = log.participants.get(person=cast.nina)
    actions.remove_participant(actor=cast.kari, participant=participant)
    assert not access.can(cast.nina, A.VIEW_LOG, log)
    with pytest.raises(Http404):
        access.require(cast.nina, A.VIEW_LOG, log)


def test_participants_lose_access_when_the_consent_expires(cast, log):
    assert access.can(cast.nina, A.VIEW_LOG, log)
    with after_consent_expires(log):
        assert not access.can(cast.nina, A.VIEW_LOG, log)
        assert not access.can(cast.nina, A.POST_MESSAGE, log)
        with pytest.raises(Http404):
            access.require(cast.nina, A.VIEW_LOG, log)


def test_participants_have_access_on_the_last_day_of_the_consent(cast, log):
    last_day = log.consents.get().valid_until
    with time_machine.travel(datetime.combine(last_day, time(23, 30), tzinfo=ZoneInfo("Europe/Oslo")), tick=False):
        assert access.can(cast.nina, A.VIEW_LOG, log)


def test_holder_and_guardian_keep_read_access_when_the_consent_expires(cast, log):
    with after_consent_expires(log):
        assert access.can(cast.kari, A.VIEW_LOG, log)
        assert access.can(cast.kari, A.RENEW_CONSENT, log)
        assert access.can(cast.silje, A.VIEW_LOG, log)
        assert access.can(cast.silje, A.VIEW_ACCESS_LOG, log)


def test_a_youth_keeps_read_access_when_the_consent_expires(cast, youth_log):
    with after_consent_expires(youth_log):
        assert access.can(cast.jonas, A.VIEW_LOG, youth_log)


def test_participants_lose_access_when_the_consent_is_withdrawn(cast, log):
    consent = log.consents.get()
    consent.withdrawn_at = timezone.now()
    consent.save()
    assert not access.can(cast.nina, A.VIEW_LOG, log)


@pytest.mark.parametrize("status", [LogStatus.PASSIVE, LogStatus.CLOSED, LogStatus.AWAITING_CONSENT])
def test_participants_have_no_access_to_a_log_that_is_not_active(cast, log, status):
    RelayLog.objects.filter(pk=log.pk).update(status=status)
    log.refresh_from_db()
    assert not access.can(cast.nina, A.VIEW_LOG, log)


@pytest.mark.parametrize("who", ["kari", "silje"])
def test_holder_and_guardian_still_read_a_passive_log(cast, log, who):
    RelayLog.objects.filter(pk=log.pk).update(status=LogStatus.PASSIVE)
    log.refresh_from_db()
    person = getattr(cast, who)
    assert access.can(person, A.VIEW_LOG, log)
    assert access.can(person, A.EXPORT, log)
    assert access.can(person, A.VIEW_ACCESS_LOG, log)
    assert access.can(person, A.DOWNLOAD_DOCUMENT, log)


WRITES = [
    A.EDIT_PLAN,
    A.MANAGE_PARTICIPANTS,
    A.COMMENT,
    A.EVALUATE_OWN_MEASURE,
    A.EVALUATE_ANY_MEASURE,
    A.POST_MESSAGE,
    A.WITHDRAW_CONSENT,
    A.RENEW_CONSENT,
    A.HAND_OVER,
    A.MAKE_INDIVIDUAL_PLAN,
]


@pytest.mark.parametrize("action", WRITES)
def test_nothing_is_written_in_a_passive_log_even_by_the_holder(cast, log, action):
    RelayLog.objects.filter(pk=log.pk).update(status=LogStatus.PASSIVE)
    log.refresh_from_db()
    assert not access.can(cast.kari, action, log)
    with pytest.raises(PermissionDenied):
        access.require(cast.kari, action, log)


def test_the_holder_cannot_change_the_plan_of_a_passive_log(cast, log):
    RelayLog.objects.filter(pk=log.pk).update(status=LogStatus.PASSIVE)
    log.refresh_from_db()
    with pytest.raises(PermissionDenied):
        actions.update_overview(actor=cast.kari, log=log, version=log.version, changes={"strengths": "Glad i musikk"})
    with pytest.raises(PermissionDenied):
        actions.add_goal(actor=cast.kari, log=log, arena="hjem", text="Nytt mål")
    with pytest.raises(PermissionDenied):
        actions.post_message(actor=cast.silje, log=log, text="Hei")
    log.refresh_from_db()
    assert log.strengths == ""
    assert log.goals.count() == 3
    assert log.messages.count() == 0


def test_the_holder_may_still_close_a_passive_log(cast, log):
    RelayLog.objects.filter(pk=log.pk).update(status=LogStatus.PASSIVE)
    log.refresh_from_db()
    assert access.can(cast.kari, A.CLOSE_LOG, log)


# --- 404 for those who cannot see it, 403 for readers who may not write ------------------


@pytest.mark.parametrize("who", ["outsider", "berit", "trude", "randi", "ola_admin", "emma"])
def test_someone_who_cannot_read_the_log_is_told_it_does_not_exist(cast, log, who):
    person = getattr(cast, who)
    for action in [A.VIEW_LOG, A.EDIT_PLAN, A.POST_MESSAGE, A.VIEW_ACCESS_LOG]:
        with pytest.raises(Http404):
            access.require(person, action, log)


@pytest.mark.parametrize("who", ["nina", "silje"])
def test_a_reader_who_tries_to_change_the_plan_is_refused_with_403(cast, log, who):
    person = getattr(cast, who)
    access.require(person, A.VIEW_LOG, log)  # no exception
    for action in [A.EDIT_PLAN, A.MANAGE_PARTICIPANTS, A.CLOSE_LOG, A.RENEW_CONSENT]:
        with pytest.raises(PermissionDenied):
            access.require(person, action, log)


def test_the_unit_leader_may_propose_a_new_holder_without_reading_the_log(cast, log):
    access.require(cast.berit, A.HAND_OVER, log)  # no exception
    with pytest.raises(Http404):
        access.require(cast.berit, A.VIEW_LOG, log)
