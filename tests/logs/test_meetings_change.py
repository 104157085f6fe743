"""Meetings that change (issue 15 §1): the holder edits, moves and cancels (with a reason); the
invitation keeps its UID with a higher SEQUENCE, or becomes METHOD:CANCEL; everyone is told,
content-free; a cancelled meeting reads «Avlyst» everywhere, never «Planlagt»."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar
from pypdf import PdfReader

from stafett.archive.pdf import render_log_pdf
from stafett.audit.models import AuditEvent
from stafett.lib.versioning import StaleEdit
from stafett.logs import actions
from stafett.logs.models import GOOD_MEETINGS_AGENDA, ChildAttends, Meeting
from stafett.logs.queries import log_page
from stafett.notify.models import Kind, Notification


def url(name, log, *args):
    return reverse(f"logs:{name}", args=[log.code, *args])


@pytest.fixture
def meeting(cast, log):
    return actions.schedule_meeting(
        actor=cast.kari,
        log=log,
        starts_at=timezone.now() + timedelta(days=7),
        place="Solsikken, møterom 2",
        agenda=GOOD_MEETINGS_AGENDA,
    )


def ics_event(client, log, meeting):
    response = client.get(url("meeting_ics", log, meeting.code))
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.content)
    return calendar, next(c for c in calendar.walk("VEVENT"))


def pdf_text(log) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(render_log_pdf(log))).pages)


def test_holder_moves_a_meeting_and_the_invitation_keeps_its_uid_with_a_higher_sequence(client, cast, log, meeting):
    client.force_login(cast.kari)
    _, before = ics_event(client, log, meeting)
    later = meeting.starts_at + timedelta(days=2)
    actions.change_meeting(
        actor=cast.kari, meeting=meeting, version=meeting.version, starts_at=later, place="Helsestasjonen"
    )
    calendar, after = ics_event(client, log, meeting)
    assert str(after["uid"]) == str(before["uid"]) == f"{meeting.code}@stafett"
    assert (int(before["sequence"]), int(after["sequence"])) == (0, 1)
    assert str(calendar["method"]) == "PUBLISH" and str(after["location"]) == "Helsestasjonen"
    assert after.decoded("dtstart") == later.replace(microsecond=0)
    event = AuditEvent.objects.get(action="meeting.changed")
    assert event.scope_code == log.code and event.details["flyttet"] is True


def test_moving_a_meeting_tells_the_participants_without_any_content(cast, log, meeting):
    Notification.objects.all().delete()
    actions.change_meeting(
        actor=cast.kari,
        meeting=meeting,
        version=meeting.version,
        starts_at=meeting.starts_at + timedelta(hours=1),
        place=meeting.place,
    )
    told = Notification.objects.filter(kind=Kind.MEETING_CHANGED)
    assert {n.recipient for n in told} == {cast.nina, cast.silje}  # not the holder who moved it
    assert all(n.path == f"/logg/{log.code}/" for n in told)


def test_cancelled_meeting_needs_a_reason_and_its_invitation_is_a_cancellation(client, cast, log, meeting):
    with pytest.raises(ValidationError) as e:
        actions.cancel_meeting(actor=cast.kari, meeting=meeting, reason="  ")
    assert "reason" in e.value.message_dict
    Notification.objects.all().delete()
    actions.cancel_meeting(actor=cast.kari, meeting=meeting, reason="Foresatte er syke")
    client.force_login(cast.silje)
    calendar, event = ics_event(client, log, meeting)
    assert str(calendar["method"]) == "CANCEL" and str(event["status"]) == "CANCELLED"
    assert str(event["uid"]) == f"{meeting.code}@stafett" and int(event["sequence"]) == 1
    assert AuditEvent.objects.get(action="meeting.cancelled").details["årsak"] == "Foresatte er syke"
    assert {n.recipient for n in Notification.objects.filter(kind=Kind.MEETING_CHANGED)} == {cast.nina, cast.silje}


def test_cancelled_meeting_shows_avlyst_with_reason_on_the_log_page_and_calendar(client, cast, log, meeting):
    actions.cancel_meeting(actor=cast.kari, meeting=meeting, reason="Foresatte er syke")
    client.force_login(cast.nina)
    html = client.get(url("detail", log)).content.decode()
    assert "(avlyst)" in html and "Foresatte er syke" in html and "(planlagt)" not in html
    entry = next(e for e in log_page(log).calendar if e.when == meeting.starts_at)
    assert entry.kind == "Avlyst møte" and "Foresatte er syke" in entry.text


def test_cancelled_meeting_shows_avlyst_not_planlagt_in_the_pdf(cast, log, meeting):
    assert "Planlagt" in pdf_text(log)
    actions.cancel_meeting(actor=cast.kari, meeting=meeting, reason="Møterommet er opptatt")
    text = pdf_text(log)
    assert "Avlyst" in text and "Møterommet er opptatt" in text
    assert "Planlagt" not in text


def test_cancel_page_asks_for_a_reason_before_anything_is_cancelled(client, cast, log, meeting):
    client.force_login(cast.kari)
    page = client.get(url("cancel_meeting", log, meeting.code))
    assert page.status_code == 200 and "Ja, avlys møtet" in page.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).cancelled_at is None
    refused = client.post(url("cancel_meeting", log, meeting.code), {"reason": ""})
    assert refused.status_code == 400 and Meeting.objects.get(pk=meeting.pk).cancelled_at is None
    done = client.post(url("cancel_meeting", log, meeting.code), {"reason": "Flyttes til neste uke"})
    assert done.status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).cancel_reason == "Flyttes til neste uke"


def test_edit_page_moves_the_meeting(client, cast, log, meeting):
    client.force_login(cast.kari)
    assert client.get(url("edit_meeting", log, meeting.code)).status_code == 200
    new_time = timezone.localtime(meeting.starts_at + timedelta(days=1)).replace(second=0, microsecond=0)
    response = client.post(
        url("edit_meeting", log, meeting.code),
        {
            "version": meeting.version,
            "title": "Stafettmøte",
            "starts_at": new_time.strftime("%Y-%m-%dT%H:%M"),
            "duration_minutes": 90,
            "place": "Rom 3",
            "agenda": "Kort møte",
        },
    )
    assert response.status_code == 302
    fresh = Meeting.objects.get(pk=meeting.pk)
    assert (fresh.starts_at, fresh.place, fresh.duration_minutes, fresh.sequence) == (new_time, "Rom 3", 90, 1)


@pytest.mark.parametrize("name", ["edit_meeting", "cancel_meeting"])
def test_meeting_change_pages_are_404_for_outsiders_403_for_readers_and_405_for_other_methods(
    client, cast, log, meeting, name
):
    client.force_login(cast.outsider)
    assert client.get(url(name, log, meeting.code)).status_code == 404
    client.force_login(cast.nina)
    assert client.get(url(name, log, meeting.code)).status_code == 403
    assert client.post(url(name, log, meeting.code), {"reason": "x"}).status_code == 403
    client.force_login(cast.kari)
    assert client.delete(url(name, log, meeting.code)).status_code == 405
    assert Meeting.objects.get(pk=meeting.pk).cancelled_at is None


@pytest.mark.parametrize(("who", "error"), [("nina", PermissionDenied), ("outsider", Http404)])
def test_only_the_holder_moves_or_cancels_a_meeting(cast, log, meeting, who, error):
    person = getattr(cast, who)
    with pytest.raises(error):
        actions.change_meeting(
            actor=person, meeting=meeting, version=1, starts_at=meeting.starts_at, place="Et annet sted"
        )
    with pytest.raises(error):
        actions.cancel_meeting(actor=person, meeting=meeting, reason="Nei")
    fresh = Meeting.objects.get(pk=meeting.pk)
    assert (fresh.place, fresh.cancelled_at, fresh.sequence) == ("Solsikken, møterom 2", None, 0)


def test_a_held_or_cancelled_meeting_cannot_be_moved_and_a_cancelled_one_gets_no_minutes(cast, log, meeting):
    actions.cancel_meeting(actor=cast.kari, meeting=meeting, reason="Syk")
    with pytest.raises(ValidationError):
        actions.change_meeting(
            actor=cast.kari, meeting=meeting, version=meeting.version, starts_at=meeting.starts_at, place="x"
        )
    with pytest.raises(ValidationError):
        actions.cancel_meeting(actor=cast.kari, meeting=meeting, reason="Igjen")
    with pytest.raises(ValidationError):
        actions.record_minutes(
            actor=cast.kari, meeting=meeting, version=meeting.version, attendees=[], minutes="x", next_meeting_date=None
        )
    held = actions.schedule_meeting(
        actor=cast.kari, log=log, starts_at=timezone.now(), place="Rom 1", agenda=GOOD_MEETINGS_AGENDA
    )
    held = actions.record_minutes(
        actor=cast.kari, meeting=held, version=held.version, attendees=[], minutes="Holdt.", next_meeting_date=None
    )
    with pytest.raises(ValidationError):
        actions.cancel_meeting(actor=cast.kari, meeting=held, reason="For sent")
    assert AuditEvent.objects.filter(action="meeting.cancelled").count() == 1


def test_moving_a_meeting_on_a_stale_copy_is_refused(cast, log, meeting):
    stale = Meeting.objects.get(pk=meeting.pk)
    actions.change_meeting(actor=cast.kari, meeting=meeting, version=1, starts_at=meeting.starts_at, place="Rom A")
    with pytest.raises(StaleEdit):
        actions.change_meeting(actor=cast.kari, meeting=stale, version=1, starts_at=stale.starts_at, place="Rom B")
    assert Meeting.objects.get(pk=meeting.pk).place == "Rom A"


def test_whether_the_child_attends_is_asked_and_shown_in_the_minutes_and_the_printout(client, cast, log, meeting):
    client.force_login(cast.kari)
    form = client.get(url("minutes", log, meeting.code)).content.decode()
    assert "Deltok barnet/ungdommen i møtet?" in form
    unanswered = {"version": meeting.version, "minutes": "Vi møttes."}
    assert client.post(url("minutes", log, meeting.code), unanswered).status_code == 400
    answered = {
        **unanswered,
        "child_attends": ChildAttends.PARTLY,
        "child_attends_note": "Var med den første halvtimen",
    }
    assert client.post(url("minutes", log, meeting.code), answered).status_code == 302
    fresh = Meeting.objects.get(pk=meeting.pk)
    assert (fresh.child_attends, fresh.child_attends_note) == ("delvis", "Var med den første halvtimen")
    html = client.get(url("detail", log)).content.decode()
    assert "Barnet/ungdommen deltok:</strong> Delvis – Var med den første halvtimen" in html
    assert "Barnet/ungdommen deltok: Delvis – Var med den første halvtimen" in pdf_text(log)
