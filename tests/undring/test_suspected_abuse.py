"""Suspected violence or sexual abuse (SPEC §7): once a log is shielded, nothing reaches the
guardians — no access, no notification, no reminder, no consent request, by e-mail or SMS."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from stafett.core.reminders import run_reminders
from stafett.logs import actions
from stafett.logs.actions import ConsentTerms, request_consent
from stafett.logs.models import MeasureCategory
from stafett.notify.models import Notification, Status
from stafett.notify.outbox import deliver_due, preferences


@pytest.fixture
def sms_file(settings, tmp_path):
    settings.SMS_BACKEND = "stafett.notify.channels.FileSms"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.txt")
    return tmp_path / "sms.txt"


@pytest.fixture
def silje_wants_everything(cast):
    cast.silje.phone = "+4790000001"
    cast.silje.save()
    prefs = preferences(cast.silje)
    prefs.by_email = prefs.by_sms = prefs.new_message = prefs.calendar = prefs.comment = True
    prefs.save()


def test_shielding_stops_everything_reaching_the_guardians(client, cast, log, sms_file, silje_wants_everything):
    # Already queued before the suspicion arose: must not go out either.
    actions.post_message(actor=cast.kari, log=log, text="Før mistanken")
    assert Notification.objects.filter(recipient=cast.silje, status=Status.PENDING).exists()

    actions.shield_from_guardians(actor=cast.nina, log=log)

    # Everything that would normally tell them:
    actions.post_message(actor=cast.kari, log=log, text="Etter mistanken")
    actions.schedule_meeting(
        actor=cast.kari, log=log, starts_at=timezone.now() + timedelta(days=3), place="Kontoret", agenda="Status"
    )
    goal = log.goals.first()
    day = timezone.localdate() + timedelta(days=2)
    actions.add_measure(
        actor=cast.kari,
        goal=goal,
        data=actions.MeasureData("Hente tidlig", MeasureCategory.ANNET, cast.silje, day, day),
    )
    with pytest.raises(ValidationError):
        request_consent(
            actor=cast.kari,
            log=log,
            terms=ConsentTerms(services=["barnehage"], valid_until=timezone.localdate() + timedelta(days=300)),
        )
    for days in range(0, 40):
        with time_machine.travel(timezone.now() + timedelta(days=days), tick=False):
            run_reminders(timezone.localdate())
            deliver_due(timezone.now() + timedelta(hours=1))

    assert not Notification.objects.filter(recipient=cast.silje).exclude(status=Status.CANCELLED).exists()
    assert not any(cast.silje.email in m.to for m in mail.outbox)
    assert not sms_file.exists() or cast.silje.phone not in sms_file.read_text()
    assert any(cast.nina.email in m.to for m in mail.outbox)  # the professionals are still told

    client.force_login(cast.silje)
    assert client.get(reverse("logs:detail", args=[log.code])).status_code == 404
    assert reverse("logs:detail", args=[log.code]) not in client.get(reverse("core:start")).content.decode()


def test_guardians_are_told_as_usual_when_the_log_is_not_shielded(cast, log, sms_file, silje_wants_everything):
    actions.post_message(actor=cast.kari, log=log, text="Hei")
    deliver_due()

    assert any(cast.silje.email in m.to for m in mail.outbox)
    assert cast.silje.phone in sms_file.read_text()


@pytest.mark.parametrize(("who", "status"), [("kari", 200), ("nina", 200), ("silje", 403), ("berit", 404)])
def test_professionals_in_the_log_may_shield_it_guardians_may_not_know(client, cast, log, who, status):
    client.force_login(getattr(cast, who))

    assert client.get(reverse("logs:suspected_abuse", args=[log.code])).status_code == status


def test_log_page_shows_the_suspected_abuse_action_to_professionals_only(client, cast, log):
    client.force_login(cast.kari)
    assert "Mistanke om vold eller overgrep" in client.get(reverse("logs:detail", args=[log.code])).content.decode()
    client.force_login(cast.silje)
    assert "Mistanke om vold" not in client.get(reverse("logs:detail", args=[log.code])).content.decode()
