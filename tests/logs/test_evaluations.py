"""Evaluating measures (seeds/004 Evalueringsskjema): participants their own, guardians and the holder any."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from stafett.audit.models import AuditEvent
from stafett.logs import actions
from stafett.logs.actions import EvaluationData
from stafett.logs.models import Arena, Decision, Evaluation, LogStatus, Measure, RelayLog


def evaluation(decision=Decision.CONTINUE, **kw):
    return EvaluationData(carried_out=kw.pop("carried_out", True), decision=decision, **kw)


def test_a_participant_evaluates_her_own_measure(cast, nina_measure):
    e = actions.evaluate_measure(
        actor=cast.nina, measure=nina_measure, data=evaluation(effect_others=" Hørselen er normal ")
    )
    assert e.author == cast.nina
    assert e.author_is_guardian is False
    assert e.effect_others == "Hørselen er normal"


def test_a_participant_cannot_evaluate_someone_elses_measure(cast, silje_measure):
    with pytest.raises(PermissionDenied, match="Du kan bare evaluere tiltak du selv har ansvar for"):
        actions.evaluate_measure(actor=cast.nina, measure=silje_measure, data=evaluation())
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize("measure", ["silje_measure", "nina_measure"])
def test_a_guardian_may_evaluate_any_measure_and_is_recorded_as_guardian(cast, request, measure):
    m = request.getfixturevalue(measure)
    e = actions.evaluate_measure(actor=cast.silje, measure=m, data=evaluation(effect_guardians="Bedre"))
    assert e.author_is_guardian is True


@pytest.mark.parametrize("measure", ["silje_measure", "nina_measure"])
def test_the_holder_may_evaluate_any_measure(cast, request, measure):
    e = actions.evaluate_measure(actor=cast.kari, measure=request.getfixturevalue(measure), data=evaluation())
    assert (e.author, e.author_is_guardian) == (cast.kari, False)


def test_a_youth_evaluates_his_own_measure_but_not_his_mothers(cast, youth_log, make_measure_data):
    goal = actions.add_goal(actor=cast.kari, log=youth_log, arena=Arena.HOME, text="Jonas møter på trening")
    own = actions.add_measure(actor=cast.kari, goal=goal, data=make_measure_data(cast.jonas))
    mothers = actions.add_measure(actor=cast.kari, goal=goal, data=make_measure_data(cast.silje))
    actions.evaluate_measure(actor=cast.jonas, measure=own, data=evaluation(effect_child="Det går fint"))
    with pytest.raises(PermissionDenied):
        actions.evaluate_measure(actor=cast.jonas, measure=mothers, data=evaluation())


@pytest.mark.parametrize("who", ["outsider", "berit", "trude"])
def test_someone_without_access_is_told_the_measure_does_not_exist(cast, silje_measure, who):
    with pytest.raises(Http404):
        actions.evaluate_measure(actor=getattr(cast, who), measure=silje_measure, data=evaluation())


def test_a_removed_participant_can_no_longer_evaluate_her_measure(cast, log, nina_measure):
    actions.remove_participant(actor=cast.kari, participant=log.participants.get(person=cast.nina))
    with pytest.raises(Http404):
        actions.evaluate_measure(actor=cast.nina, measure=nina_measure, data=evaluation())


def test_nobody_evaluates_in_a_passive_log(cast, log, silje_measure):
    RelayLog.objects.filter(pk=log.pk).update(status=LogStatus.PASSIVE)
    measure = Measure.objects.get(pk=silje_measure.pk)
    for person in (cast.kari, cast.silje):
        with pytest.raises(PermissionDenied):
            actions.evaluate_measure(actor=person, measure=measure, data=evaluation())
    assert not Evaluation.objects.exists()


def test_deciding_to_stop_a_measure_marks_it_stopped_today(cast, silje_measure):
    actions.evaluate_measure(actor=cast.silje, measure=silje_measure, data=evaluation(Decision.STOP))
    silje_measure.refresh_from_db()
    assert silje_measure.stopped_at == timezone.localdate()


@pytest.mark.parametrize("decision", [Decision.CONTINUE, Decision.ADJUST])
def test_continuing_or_adjusting_leaves_the_measure_running(cast, silje_measure, decision):
    actions.evaluate_measure(actor=cast.silje, measure=silje_measure, data=evaluation(decision))
    silje_measure.refresh_from_db()
    assert silje_measure.stopped_at is None


def test_an_unknown_decision_is_refused(cast, silje_measure):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        actions.evaluate_measure(actor=cast.silje, measure=silje_measure, data=evaluation("kanskje"))
    assert not Evaluation.objects.exists()


def test_an_evaluation_is_audited_in_the_logs_access_log(cast, log, nina_measure):
    actions.evaluate_measure(actor=cast.nina, measure=nina_measure, data=evaluation(Decision.ADJUST, carried_out=False))
    event = AuditEvent.objects.get(action="measure.evaluated")
    assert event.scope_code == log.code
    assert event.actor_name == "Nina Fossum"
    assert event.object_code == str(nina_measure.code)
    assert event.details == {"vurdering": "justere", "gjennomfort": False}
