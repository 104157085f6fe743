"""Messages and comments on measures: every reader may write them (SPEC §3)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from stafett.audit.models import AuditEvent
from stafett.logs import actions
from stafett.logs.models import Arena, LogStatus, Message, RelayLog


@pytest.mark.parametrize("who", ["kari", "nina", "silje"])
def test_holder_participant_and_guardian_may_post_a_message(cast, log, who):
    message = actions.post_message(actor=getattr(cast, who), log=log, text=" Hørselstesten er bestilt. ")
    assert message.text == "Hørselstesten er bestilt."
    assert message.measure is None
    event = AuditEvent.objects.get(action="message.posted")
    assert event.scope_code == log.code
    assert event.object_code == str(message.code)


def test_a_youth_may_post_on_his_own_log(cast, youth_log):
    actions.post_message(actor=cast.jonas, log=youth_log, text="Jeg kommer på møtet.")
    assert youth_log.messages.get().author == cast.jonas


@pytest.mark.parametrize("who", ["outsider", "berit", "trude", "randi", "emma"])
def test_someone_who_cannot_read_the_log_is_told_it_does_not_exist(cast, log, who):
    with pytest.raises(Http404):
        actions.post_message(actor=getattr(cast, who), log=log, text="Hei")
    assert not Message.objects.exists()


def test_a_participant_comments_on_a_measure(cast, log, silje_measure):
    comment = actions.post_message(actor=cast.nina, log=log, text="Fint tiltak!", measure=silje_measure)
    assert comment.measure == silje_measure
    assert list(silje_measure.comments.all()) == [comment]
    assert AuditEvent.objects.get(action="comment.posted").scope_code == log.code


def test_a_comment_on_a_measure_of_another_log_is_refused(cast, log, youth_log, make_measure_data):
    goal = actions.add_goal(actor=cast.kari, log=youth_log, arena=Arena.HOME, text="Jonas møter på trening")
    other = actions.add_measure(actor=cast.kari, goal=goal, data=make_measure_data(cast.jonas))
    with pytest.raises(ValidationError, match="Tiltaket hører ikke til denne loggen"):
        actions.post_message(actor=cast.nina, log=log, text="Hei", measure=other)
    assert not Message.objects.exists()
    assert not AuditEvent.objects.filter(action="comment.posted").exists()


def test_an_empty_message_is_refused(cast, log):
    with pytest.raises(ValidationError):
        actions.post_message(actor=cast.silje, log=log, text="   ")
    assert not Message.objects.exists()


def test_nobody_posts_in_a_passive_log(cast, log):
    RelayLog.objects.filter(pk=log.pk).update(status=LogStatus.PASSIVE)
    log.refresh_from_db()
    for person in (cast.kari, cast.silje):
        with pytest.raises(PermissionDenied):
            actions.post_message(actor=person, log=log, text="Hei")
    with pytest.raises(Http404):  # the participant no longer sees it at all
        actions.post_message(actor=cast.nina, log=log, text="Hei")
    assert not Message.objects.exists()
