"""Goals per arena and measures: who does what, by when, evaluated when (SPEC §5)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from stafett.audit.models import AuditEvent
from stafett.logs import actions
from stafett.logs.models import Arena, Measure, ResponsibleKind
from tests.conftest import make_person


def test_the_log_has_one_goal_per_arena(log):
    assert sorted(log.goals.values_list("arena", flat=True)) == sorted(Arena.values)


def test_adding_a_goal_is_audited(cast, log):
    events = AuditEvent.objects.filter(action="goal.added", scope_code=log.code)
    assert sorted(e.details["arena"] for e in events) == sorted(Arena.values)


def test_a_goal_needs_a_known_arena_and_some_text(cast, log):
    with pytest.raises(ValidationError):
        actions.add_goal(actor=cast.kari, log=log, arena="skolegården", text="Leke med andre")
    with pytest.raises(ValidationError):
        actions.add_goal(actor=cast.kari, log=log, arena=Arena.HOME, text="   ")
    assert log.goals.count() == 3


@pytest.mark.parametrize(
    ("who", "error"), [("nina", PermissionDenied), ("silje", PermissionDenied), ("outsider", Http404)]
)
def test_only_the_holder_writes_goals_and_measures(cast, log, make_measure_data, who, error):
    person = getattr(cast, who)
    goal = log.goals.get(arena=Arena.HOME)
    with pytest.raises(error):
        actions.add_goal(actor=person, log=log, arena=Arena.HOME, text="Nytt mål")
    with pytest.raises(error):
        actions.add_measure(actor=person, goal=goal, data=make_measure_data(cast.silje))
    measure = log.measures.get(responsible=cast.silje)
    with pytest.raises(error):
        actions.update_measure(
            actor=person, measure=measure, version=measure.version, data=make_measure_data(cast.nina)
        )
    assert log.goals.count() == 3
    assert log.measures.count() == 2


@pytest.mark.parametrize(
    ("who", "kind"),
    [
        ("silje", ResponsibleKind.GUARDIAN),
        ("nina", ResponsibleKind.PARTICIPANT),
        ("kari", ResponsibleKind.PARTICIPANT),
        ("emma", ResponsibleKind.CHILD),
    ],
)
def test_the_kind_of_responsible_is_worked_out_from_the_person(cast, log, make_measure_data, who, kind):
    goal = log.goals.get(arena=Arena.SERVICE)
    measure = actions.add_measure(actor=cast.kari, goal=goal, data=make_measure_data(getattr(cast, who)))
    assert measure.responsible_kind == kind


def test_the_youth_can_be_responsible_for_a_measure_on_his_own_log(cast, youth_log, make_measure_data):
    goal = actions.add_goal(actor=cast.kari, log=youth_log, arena=Arena.HOME, text="Jonas møter på trening")
    measure = actions.add_measure(actor=cast.kari, goal=goal, data=make_measure_data(cast.jonas))
    assert measure.responsible_kind == ResponsibleKind.CHILD


@pytest.mark.parametrize("who", ["outsider", "berit", "trude"])
def test_the_responsible_must_be_a_participant_a_guardian_or_the_child(cast, log, make_measure_data, who):
    goal = log.goals.get(arena=Arena.SERVICE)
    with pytest.raises(ValidationError) as e:
        actions.add_measure(actor=cast.kari, goal=goal, data=make_measure_data(getattr(cast, who)))
    assert e.value.message_dict["responsible"] == ["Den ansvarlige må være deltaker, foresatt eller barnet selv."]
    assert log.measures.count() == 2


def test_a_removed_participant_cannot_be_given_a_measure(cast, log, make_measure_data):
    actions.remove_participant(actor=cast.kari, participant=log.participants.get(person=cast.nina))
    with pytest.raises(ValidationError, match="Den ansvarlige må være deltaker"):
        actions.add_measure(actor=cast.kari, goal=log.goals.first(), data=make_measure_data(cast.nina))


def test_a_guardian_of_another_child_cannot_be_given_a_measure(cast, log, make_measure_data):
    other_parent = make_person("Geir", "Annen", email="geir@example.com")
    with pytest.raises(ValidationError, match="Den ansvarlige må være deltaker"):
        actions.add_measure(actor=cast.kari, goal=log.goals.first(), data=make_measure_data(other_parent))


def test_a_deadline_in_the_past_is_refused(cast, log, make_measure_data):
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ValidationError) as e:
        actions.add_measure(
            actor=cast.kari, goal=log.goals.first(), data=make_measure_data(cast.silje, deadline=yesterday)
        )
    assert e.value.message_dict["deadline"] == ["Fristen kan ikke være tilbake i tid."]
    assert log.measures.count() == 2


def test_a_deadline_today_is_accepted(cast, log, make_measure_data):
    today = timezone.localdate()
    measure = actions.add_measure(
        actor=cast.kari, goal=log.goals.first(), data=make_measure_data(cast.silje, deadline=today)
    )
    assert measure.deadline == today


def test_an_evaluation_date_before_the_deadline_is_refused(cast, log, make_measure_data):
    deadline = timezone.localdate() + timedelta(days=14)
    data = make_measure_data(cast.silje, deadline=deadline, evaluation_date=deadline - timedelta(days=1))
    with pytest.raises(ValidationError) as e:
        actions.add_measure(actor=cast.kari, goal=log.goals.first(), data=data)
    assert e.value.message_dict["evaluation_date"] == ["Evalueringsdatoen kan ikke være før fristen."]
    assert log.measures.count() == 2


def test_changing_a_measure_also_checks_the_evaluation_date(cast, silje_measure, make_measure_data):
    deadline = silje_measure.deadline
    data = make_measure_data(cast.silje, deadline=deadline, evaluation_date=deadline - timedelta(days=1))
    with pytest.raises(ValidationError, match="Evalueringsdatoen kan ikke være før fristen"):
        actions.update_measure(actor=cast.kari, measure=silje_measure, version=silje_measure.version, data=data)
    silje_measure.refresh_from_db()
    assert silje_measure.evaluation_date == deadline + timedelta(days=7)


def test_handing_a_measure_to_someone_else_rederives_the_kind(cast, silje_measure, make_measure_data):
    updated = actions.update_measure(
        actor=cast.kari, measure=silje_measure, version=silje_measure.version, data=make_measure_data(cast.nina)
    )
    fresh = Measure.objects.get(pk=silje_measure.pk)
    assert (fresh.responsible, fresh.responsible_kind) == (cast.nina, ResponsibleKind.PARTICIPANT)
    assert fresh.version == updated.version == 2


def test_adding_and_changing_measures_is_audited(cast, log, silje_measure, make_measure_data):
    added = AuditEvent.objects.about(silje_measure).get(action="measure.added")
    assert added.scope_code == log.code
    assert added.details["ansvarlig"] == "Silje Hansen"
    actions.update_measure(
        actor=cast.kari, measure=silje_measure, version=silje_measure.version, data=make_measure_data(cast.silje)
    )
    assert AuditEvent.objects.about(silje_measure).get(action="measure.changed").scope_code == log.code


def test_the_holder_changes_a_goal(cast, log):
    goal = log.goals.get(arena=Arena.HOME)
    actions.update_goal(actor=cast.kari, goal=goal, version=goal.version, text=" Emma forteller om barnehagen ")
    goal.refresh_from_db()
    assert (goal.text, goal.version) == ("Emma forteller om barnehagen", 2)
    assert AuditEvent.objects.about(goal).get(action="goal.changed").scope_code == log.code
