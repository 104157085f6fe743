"""Two people editing the same thing: the later save is refused, nothing is overwritten."""

import pytest

from stafett.audit.models import AuditEvent
from stafett.lib.versioning import StaleEdit
from stafett.logs import actions
from stafett.logs.models import Arena, Goal, Measure, RelayLog


def test_the_second_of_two_overview_edits_from_the_same_version_is_refused(cast, log):
    kari_copy = RelayLog.objects.get(pk=log.pk)
    other_tab = RelayLog.objects.get(pk=log.pk)
    version = kari_copy.version
    actions.update_overview(actor=cast.kari, log=kari_copy, version=version, changes={"strengths": "Glad i å tegne"})
    with pytest.raises(StaleEdit):
        actions.update_overview(actor=cast.kari, log=other_tab, version=version, changes={"strengths": "Liker å synge"})
    fresh = RelayLog.objects.get(pk=log.pk)
    assert fresh.strengths == "Glad i å tegne"
    assert fresh.version == version + 1
    assert AuditEvent.objects.filter(action="log.overview_changed").count() == 1


def test_a_stale_edit_explains_itself_in_norwegian():
    assert "Noen andre har endret dette mens du skrev" in StaleEdit.message


def test_an_edit_based_on_the_latest_version_succeeds(cast, log):
    first = actions.update_overview(actor=cast.kari, log=log, version=log.version, changes={"challenges": "Sjenert"})
    second = actions.update_overview(actor=cast.kari, log=first, version=first.version, changes={"need_extent": 2})
    fresh = RelayLog.objects.get(pk=log.pk)
    assert (fresh.challenges, fresh.need_extent, fresh.version) == ("Sjenert", 2, second.version)


def test_two_edits_of_the_same_goal_keep_the_first(cast, log):
    pk = log.goals.get(arena=Arena.HOME).pk
    a, b = Goal.objects.get(pk=pk), Goal.objects.get(pk=pk)
    actions.update_goal(actor=cast.kari, goal=a, version=1, text="Første")
    with pytest.raises(StaleEdit):
        actions.update_goal(actor=cast.kari, goal=b, version=1, text="Andre")
    assert Goal.objects.get(pk=pk).text == "Første"


def test_two_edits_of_the_same_measure_keep_the_first(cast, silje_measure, make_measure_data):
    a, b = Measure.objects.get(pk=silje_measure.pk), Measure.objects.get(pk=silje_measure.pk)
    actions.update_measure(actor=cast.kari, measure=a, version=1, data=make_measure_data(cast.silje, what="Første"))
    with pytest.raises(StaleEdit):
        actions.update_measure(actor=cast.kari, measure=b, version=1, data=make_measure_data(cast.nina, what="Andre"))
    fresh = Measure.objects.get(pk=silje_measure.pk)
    assert (fresh.what, fresh.responsible) == ("Første", cast.silje)
