"""Issue 14: no break in follow-up. Each test names a finding of the simulated year and fails on
the code before it: a reminder reaches a named person who may read the log (the holder in the
place of someone who cannot be reached, the unit's leaders in the holder's), «no meeting» counts
held meetings in calendar months, and an outage of any length loses nothing.

The clock and helpers are those of tests/notify/test_reminders.py (Monday 2 March 2026)."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from stafett.core.daily import run_daily
from stafett.core.models import DailyRun, last_successful_run
from stafett.logs import actions
from stafett.logs.models import ResponsibleKind
from stafett.logs.reminders import stand_in_tasks
from stafett.notify.models import Channel, Kind, Notification, Status, Unreachable, Whose
from stafett.notify.texts import line_for
from tests.notify import test_reminders as base
from tests.notify.test_reminders import D0, OSLO, add_measure, day, on, run_every_day, sent_on

# The clock and the `open_log` factory of the base reminder tests.
monday_morning = base.monday_morning
open_log = base.open_log

MEASURE_KINDS = [
    Kind.DEADLINE_SOON,
    Kind.DEADLINE_TODAY,
    Kind.DEADLINE_PASSED,
    Kind.EVALUATION_SOON,
    Kind.EVALUATION_TODAY,
    Kind.EVALUATION_PASSED,
]


def rows_about(person) -> list[Notification]:
    return list(Notification.objects.filter(stands_in_for=person).order_by("created_at", "id"))


# --- §1 every due item reaches a named person ------------------------------------------------------


def test_reminders_for_a_youth_without_email_or_phone_go_to_the_holder_saying_whose_and_why(cast, youth_log):
    assert not cast.jonas.email and not cast.jonas.phone  # he may read his own log, but cannot be told
    measure = add_measure(youth_log, cast.jonas, deadline=day(10), evaluation=day(17))
    assert measure.responsible_kind == ResponsibleKind.CHILD

    run_every_day(D0, day(30))

    told = rows_about(cast.jonas)
    assert [(n.kind, n.recipient, timezone.localdate(n.created_at)) for n in told] == [
        (Kind.DEADLINE_SOON, cast.kari, day(7)),
        (Kind.DEADLINE_PASSED, cast.kari, day(11)),
        (Kind.EVALUATION_SOON, cast.kari, day(14)),
        (Kind.EVALUATION_PASSED, cast.kari, day(18)),
    ]
    assert {(n.whose, n.unreachable, n.path) for n in told} == {
        (Whose.CHILD, Unreachable.NO_CHANNEL, f"/logg/{youth_log.code}/")
    }
    text = line_for(told[0].kind, told[0].whose, told[0].unreachable)
    assert "barnet eller ungdommen selv" in text and "ikke har e-post eller mobilnummer" in text
    assert "Jonas" not in text and "Hansen" not in text  # never the child's name


def test_reminder_goes_to_the_holder_when_the_responsible_persons_last_notification_failed_six_times(
    cast, log, silje_measure
):
    Notification.objects.create(
        recipient=cast.silje,
        address=cast.silje.email,
        channel=Channel.EMAIL,
        kind=Kind.NEW_MESSAGE,
        path="/",
        status=Status.FAILED,
        attempts=6,
        next_attempt_at=timezone.now(),
    )

    run_every_day(D0, day(12))

    assert sent_on(Kind.DEADLINE_SOON, cast.silje) == []
    to_kari = Notification.objects.get(kind=Kind.DEADLINE_SOON, stands_in_for=cast.silje)
    assert (to_kari.recipient, to_kari.whose, to_kari.unreachable) == (
        cast.kari,
        Whose.GUARDIAN,
        Unreachable.CHANNEL_FAILED,
    )


def test_reminder_for_a_guardian_shut_out_of_a_shielded_log_goes_to_the_holder(cast, log, silje_measure):
    actions.shield_from_guardians(actor=cast.kari, log=log)

    run_every_day(D0, day(12))

    assert sent_on(Kind.DEADLINE_SOON, cast.silje) == []
    to_kari = Notification.objects.get(kind=Kind.DEADLINE_SOON, stands_in_for=cast.silje)
    assert (to_kari.recipient, to_kari.unreachable) == (cast.kari, Unreachable.NO_ACCESS)


def test_reminder_for_a_holder_without_a_channel_goes_to_the_unit_leaders_with_the_overview_link(cast, open_log):
    log = open_log(until=day(35))
    cast.kari.email = ""
    cast.kari.save()

    run_every_day(D0, day(6))

    row = Notification.objects.get(kind=Kind.CONSENT_EXPIRING)
    assert (row.recipient, row.stands_in_for, row.whose, row.unreachable) == (
        cast.berit,
        cast.kari,
        Whose.HOLDER,
        Unreachable.NO_CHANNEL,
    )
    assert row.path == f"/tjenestested/{log.unit.code}/oversikt/"  # the leader does not read the log


def test_measures_the_holder_stands_in_for_are_listed_in_mine_oppgaver_and_trenger_oppfolging(cast, youth_log, client):
    add_measure(youth_log, cast.jonas, deadline=day(10), evaluation=day(17))

    assert [(m.responsible, why) for m, why in stand_in_tasks(cast.kari, D0)] == [(cast.jonas, Unreachable.NO_CHANNEL)]
    client.force_login(cast.kari)
    page = client.get("/").content.decode()
    assert "tiltak du følger opp for andre" in page
    assert "Fordi Jonas ikke har e-post eller mobilnummer i Stafett" in page
    assert "Den ansvarlige kan ikke nås – du får påminnelsene (1 tiltak)" in page


# --- §3 calendars -----------------------------------------------------------------------------------


def test_a_meeting_planned_far_ahead_does_not_hide_a_quiet_log_and_the_reminder_says_one_is_planned(cast, log):
    actions.schedule_meeting(
        actor=cast.kari,
        log=log,
        starts_at=datetime.combine(date(2026, 9, 15), time(10), tzinfo=OSLO),
        place="Solsikken",
        agenda="Hvordan går det?",
    )

    run_every_day(D0, date(2026, 7, 1))

    assert sent_on(Kind.NO_MEETING_PLANNED, cast.kari) == [date(2026, 6, 2)]
    assert sent_on(Kind.NO_MEETING, cast.kari) == []
    assert "Et møte er avtalt" in line_for(Kind.NO_MEETING_PLANNED)


def test_no_meeting_counts_calendar_months_not_blocks_of_thirty_days(cast, log):
    cast.fjordvik.no_meeting_months = 6
    cast.fjordvik.save()

    run_every_day(date(2026, 8, 25), date(2026, 9, 10))

    assert sent_on(Kind.NO_MEETING, cast.kari) == [date(2026, 9, 2)]  # 2 March + 6 months, not 29 August


# --- §4 catch-up that never loses -------------------------------------------------------------------


def test_an_outage_longer_than_a_week_sends_every_missed_reminder_on_the_first_run_after(cast, log, silje_measure):
    # Deadline day 14, evaluation day 21: both reminders of each fall inside a 16-day outage.
    run_every_day(D0, day(5))
    run_every_day(day(22), day(30))

    assert sent_on(Kind.DEADLINE_PASSED, cast.silje) == [day(22)]
    assert sent_on(Kind.EVALUATION_PASSED, cast.silje) == [day(22)]
    # the passed «before» reminders are folded into the overdue ones, not sent as «soon»
    assert sent_on(Kind.DEADLINE_SOON, cast.silje) == []
    assert sent_on(Kind.EVALUATION_SOON, cast.silje) == []


def test_a_before_reminder_whose_date_came_in_an_outage_is_sent_on_the_day_as_due_today(cast, log, silje_measure):
    run_every_day(D0, day(5))
    run_every_day(day(14), day(16))  # the first run after the outage is the deadline itself

    assert sent_on(Kind.DEADLINE_TODAY, cast.silje) == [day(14)]
    assert sent_on(Kind.DEADLINE_PASSED, cast.silje) == [day(15)]
    assert sent_on(Kind.DEADLINE_SOON, cast.silje) == []


def test_a_measure_already_overdue_twenty_days_when_the_municipality_starts_is_reminded_on_its_first_run(cast, log):
    with on(D0 - timedelta(days=30)):  # planned a month ago, in the system the municipality used before
        overdue = add_measure(log, cast.silje, deadline=D0 - timedelta(days=20), evaluation=D0 - timedelta(days=10))

    run_every_day(D0, day(3))

    rows = Notification.objects.filter(recipient=cast.silje, dedupe_key__contains=str(overdue.code))
    assert {(n.kind, timezone.localdate(n.created_at)) for n in rows} == {
        (Kind.DEADLINE_PASSED, D0),
        (Kind.EVALUATION_PASSED, D0),
    }
    assert rows.count() == 2


def test_a_consent_that_ran_out_during_an_outage_gets_its_last_warning_late_saying_it_has_run_out(cast, open_log):
    open_log(until=day(35))
    run_every_day(D0, day(22))  # the 30- and 14-day warnings
    run_every_day(day(40), day(42))  # the 7-day warning's day (28) and the end (35) passed unseen

    assert sent_on(Kind.CONSENT_EXPIRING, cast.kari) == [day(5), day(21)]
    assert sent_on(Kind.CONSENT_EXPIRED, cast.kari) == [day(40)]


def test_the_daily_job_records_each_finished_day_and_the_next_run_knows_the_last_one(cast, log, settings, tmp_path):
    settings.ARCHIVE_DIR = tmp_path / "arkiv"
    for when in (day(1), day(2), day(20)):
        with on(when):
            run_daily(when)

    assert list(DailyRun.objects.order_by("day").values_list("day", flat=True)) == [day(1), day(2), day(20)]
    assert last_successful_run(day(20)) == day(2)
    assert last_successful_run(day(1)) is None


def test_the_quarterly_summary_missed_in_an_outage_comes_on_the_first_run_after(cast, log):
    run_every_day(date(2026, 3, 20), date(2026, 3, 25))
    run_every_day(date(2026, 4, 14), date(2026, 4, 20))  # 1–13 April: no runs

    assert sent_on(Kind.QUARTERLY_SUMMARY, cast.berit) == [date(2026, 3, 20), date(2026, 4, 14)]
