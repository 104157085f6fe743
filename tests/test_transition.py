"""Kindergarten → school (seeds/000): from notice to overgangsmøte 2, with what is due and what is missing."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from stafett.lib.demo_pdf import minimal_pdf
from stafett.logs import actions, transitions
from stafett.logs.actions import ConsentData, MeasureData
from stafett.logs.models import Arena, CloseReason, MeasureCategory, TransitionKind
from tests.transition_fixtures import *  # noqa: F403 - the shared fixtures (school, log)
from tests.transition_fixtures import states

TODAY = date(2026, 3, 2)
START = date(2026, 8, 17)


@pytest.fixture(autouse=True)
def frozen_spring():
    with time_machine.travel(date(2026, 3, 2), tick=False):
        yield


def test_kindergarten_to_school_from_notice_to_second_meeting(cast, log, school):
    school_unit, sfo, people = school
    t = actions.start_transition(
        actor=cast.kari,
        log=log,
        kind=TransitionKind.KINDERGARTEN_TO_SCHOOL,
        to_unit=school_unit,
        start_date=START,
        sfo_unit=sfo,
    )
    s = states(t)
    assert s["notify"].due == date(2025, 11, 30) and s["notify"].overdue  # November the year before
    assert transitions.next_step(transitions.progress(t)).key == "notify"
    assert transitions.announced_to(people["rektor"]) == []
    actions.notify_school(actor=cast.kari, transition=t)
    assert transitions.announced_to(people["rektor"]) == [t]  # the school sees the child is coming

    actions.add_participant(actor=cast.kari, log=log, person=people["rektor"], unit=school_unit)
    actions.add_participant(actor=cast.kari, log=log, person=people["sfo"], unit=sfo)
    assert states(t)["principal"].done
    # The principal — not the holder — adds the contact teacher (seeds/000).
    actions.add_contact_teacher(actor=people["rektor"], transition=t, teacher=people["laerer"])
    assert states(t)["contact_teacher"].done

    m1 = actions.schedule_transition_meeting(
        actor=cast.kari, transition=t, number=1, starts_at=timezone.now() + timedelta(days=60), place="Barnehagen"
    )
    assert m1.title == "Overgangsmøte 1"
    assert states(t)["measures"].missing == [
        "Barnehagen har ikke noe tiltak (avslutning av barnehagetiden).",
        "De foresatte har ikke noe tiltak (i ferien).",
        "SFO-lederen har ikke noe tiltak (ved SFO-start).",
        "Kontaktlæreren har ikke noe tiltak (første skoledag).",
    ]
    goal = actions.add_goal(actor=cast.kari, log=log, arena=Arena.SERVICE, text="En trygg skolestart")
    evaluation = START + timedelta(days=10)
    for who, what in [
        (cast.kari, "Besøke skolen med barnehagegruppa"),
        (cast.silje, "Gå skoleveien sammen i ferien"),
        (people["sfo"], "Fast voksen første uke på SFO"),
        (people["laerer"], "Ta imot Emma ved porten første skoledag"),
    ]:
        actions.add_measure(
            actor=cast.kari, goal=goal, data=MeasureData(what, MeasureCategory.ANNET, who, date(2026, 6, 1), evaluation)
        )
    actions.record_minutes(
        actor=cast.kari,
        meeting=m1,
        version=m1.version,
        attendees=[cast.silje],
        minutes="Tiltak avtalt.",
        next_meeting_date=evaluation,
    )
    s = states(t)
    assert s["measures"].done and s["meeting_1"].done
    assert transitions.next_step(transitions.progress(t)).key == "meeting_2"
    assert s["meeting_2"].due == START + timedelta(days=14)

    m2 = actions.schedule_transition_meeting(
        actor=cast.kari, transition=t, number=2, starts_at=timezone.now() + timedelta(days=170), place="Skolen"
    )
    actions.record_minutes(
        actor=cast.kari,
        meeting=m2,
        version=m2.version,
        attendees=[cast.silje],
        minutes="Evaluert.",
        next_meeting_date=None,
    )
    handover = actions.propose_handover(actor=cast.kari, log=log, to=people["laerer"], unit=school_unit)
    actions.accept_handover(actor=people["laerer"], handover=handover)
    t.refresh_from_db()
    assert t.completed_at is not None
    log.refresh_from_db()
    assert log.holder == people["laerer"]


def test_significant_needs_are_announced_a_year_earlier(cast, log, school):
    t = actions.start_transition(
        actor=cast.kari,
        log=log,
        kind=TransitionKind.KINDERGARTEN_TO_SCHOOL,
        to_unit=school[0],
        start_date=START,
        significant_needs=True,
    )
    assert states(t)["notify"].due == date(2024, 11, 30)


def test_transition_to_a_service_outside_consent_is_refused(cast, school):
    consent = ConsentData(
        services=["barnehage"],
        signatories=[cast.silje],
        document=SimpleUploadedFile("s.pdf", minimal_pdf(), content_type="application/pdf"),
        collected_at_unit=cast.kindergarten,
    )
    log = actions.open_log(actor=cast.kari, subject=cast.emma, unit=cast.kindergarten, consent=consent)
    with pytest.raises(ValidationError, match="omfatter ikke skole"):
        actions.start_transition(
            actor=cast.kari, log=log, kind=TransitionKind.KINDERGARTEN_TO_SCHOOL, to_unit=school[0], start_date=START
        )


def test_only_the_principal_or_holder_adds_the_contact_teacher(cast, log, school):
    school_unit, sfo, people = school
    t = actions.start_transition(
        actor=cast.kari, log=log, kind=TransitionKind.KINDERGARTEN_TO_SCHOOL, to_unit=school_unit, start_date=START
    )
    actions.add_participant(actor=cast.kari, log=log, person=people["sfo"], unit=sfo)
    with pytest.raises(PermissionDenied):
        actions.add_contact_teacher(actor=people["sfo"], transition=t, teacher=people["laerer"])
    with pytest.raises(PermissionDenied):
        actions.add_contact_teacher(actor=cast.silje, transition=t, teacher=people["laerer"])


def test_closing_the_log_completes_the_transition_and_a_new_one_can_start_later(cast, log, school):
    t = actions.start_transition(
        actor=cast.kari, log=log, kind=TransitionKind.MOVING, to_unit=school[0], start_date=START
    )
    assert [s.key for s in transitions.progress(t)] == ["notify", "principal", "finish"]
    with pytest.raises(ValidationError, match="allerede en overgang"):
        actions.start_transition(
            actor=cast.kari, log=log, kind=TransitionKind.MOVING, to_unit=school[0], start_date=START
        )
    actions.close_log(actor=cast.kari, log=log, reason=CloseReason.GOALS_MET)
    t.refresh_from_db()
    assert t.completed_at is not None


def test_log_page_shows_the_next_step_and_the_principal_sees_the_announcement(client, cast, log, school):
    school_unit, sfo, people = school
    client.force_login(cast.kari)
    response = client.post(
        reverse("logs:transition_start", args=[log.code]),
        {"kind": "barnehage_skole", "to_unit": school_unit.id, "start_date": START.isoformat()},
    )
    assert response.status_code == 302
    page = client.get(reverse("logs:detail", args=[log.code])).content.decode()
    assert "Neste steg:</strong> Meld fra til skolen" in page and "på etterskudd" in page
    t = log.transitions.get()
    client.post(reverse("logs:transition_notify", args=[log.code, t.code]))
    client.force_login(people["rektor"])
    start = client.get("/").content.decode()
    assert "Barn som skal begynne hos dere" in start and "Emma Hansen" in start
    assert client.get(reverse("logs:detail", args=[log.code])).status_code == 404  # not a participant yet


def test_measures_ended_at_overgangsmote_2_still_count_for_the_plan_from_meeting_1(cast, log, school):
    """Evaluating a measure as «avslutte» in overgangsmøte 2 must not send the routine back to
    «Minst ett tiltak hver» (on etterskudd by then); before meeting 1 an ended measure does not count."""
    school_unit, sfo, people = school
    t = actions.start_transition(
        actor=cast.kari, log=log, kind=TransitionKind.KINDERGARTEN_TO_SCHOOL, to_unit=school_unit, start_date=START
    )
    actions.notify_school(actor=cast.kari, transition=t)
    actions.add_participant(actor=cast.kari, log=log, person=people["rektor"], unit=school_unit)
    actions.add_contact_teacher(actor=people["rektor"], transition=t, teacher=people["laerer"])
    goal = actions.add_goal(actor=cast.kari, log=log, arena=Arena.SERVICE, text="En trygg skolestart")
    evaluation = START + timedelta(days=10)
    measures = [
        actions.add_measure(
            actor=cast.kari, goal=goal, data=MeasureData(what, MeasureCategory.ANNET, who, date(2026, 6, 1), evaluation)
        )
        for who, what in [
            (cast.kari, "Besøke skolen"),
            (cast.silje, "Gå skoleveien"),
            (people["laerer"], "Ta imot Emma ved porten"),
        ]
    ]
    stop = actions.EvaluationData(carried_out=True, decision="avslutte")
    actions.evaluate_measure(actor=cast.kari, measure=measures[0], data=stop)
    assert states(t)["measures"].missing == ["Barnehagen har ikke noe tiltak (avslutning av barnehagetiden)."]
    kindergarten_again = actions.add_measure(
        actor=cast.kari,
        goal=goal,
        data=MeasureData("Besøke skolen igjen", MeasureCategory.ANNET, cast.kari, date(2026, 6, 1), evaluation),
    )

    m1 = actions.schedule_transition_meeting(
        actor=cast.kari, transition=t, number=1, starts_at=timezone.now() + timedelta(days=60), place="Barnehagen"
    )
    actions.record_minutes(
        actor=cast.kari, meeting=m1, version=m1.version, attendees=[], minutes="Avtalt.", next_meeting_date=evaluation
    )
    assert states(t)["measures"].done
    # Overgangsmøte 2: the measures did their job and are ended.
    for measure in [kindergarten_again, measures[1], measures[2]]:
        actions.evaluate_measure(actor=cast.kari, measure=measure, data=stop)
    s = states(t)
    assert s["measures"].done, s["measures"].missing
    assert transitions.next_step(transitions.progress(t)).key == "meeting_2"
