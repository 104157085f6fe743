"""The outbox (stafett/notify/outbox.py): a notification is a row written in the action's own
transaction and delivered by the worker — a lost process loses nothing, a failing channel is
retried with backoff, nothing is sent twice — and it never carries what the log says."""

from datetime import timedelta
from smtplib import SMTPServerDisconnected

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from stafett.followup.notification_choices import Choices, save_preferences
from stafett.logs import actions
from stafett.logs.models import Message, Participant
from stafett.notify import channels, tasks
from stafett.notify.models import Channel, Kind, Notification, Preferences, Status
from stafett.notify.outbox import MAX_ATTEMPTS, backoff, deliver_due, queue
from stafett.notify.texts import line_for

SECRET = "Emma gråt hele formiddagen etter at pappa flyttet ut i helgen."


class Boom(Exception):
    pass


class WorkerKilled(BaseException):
    """The process dies mid-send (SIGKILL, out of memory): no `except Exception` sees it."""


def statuses() -> dict[str, str]:
    return {n.address: n.status for n in Notification.objects.all()}


@pytest.fixture
def one_row(cast) -> Notification:
    (row,) = queue(recipient=cast.silje, kind=Kind.NEW_MESSAGE, path="/logg/abc/")
    return row


@pytest.fixture
def sms_file(settings, tmp_path):
    settings.SMS_BACKEND = "stafett.notify.channels.FileSms"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.txt")
    return tmp_path / "sms.txt"


# --- Written with the action, in its transaction --------------------------------------------------


def test_notification_rows_are_written_by_the_action_itself(cast, log):
    actions.post_message(actor=cast.kari, log=log, text="Vi sees på mandag.")

    rows = Notification.objects.all()
    assert {(n.recipient, n.kind, n.status) for n in rows} == {
        (cast.nina, Kind.NEW_MESSAGE, Status.PENDING),
        (cast.silje, Kind.NEW_MESSAGE, Status.PENDING),
    }
    assert {n.path for n in rows} == {f"/logg/{log.code}/"}


def test_an_action_that_rolls_back_leaves_no_notification_and_wakes_no_worker(
    cast, log, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as wake_ups, pytest.raises(Boom), transaction.atomic():
        actions.post_message(actor=cast.kari, log=log, text="Vi sees på mandag.")
        assert Notification.objects.count() == 2  # written inside the action's transaction ...
        raise Boom  # ... and gone with it

    assert not Message.objects.exists()
    assert not Notification.objects.exists()
    assert wake_ups == []
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_committed_action_wakes_the_worker_and_the_mail_goes_out_at_once(cast, log):
    actions.post_message(actor=cast.kari, log=log, text="Vi sees på mandag.")

    # HUEY is immediate in tests: the task queued on commit has already run.
    assert sorted(m.to[0] for m in mail.outbox) == sorted([cast.nina.email, cast.silje.email])
    assert set(statuses().values()) == {Status.SENT}


@pytest.mark.django_db(transaction=True)
def test_a_failed_action_sends_nothing_even_with_a_real_commit(cast, log):
    with pytest.raises(Boom), transaction.atomic():
        actions.post_message(actor=cast.kari, log=log, text="Vi sees på mandag.")
        raise Boom

    assert not Notification.objects.exists()
    assert mail.outbox == []


# --- A lost process loses nothing ------------------------------------------------------------------


def test_a_row_survives_a_crash_between_commit_and_delivery(cast, log, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as wake_ups:
        actions.post_message(actor=cast.kari, log=log, text="Vi sees på mandag.")
    assert wake_ups  # the process dies before it can wake the worker
    assert set(statuses().values()) == {Status.PENDING}
    assert mail.outbox == []

    assert deliver_due() == 2  # the worker's next periodic run

    assert sorted(m.to[0] for m in mail.outbox) == sorted([cast.nina.email, cast.silje.email])
    for n in Notification.objects.all():
        assert (n.status, n.attempts, n.last_error) == (Status.SENT, 1, "")
        assert n.sent_at is not None


def test_a_queue_that_is_down_does_not_fail_the_action_and_the_periodic_run_delivers(
    cast, log, monkeypatch, django_capture_on_commit_callbacks
):
    def queue_down() -> None:
        raise ConnectionError("redis is not running")

    monkeypatch.setattr(tasks, "deliver_now", queue_down)
    with django_capture_on_commit_callbacks(execute=True):
        message = actions.post_message(actor=cast.kari, log=log, text="Vi sees på mandag.")

    assert Message.objects.filter(pk=message.pk).exists()
    assert set(statuses().values()) == {Status.PENDING}
    assert deliver_due() == 2
    assert len(mail.outbox) == 2


def test_a_row_claimed_by_a_worker_that_died_is_delivered_after_the_backoff(one_row, monkeypatch):
    def die(**kwargs) -> None:
        raise WorkerKilled

    now = timezone.now()
    with monkeypatch.context() as m:
        m.setattr(channels, "send_email", die)
        with pytest.raises(WorkerKilled):
            deliver_due(now)

    one_row.refresh_from_db()
    assert (one_row.status, one_row.attempts) == (Status.PENDING, 1)
    assert one_row.next_attempt_at == now + backoff(1) > now

    assert deliver_due(now + timedelta(seconds=30)) == 0  # still claimed by the dead worker
    assert mail.outbox == []
    assert deliver_due(one_row.next_attempt_at) == 1

    one_row.refresh_from_db()
    assert (one_row.status, one_row.attempts) == (Status.SENT, 2)
    assert [m.to for m in mail.outbox] == [["silje@example.com"]]


# --- Retries -----------------------------------------------------------------------------------------


def test_a_failing_channel_is_retried_with_increasing_backoff_then_marked_failed(one_row, monkeypatch):
    tries = []

    def broken(**kwargs) -> None:
        tries.append(kwargs["to"])
        raise SMTPServerDisconnected("Connection unexpectedly closed: 421 try again later")

    monkeypatch.setattr(channels, "send_email", broken)
    now = timezone.now()
    waits = []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert deliver_due(now) == 0
        one_row.refresh_from_db()
        assert one_row.attempts == attempt
        assert len(tries) == attempt
        if attempt < MAX_ATTEMPTS:
            assert one_row.status == Status.PENDING
            waits.append(one_row.next_attempt_at - now)
            deliver_due(one_row.next_attempt_at - timedelta(seconds=1))  # not yet
            assert len(tries) == attempt
        now = one_row.next_attempt_at

    assert waits == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16)]
    assert one_row.status == Status.FAILED
    assert "421 try again later" in one_row.last_error
    assert one_row.sent_at is None

    deliver_due(now + timedelta(days=1))  # a failed row is not tried again
    assert len(tries) == MAX_ATTEMPTS


def test_a_retry_that_succeeds_is_sent_and_forgets_the_error(one_row, monkeypatch):
    def network_down(**kwargs) -> None:
        raise OSError("network down")

    with monkeypatch.context() as m:
        m.setattr(channels, "send_email", network_down)
        deliver_due()
    one_row.refresh_from_db()
    assert (one_row.status, one_row.last_error) == (Status.PENDING, "network down")

    assert deliver_due(one_row.next_attempt_at) == 1

    one_row.refresh_from_db()
    assert (one_row.status, one_row.last_error, one_row.attempts) == (Status.SENT, "", 2)
    assert len(mail.outbox) == 1


# --- Never twice ------------------------------------------------------------------------------------


def test_two_deliver_runs_do_not_send_the_same_row_twice(cast, log):
    actions.post_message(actor=cast.kari, log=log, text="Vi sees på mandag.")

    assert deliver_due() == 2
    assert deliver_due() == 0
    assert deliver_due(timezone.now() + timedelta(days=1)) == 0

    assert len(mail.outbox) == 2


def test_two_workers_running_at_once_send_each_row_once(cast, log, monkeypatch):
    actions.post_message(actor=cast.kari, log=log, text="Vi sees på mandag.")
    send = channels.send_email
    now = timezone.now()
    second_worker: dict[str, int] = {}

    def send_while_another_worker_runs(**kwargs) -> None:
        if "sent" not in second_worker:
            # A second worker runs meanwhile; the first, with its list read before, must skip what it sent.
            second_worker["sent"] = 0
            second_worker["sent"] = deliver_due(now)
        send(**kwargs)

    monkeypatch.setattr(channels, "send_email", send_while_another_worker_runs)

    first_worker = deliver_due(now)

    assert (first_worker, second_worker["sent"]) == (1, 1)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([cast.nina.email, cast.silje.email])
    assert {n.attempts for n in Notification.objects.all()} == {1}


def test_the_same_reminder_is_queued_once(cast):
    first = queue(recipient=cast.kari, kind=Kind.DEADLINE_SOON, path="/logg/x/", dedupe_key="frist:x:før")
    again = queue(recipient=cast.kari, kind=Kind.DEADLINE_SOON, path="/logg/x/", dedupe_key="frist:x:før")

    assert len(first) == 1
    assert again == []
    assert Notification.objects.count() == 1


# --- What a notification says -------------------------------------------------------------------


def test_notifications_carry_no_name_number_unit_or_content_only_a_line_and_a_link(cast, log, sms_file):
    cast.nina.phone = "+4791234567"
    cast.nina.save()
    save_preferences(actor=cast.nina, by_email=False, by_sms=True, general=Choices(True, True, False), per_log={})

    actions.post_message(actor=cast.kari, log=log, text=SECRET)
    assert deliver_due() == 2

    link = channels.absolute(f"/logg/{log.code}/")
    line = line_for(Kind.NEW_MESSAGE)
    (email,) = mail.outbox
    assert email.to == [cast.silje.email]
    ((html, mimetype),) = email.alternatives
    assert mimetype == "text/html"
    sms = sms_file.read_text(encoding="utf-8")
    assert sms.startswith(f"{cast.nina.phone}\t")

    texts = {"subject": email.subject, "text": email.body, "html": html, "sms": sms}
    for part in ("text", "html", "sms"):
        assert line in texts[part], part
        assert link in texts[part], part
    forbidden = [
        cast.emma.given_name,
        cast.emma.family_name,
        cast.emma.national_id,
        cast.emma.birth_date.strftime("%d.%m.%Y"),
        SECRET,
        "gråt hele formiddagen",
        "pappa",
        cast.kindergarten.name,
        "Solsikken",
        cast.health_station.name,
        cast.kari.full_name,  # who wrote it says which unit and which child
    ]
    for part, text in texts.items():
        for word in forbidden:
            assert word not in text, f"{word!r} in the {part}"


@pytest.mark.parametrize("kind", Kind.values)
def test_every_kind_of_notification_has_a_generic_line(cast, kind):
    channels.send_email(to="a@example.com", name="Silje", kind=kind, path="/logg/x/")

    assert line_for(kind) in mail.outbox[0].body
    assert mail.outbox[0].subject == "Nytt i Stafett"


# --- Who is told -------------------------------------------------------------------------------------


def test_a_participant_who_turned_off_message_notifications_gets_none_while_the_guardian_does(cast, log):
    nina = Participant.objects.get(log=log, person=cast.nina)
    save_preferences(
        actor=cast.nina,
        by_email=True,
        by_sms=False,
        general=Choices(True, True, False),
        per_log={nina.id: Choices(new_message=False, calendar=True, comment=False)},
    )

    actions.post_message(actor=cast.kari, log=log, text="Vi sees på mandag.")

    assert [n.recipient for n in Notification.objects.all()] == [cast.silje]


def test_a_guardian_who_turned_off_message_notifications_gets_none(cast, log):
    Preferences.objects.create(person=cast.silje, new_message=False)

    actions.post_message(actor=cast.kari, log=log, text="Vi sees på mandag.")

    assert [n.recipient for n in Notification.objects.all()] == [cast.nina]


def test_the_actor_is_not_notified_about_their_own_message(cast, log):
    actions.post_message(actor=cast.nina, log=log, text="Hørselstesten er bestilt.")

    assert sorted(n.recipient.given_name for n in Notification.objects.all()) == ["Kari", "Silje"]


def test_a_person_who_chose_sms_gets_an_sms(cast, log, sms_file):
    cast.silje.phone = "+4790000001"
    cast.silje.save()
    Preferences.objects.create(person=cast.silje, by_email=False, by_sms=True)

    actions.post_message(actor=cast.kari, log=log, text="Vi sees på mandag.")
    deliver_due()

    to_silje = Notification.objects.get(recipient=cast.silje)
    assert (to_silje.channel, to_silje.address, to_silje.status) == (Channel.SMS, "+4790000001", Status.SENT)
    assert sms_file.read_text(encoding="utf-8").splitlines() == [
        f"+4790000001\tStafett: {line_for(Kind.NEW_MESSAGE)} {channels.absolute(f'/logg/{log.code}/')}"
    ]
    assert [m.to for m in mail.outbox] == [[cast.nina.email]]


def test_a_person_who_chose_both_gets_an_email_and_an_sms(cast, log, sms_file):
    cast.silje.phone = "+4790000001"
    cast.silje.save()
    Preferences.objects.create(person=cast.silje, by_email=True, by_sms=True)

    actions.post_message(actor=cast.kari, log=log, text="Vi sees på mandag.")

    channels_to_silje = Notification.objects.filter(recipient=cast.silje).values_list("channel", flat=True)
    assert sorted(channels_to_silje) == sorted([Channel.EMAIL, Channel.SMS])


def test_one_action_telling_several_people_wakes_the_worker_once(cast, log, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        actions.post_message(actor=cast.kari, log=log, text="Til alle")

    assert Notification.objects.filter(kind=Kind.NEW_MESSAGE).values("recipient").distinct().count() >= 2
    assert len(callbacks) == 1
