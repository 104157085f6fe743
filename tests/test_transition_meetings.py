"""Transition meetings against the routine (seeds/000, issue 15 §1): overgangsmøte 2 within two
weeks after school start or a written reason; calling a meeting twice moves it; the holder may
set the measures' evaluation dates to overgangsmøte 2."""

from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from stafett.audit.models import AuditEvent
from stafett.lib.demo_pdf import minimal_pdf
from stafett.logs import actions, transitions
from stafett.logs.actions import ConsentData, MeasureData
from stafett.logs.models import Arena, MeasureCategory, Meeting, TransitionKind
from stafett.people.models import ServiceType, Unit

START = date(2026, 8, 17)  # school start; overgangsmøte 2 by 31 August


@pytest.fixture(autouse=True)
def frozen_spring():
    with time_machine.travel(date(2026, 3, 2), tick=False):
        yield


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


@pytest.fixture
def transition(cast):
    school = Unit.objects.create(municipality=cast.fjordvik, name="Fjordvik skole", service_type=ServiceType.SKOLE)
    consent = ConsentData(
        services=["barnehage", "skole"],
        signatories=[cast.silje],
        document=SimpleUploadedFile("s.pdf", minimal_pdf(), content_type="application/pdf"),
        collected_at_unit=cast.kindergarten,
        valid_until=date(2027, 12, 31),
    )
    log = actions.open_log(actor=cast.kari, subject=cast.emma, unit=cast.kindergarten, consent=consent)
    return actions.start_transition(
        actor=cast.kari, log=log, kind=TransitionKind.KINDERGARTEN_TO_SCHOOL, to_unit=school, start_date=START
    )


def call(cast, t, number=2, day=START + timedelta(days=10), **kw):
    return actions.schedule_transition_meeting(
        actor=cast.kari, transition=t, number=number, starts_at=at(day), place=kw.pop("place", "Skolen"), **kw
    )


def test_inviting_to_overgangsmote_2_twice_moves_the_meeting_instead_of_creating_a_second(cast, transition):
    first = call(cast, transition, day=START + timedelta(days=8))
    second = call(cast, transition, day=START + timedelta(days=12), place="Skolen, rom 4")
    assert second.pk == first.pk
    assert Meeting.objects.filter(log=transition.log).count() == 1
    moved = Meeting.objects.get(pk=first.pk)
    assert (moved.starts_at, moved.place, moved.sequence) == (at(START + timedelta(days=12)), "Skolen, rom 4", 1)
    assert AuditEvent.objects.filter(action="meeting.changed").count() == 1


def test_a_cancelled_transition_meeting_is_called_anew_and_the_step_says_it_was_cancelled(cast, transition):
    first = call(cast, transition)
    actions.cancel_meeting(actor=cast.kari, meeting=first, reason="Kontaktlæreren er syk")
    transition.refresh_from_db()
    step = {s.key: s for s in transitions.progress(transition)}["meeting_2"]
    assert not step.done and "avlyst" in step.missing[0]
    second = call(cast, transition, day=START + timedelta(days=13))
    assert second.pk != first.pk and Meeting.objects.get(pk=first.pk).status_label == "Avlyst"
    transition.refresh_from_db()
    assert transition.meeting_2 == second


def test_overgangsmote_2_after_fourteen_days_needs_a_written_reason(cast, transition):
    late = START + timedelta(days=15)
    with pytest.raises(ValidationError) as e:
        call(cast, transition, day=late)
    assert e.value.message_dict["off_routine_reason"] == [
        "Overgangsmøte 2 skal holdes innen to uker etter skolestart, senest 31.08.2026. "
        "Skriv hvorfor møtet må være senere, eller velg en tidligere dato."
    ]
    assert not Meeting.objects.exists()
    meeting = call(cast, transition, day=late, off_routine_reason="Foresatte er bortreist til 1. september")
    assert meeting.off_routine_reason == "Foresatte er bortreist til 1. september"
    assert call(cast, transition, day=START + timedelta(days=14)).off_routine_reason == ""  # the last day is in time


def test_moving_overgangsmote_2_past_the_limit_on_the_edit_page_needs_a_reason_too(cast, transition):
    meeting = call(cast, transition)
    with pytest.raises(ValidationError) as e:
        actions.change_meeting(
            actor=cast.kari,
            meeting=meeting,
            version=meeting.version,
            starts_at=at(START + timedelta(days=20)),
            place="x",
        )
    assert "off_routine_reason" in e.value.message_dict
    assert Meeting.objects.get(pk=meeting.pk).starts_at == at(START + timedelta(days=10))


def test_holder_chooses_to_set_the_measures_evaluation_dates_to_overgangsmote_2(cast, transition):
    log = transition.log
    goal = actions.add_goal(actor=cast.kari, log=log, arena=Arena.SERVICE, text="En trygg skolestart")

    def measure(what, deadline, evaluation):
        data = MeasureData(what, MeasureCategory.ANNET, cast.silje, deadline, evaluation)
        return actions.add_measure(actor=cast.kari, goal=goal, data=data)

    early = measure("Gå skoleveien i ferien", date(2026, 8, 1), date(2026, 9, 30))
    after = measure("Foreldremøte på skolen", date(2026, 9, 15), date(2026, 9, 30))
    day = START + timedelta(days=10)
    call(cast, transition, day=day)  # not chosen: nothing changes
    early.refresh_from_db()
    assert early.evaluation_date == date(2026, 9, 30)
    call(cast, transition, day=day, set_evaluation_dates=True)
    early.refresh_from_db()
    after.refresh_from_db()
    assert early.evaluation_date == day
    assert after.evaluation_date == date(2026, 9, 30)  # its deadline is after the meeting
    assert AuditEvent.objects.get(action="measure.evaluation_dates_set").details == {
        "dato": day.isoformat(),
        "antall": 1,
    }


def test_transition_meeting_page_warns_and_offers_to_move_the_meeting_already_called(client, cast, transition):
    log = transition.log
    page = reverse("logs:transition_meeting", args=[log.code, transition.code, 2])
    client.force_login(cast.kari)
    late = {"starts_at": f"{START + timedelta(days=20)}T10:00", "place": "Skolen"}
    refused = client.post(page, late)
    assert refused.status_code == 400 and "senest 31.08.2026" in refused.content.decode()
    assert client.post(page, {**late, "off_routine_reason": "Ferie"}).status_code == 302
    again = client.get(page).content.decode()
    assert "er allerede kalt inn" in again and "Flytt møtet" in again
    assert client.post(page, {"starts_at": f"{START + timedelta(days=9)}T10:00", "place": "Skolen"}).status_code == 302
    assert Meeting.objects.filter(log=log).count() == 1


def test_only_the_holder_calls_or_moves_a_transition_meeting(cast, transition):
    meeting = call(cast, transition)
    for person in (cast.outsider, cast.silje):
        with pytest.raises((PermissionDenied, Http404)):
            actions.schedule_transition_meeting(
                actor=person, transition=transition, number=2, starts_at=at(START), place="Et annet sted"
            )
    assert Meeting.objects.get(pk=meeting.pk).place == "Skolen"
