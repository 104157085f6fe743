"""Everyone chooses how they are told, and a participant chooses per log what about."""

from django.urls import reverse

from stafett.followup.notification_choices import Choices, save_preferences
from stafett.logs import actions
from stafett.notify.models import Kind, Notification

URL = reverse("followup:notifications")


def form_data(**values: bool) -> dict[str, str]:
    return {name: "on" for name, on in values.items() if on}


def test_guardian_who_turns_off_message_notifications_gets_none(client, cast, log):
    client.force_login(cast.silje)

    response = client.post(URL, form_data(by_email=True, general_calendar=True))

    assert response.status_code == 302
    actions.post_message(actor=cast.kari, log=log, text="Hei")
    assert not Notification.objects.filter(recipient=cast.silje, kind=Kind.NEW_MESSAGE).exists()


def test_participant_changes_own_choice_for_one_log(client, cast, log):
    participant = log.participants.get(person=cast.nina)
    client.force_login(cast.nina)

    client.post(URL, form_data(by_email=True, **{f"log_{participant.id}_comment": True}))

    participant.refresh_from_db()
    assert (participant.notify_message, participant.notify_calendar, participant.notify_comment) == (
        False,
        False,
        True,
    )


def test_choices_for_someone_elses_participation_are_ignored(cast, log):
    nina = log.participants.get(person=cast.nina)
    all_on = Choices(True, True, True)

    save_preferences(
        actor=cast.kari, by_email=True, by_sms=False, general=all_on, per_log={nina.id: Choices(False, False, False)}
    )

    nina.refresh_from_db()
    assert nina.notify_message is True


def test_sms_cannot_be_chosen_without_a_phone_number(client, cast):
    client.force_login(cast.kari)

    response = client.post(URL, form_data(by_sms=True))

    assert response.status_code == 400
    assert "mobilnummeret" in response.content.decode()


def test_page_lists_the_logs_the_person_takes_part_in(client, cast, log):
    client.force_login(cast.nina)

    html = client.get(URL).content.decode()

    assert "Som deltaker i stafettloggen for Emma" in html


def test_page_needs_login(db, client):
    assert client.get(URL).status_code == 302
