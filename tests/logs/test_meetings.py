"""Meetings: the holder calls them and writes the minutes (SPEC §5, «Gode møter»)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from stafett.audit.models import AuditEvent
from stafett.lib.versioning import StaleEdit
from stafett.logs import actions
from stafett.logs.models import GOOD_MEETINGS_AGENDA, Meeting


def schedule(cast, log, actor=None, **kw):
    return actions.schedule_meeting(
        actor=actor or cast.kari,
        log=log,
        starts_at=kw.pop("starts_at", timezone.now() + timedelta(days=7)),
        place=kw.pop("place", "Solsikken, møterom 2"),
        agenda=kw.pop("agenda", GOOD_MEETINGS_AGENDA),
        **kw,
    )


@pytest.fixture
def meeting(cast, log):
    return schedule(cast, log)


def test_the_holder_schedules_a_meeting_with_the_good_meetings_agenda(cast, log, meeting):
    assert meeting.title == "Stafettmøte"
    assert meeting.agenda.startswith("1. Forberedelse")
    assert meeting.held is False
    event = AuditEvent.objects.get(action="meeting.scheduled")
    assert event.scope_code == log.code


def test_a_meeting_that_just_happened_can_still_be_entered(cast, log):
    assert schedule(cast, log, starts_at=timezone.now() - timedelta(hours=3)).pk


def test_a_meeting_long_in_the_past_is_refused(cast, log):
    with pytest.raises(ValidationError) as e:
        schedule(cast, log, starts_at=timezone.now() - timedelta(days=2))
    assert e.value.message_dict["starts_at"] == ["Møtetidspunktet kan ikke være tilbake i tid."]
    assert not Meeting.objects.exists()


def test_a_meeting_needs_a_place(cast, log):
    with pytest.raises(ValidationError):
        schedule(cast, log, place="  ")
    assert not Meeting.objects.exists()


@pytest.mark.parametrize(
    ("who", "error"), [("nina", PermissionDenied), ("silje", PermissionDenied), ("outsider", Http404)]
)
def test_only_the_holder_schedules_meetings_and_writes_minutes(cast, log, meeting, who, error):
    person = getattr(cast, who)
    with pytest.raises(error):
        schedule(cast, log, actor=person)
    with pytest.raises(error):
        actions.record_minutes(
            actor=person, meeting=meeting, version=meeting.version, attendees=[], minutes="x", next_meeting_date=None
        )
    meeting.refresh_from_db()
    assert (meeting.minutes, meeting.held, Meeting.objects.count()) == ("", False, 1)


def test_the_holder_writes_minutes_with_who_attended(cast, log, meeting):
    next_date = timezone.localdate() + timedelta(days=42)
    actions.record_minutes(
        actor=cast.kari,
        meeting=meeting,
        version=meeting.version,
        attendees=[cast.kari, cast.nina, cast.silje],
        minutes=" Vi ble enige om tiltakene. ",
        next_meeting_date=next_date,
    )
    fresh = Meeting.objects.get(pk=meeting.pk)
    assert (fresh.minutes, fresh.next_meeting_date, fresh.held, fresh.version) == (
        "Vi ble enige om tiltakene.",
        next_date,
        True,
        2,
    )
    assert set(fresh.attendees.all()) == {cast.kari, cast.nina, cast.silje}
    event = AuditEvent.objects.get(action="meeting.minutes_written")
    assert event.scope_code == log.code
    assert sorted(event.details["til_stede"]) == ["Kari Lunde", "Nina Fossum", "Silje Hansen"]


def test_minutes_written_on_a_stale_copy_are_refused_and_nothing_is_overwritten(cast, log, meeting):
    first = Meeting.objects.get(pk=meeting.pk)
    second = Meeting.objects.get(pk=meeting.pk)
    actions.record_minutes(
        actor=cast.kari,
        meeting=first,
        version=1,
        attendees=[cast.kari, cast.silje],
        minutes="Først",
        next_meeting_date=None,
    )
    with pytest.raises(StaleEdit):
        actions.record_minutes(
            actor=cast.kari, meeting=second, version=1, attendees=[cast.nina], minutes="Andre", next_meeting_date=None
        )
    fresh = Meeting.objects.get(pk=meeting.pk)
    assert (fresh.minutes, fresh.version) == ("Først", 2)
    assert set(fresh.attendees.all()) == {cast.kari, cast.silje}
    assert AuditEvent.objects.filter(action="meeting.minutes_written").count() == 1
