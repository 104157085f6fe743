"""What the log page points out (issue 15 §8): «Dette mangler» judges the measures of the
current round, and a level-1 log with several services taking part is offered level 2."""

from datetime import datetime, time, timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from stafett.logs import actions
from stafett.logs.actions import EvaluationData
from stafett.logs.models import Decision, Level, RelayLog
from stafett.logs.queries import log_page


def hold_meeting(cast, log, day):
    when = timezone.make_aware(datetime.combine(day, time(9)))
    meeting = actions.schedule_meeting(
        actor=cast.kari, log=log, starts_at=when, place="Barnehagen", agenda="Evaluering"
    )
    return meeting


def end_all_measures_at(cast, log, meeting):
    actions.record_minutes(
        actor=cast.kari,
        meeting=meeting,
        version=meeting.version,
        attendees=[cast.silje],
        minutes="Evaluert.",
        next_meeting_date=None,
    )
    for measure in log.measures.all():
        actions.evaluate_measure(
            actor=cast.kari, measure=measure, data=EvaluationData(carried_out=True, decision=Decision.STOP)
        )


def test_measures_ended_at_the_latest_meeting_still_count_as_this_rounds(cast, log):
    day = timezone.localdate() + timedelta(days=30)
    meeting = hold_meeting(cast, log, day)
    with time_machine.travel(day + timedelta(days=1)):
        end_all_measures_at(cast, log, meeting)
        gaps = log_page(RelayLog.objects.get(pk=log.pk)).gaps
    assert not log.measures.filter(stopped_at__isnull=True).exists()
    assert "De foresatte har ikke noe eget tiltak ennå." not in gaps
    assert not any("Nina Fossum" in g for g in gaps)


def test_a_new_round_after_a_later_meeting_asks_for_measures_again(cast, log):
    first = timezone.localdate() + timedelta(days=30)
    meeting = hold_meeting(cast, log, first)
    with time_machine.travel(first + timedelta(days=1)):
        end_all_measures_at(cast, log, meeting)
    later = first + timedelta(days=60)
    with time_machine.travel(later - timedelta(days=10)):
        second = hold_meeting(cast, log, later)
    with time_machine.travel(later + timedelta(days=1)):
        second.refresh_from_db()
        actions.record_minutes(
            actor=cast.kari,
            meeting=second,
            version=second.version,
            attendees=[cast.silje],
            minutes="Ny runde.",
            next_meeting_date=None,
        )
        gaps = log_page(RelayLog.objects.get(pk=log.pk)).gaps
    assert "De foresatte har ikke noe eget tiltak ennå." in gaps


def test_measures_ended_before_any_meeting_do_not_count(cast, log, silje_measure):
    actions.evaluate_measure(
        actor=cast.kari, measure=silje_measure, data=EvaluationData(carried_out=True, decision=Decision.STOP)
    )
    assert "De foresatte har ikke noe eget tiltak ennå." in log_page(RelayLog.objects.get(pk=log.pk)).gaps


def detail(client, person, log):
    client.force_login(person)
    return client.get(reverse("logs:detail", args=[log.code])).content.decode()


def test_level_one_log_with_two_services_taking_part_suggests_level_two(client, cast, log):
    assert log.level == Level.ONE
    page = detail(client, cast.kari, log)
    assert 'id="nivaforslag"' in page
    assert "Flere tjenester deltar (barnehage, helsestasjon)" in page
    assert f'href="{reverse("logs:edit_overview", args=[log.code])}#id_level"' in page
    assert 'id="nivaforslag"' not in detail(client, cast.silje, log)  # only for those who may change it


def test_no_level_suggestion_at_level_two_or_with_one_service(client, cast, log):
    participant = log.participants.get(person=cast.nina)
    actions.remove_participant(actor=cast.kari, participant=participant)
    assert 'id="nivaforslag"' not in detail(client, cast.kari, log)
    actions.add_participant(actor=cast.kari, log=log, person=cast.nina, unit=cast.health_station)
    RelayLog.objects.filter(pk=log.pk).update(level=Level.TWO)
    assert 'id="nivaforslag"' not in detail(client, cast.kari, log)
