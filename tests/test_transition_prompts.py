"""The transition's steps prompt for the right people and meetings (issue 15 §8, seeds/000):
the SFO leader when the child goes to SFO, the February/March meeting with the barnehagefaglig
rådgiver, and links that open the form with the principal or the contact teacher chosen."""

from datetime import date, datetime, time

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from stafett.logs import actions, transitions
from stafett.logs.models import TransitionKind
from tests.transition_fixtures import *  # noqa: F403 - the shared fixtures (school, log)
from tests.transition_fixtures import states

START = date(2026, 8, 17)


@pytest.fixture(autouse=True)
def frozen_winter():
    with time_machine.travel(date(2026, 1, 12), tick=False):
        yield


def start(cast, log, school, *, sfo=True):
    school_unit, sfo_unit, _ = school
    return actions.start_transition(
        actor=cast.kari,
        log=log,
        kind=TransitionKind.KINDERGARTEN_TO_SCHOOL,
        to_unit=school_unit,
        start_date=START,
        sfo_unit=sfo_unit if sfo else None,
    )


def test_transition_prompts_for_the_sfo_leader_when_the_child_goes_to_sfo(cast, log, school):
    _, sfo, people = school
    t = start(cast, log, school)
    step = states(t)["sfo_leader"]
    assert not step.done and step.missing == ["SFO-lederen ved Fjordvik SFO er ikke deltaker ennå."]
    actions.add_participant(actor=cast.kari, log=log, person=people["sfo"], unit=sfo)
    assert states(t)["sfo_leader"].done


def test_no_sfo_step_when_the_child_does_not_go_to_sfo(cast, log, school):
    assert "sfo_leader" not in states(start(cast, log, school, sfo=False))


def test_the_february_march_meeting_is_a_step_done_by_a_meeting_in_the_log(cast, log, school):
    t = start(cast, log, school)
    keys = [s.key for s in transitions.progress(t)]
    assert keys.index("notify") < keys.index("february_meeting") < keys.index("principal")
    step = states(t)["february_meeting"]
    assert not step.done and step.due == date(2026, 3, 31)
    assert "Barnehagefaglig rådgiver" in step.who
    when = timezone.make_aware(datetime.combine(date(2026, 2, 20), time(9)))
    actions.schedule_meeting(actor=cast.kari, log=log, starts_at=when, place="Rådhuset", agenda="Overgang")
    assert states(t)["february_meeting"].done


def page(client, person, log):
    client.force_login(person)
    return client.get(reverse("logs:detail", args=[log.code])).content.decode()


def test_add_principal_link_opens_the_form_with_the_principal_chosen(client, cast, log, school):
    school_unit, _, people = school
    start(cast, log, school)
    key = f"{people['rektor'].code}:{school_unit.code}"
    link = f"{reverse('logs:add_participant', args=[log.code])}?member={key.replace(':', '%3A')}"
    assert link in page(client, cast.kari, log)
    form = client.get(link).context["form"]
    assert form["member"].value() == key


def test_sfo_leader_link_opens_the_form_with_the_sfo_leader_chosen(client, cast, log, school):
    _, sfo, people = school
    start(cast, log, school)
    key = f"{people['sfo'].code}:{sfo.code}"
    assert f"?member={key.replace(':', '%3A')}" in page(client, cast.kari, log)
    form = client.get(reverse("logs:add_participant", args=[log.code]), {"member": key}).context["form"]
    assert form["member"].value() == key


def test_propose_contact_teacher_link_opens_the_handover_form_with_the_teacher_chosen(client, cast, log, school):
    school_unit, _, people = school
    t = start(cast, log, school)
    actions.add_participant(actor=cast.kari, log=log, person=people["rektor"], unit=school_unit)
    actions.add_contact_teacher(actor=people["rektor"], transition=t, teacher=people["laerer"])
    key = f"{people['laerer'].code}:{school_unit.code}"
    assert states(t)["finish"].member == key
    client.force_login(cast.kari)
    form = client.get(reverse("logs:propose_handover", args=[log.code]), {"member": key}).context["form"]
    assert form["member"].value() == key


def test_a_member_not_on_offer_is_not_preselected(client, cast, log, school):
    client.force_login(cast.kari)
    form = client.get(reverse("logs:add_participant", args=[log.code]), {"member": "x:y"}).context["form"]
    assert not form["member"].value()


def test_the_february_meeting_is_listed_but_never_the_holders_next_step(cast, log, school):
    t = start(cast, log, school)
    actions.notify_school(actor=cast.kari, transition=t)
    assert transitions.next_step(transitions.progress(t)).key == "principal"
    assert not states(t)["february_meeting"].done
