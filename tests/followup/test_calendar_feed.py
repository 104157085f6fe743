"""Personal calendar feeds (issue 11 §4): a private URL with the meetings and measure dates of
exactly the logs the person may read (access.py decides), never the child's name, cancelled or
moved meetings updated by SEQUENCE, and a revoked or unknown token answering 404."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from stafett.access import Action, can, readable_logs
from stafett.audit.models import AuditAction, AuditEvent
from stafett.followup.calendar_feed import create_feed, feed_for_token, revoke_feed
from stafett.logs import actions
from stafett.logs.models import GOOD_MEETINGS_AGENDA, Meeting, RelayLog
from stafett.notify.models import CalendarFeed

LOG_LINK = re.compile(r"/logg/([0-9a-f-]{36})/")


def meet(cast, log, *, days=7, title="Stafettmøte", place="Solsikken barnehage") -> Meeting:
    return actions.schedule_meeting(
        actor=cast.kari,
        log=log,
        starts_at=timezone.now() + timedelta(days=days),
        place=place,
        agenda=GOOD_MEETINGS_AGENDA,
        title=title,
    )


def fetch(client, token: str):
    return client.get(reverse("followup:calendar_feed", args=[token]))


def events(response) -> list:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/calendar")
    return list(Calendar.from_ical(response.content).walk("VEVENT"))


def logs_in(found: list) -> set[str]:
    return {LOG_LINK.search(str(e["DESCRIPTION"])).group(1) for e in found}


def by_uid(found: list, uid: str):
    [event] = [e for e in found if str(e["UID"]) == uid]
    return event


@pytest.fixture
def second_log(youth_log) -> RelayLog:
    """Jonas's log at the kindergarten, without Nina: readers differ between the two logs."""
    return youth_log


def test_the_feed_holds_exactly_the_events_of_the_logs_the_person_may_read(client, cast, log, second_log):
    meet(cast, log)
    meet(cast, second_log, days=9)
    every_log = [log, second_log]
    people = [
        cast.kari,
        cast.nina,
        cast.silje,
        cast.berit,
        cast.trude,
        cast.randi,
        cast.outsider,
        cast.emma,
        cast.jonas,
    ]
    seen_by_someone = set()
    for person in people:
        found = events(fetch(client, create_feed(actor=person).token))
        expected = {str(x.code) for x in every_log if can(person, Action.VIEW_LOG, x)}
        assert logs_in(found) == expected, person
        assert expected == {str(x.code) for x in readable_logs(person)}
        for each in every_log:
            if str(each.code) in expected:  # every meeting and both dates of every measure
                wanted = each.meetings.count() + 2 * each.measures.count()
                assert len([e for e in found if str(each.code) in str(e["DESCRIPTION"])]) == wanted
        seen_by_someone |= expected
    assert seen_by_someone == {str(log.code), str(second_log.code)}
    assert logs_in(events(fetch(client, create_feed(actor=cast.nina).token))) == {str(log.code)}


def test_a_log_leaves_the_feed_when_the_persons_access_ends(client, cast, log):
    meet(cast, log)
    token = create_feed(actor=cast.nina).token
    assert logs_in(events(fetch(client, token))) == {str(log.code)}
    actions.remove_participant(actor=cast.kari, participant=log.participants.get(person=cast.nina))
    assert events(fetch(client, token)) == []


def test_the_feed_never_carries_the_childs_name(client, cast, log):
    meet(cast, log, title="Møte om Emma Hansen", place="Hjemme hos Emma")
    found = events(fetch(client, create_feed(actor=cast.kari).token))
    assert found
    text = Calendar.from_ical(fetch(client, create_feed(actor=cast.kari).token).content).to_ical().decode()
    for name in ("Emma", "Hansen", "emma", "EMMA"):
        assert name not in text
    assert "Møte om barnet barnet" in text


def test_a_revoked_or_unknown_token_answers_404(client, cast, log):
    new = create_feed(actor=cast.kari)
    assert fetch(client, new.token).status_code == 200
    revoke_feed(actor=cast.kari, feed=new.feed)
    assert fetch(client, new.token).status_code == 404
    assert fetch(client, "ikke-en-ekte-adresse").status_code == 404
    assert fetch(client, CalendarFeed.new_token()).status_code == 404


def test_a_new_address_makes_the_old_one_stop_working(client, cast, log):
    old = create_feed(actor=cast.kari)
    new = create_feed(actor=cast.kari)
    assert fetch(client, old.token).status_code == 404
    assert fetch(client, new.token).status_code == 200


def test_a_cancelled_meeting_shows_status_cancelled_with_a_higher_sequence(client, cast, log):
    meeting = meet(cast, log)
    token = create_feed(actor=cast.kari).token
    before = by_uid(events(fetch(client, token)), f"{meeting.code}@stafett")
    assert str(before["STATUS"]) == "CONFIRMED"
    actions.cancel_meeting(actor=cast.kari, meeting=meeting, reason="Sykdom")
    after = by_uid(events(fetch(client, token)), f"{meeting.code}@stafett")
    assert str(after["STATUS"]) == "CANCELLED"
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])


def test_a_moved_meeting_keeps_its_uid_with_the_new_time_and_a_higher_sequence(client, cast, log):
    meeting = meet(cast, log)
    token = create_feed(actor=cast.kari).token
    before = by_uid(events(fetch(client, token)), f"{meeting.code}@stafett")
    later = meeting.starts_at + timedelta(days=2)
    actions.change_meeting(actor=cast.kari, meeting=meeting, version=meeting.version, starts_at=later, place="Rom 2")
    after = by_uid(events(fetch(client, token)), f"{meeting.code}@stafett")
    assert after.decoded("DTSTART") == later.replace(microsecond=0)
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])


def test_every_fetch_writes_one_audit_row_naming_the_logs_not_their_content(client, cast, log, second_log):
    new = create_feed(actor=cast.kari)
    fetch(client, new.token)
    fetch(client, new.token)
    rows = AuditEvent.objects.filter(action=AuditAction.CALENDAR_FEED_READ.value)
    assert rows.count() == 2
    assert set(rows.first().details["logger"]) == {str(log.code), str(second_log.code)}
    assert rows.first().actor_code == cast.kari.code
    new.feed.refresh_from_db()
    assert new.feed.last_fetched_at is not None


def test_the_url_holds_only_a_random_token_and_only_its_hash_is_stored(cast, log):
    new = create_feed(actor=cast.kari)
    path = new.url.split("://", 1)[1].split("/", 1)[1]
    assert re.fullmatch(r"kalender/[A-Za-z0-9_-]{40,}\.ics", path)
    for personal in (cast.kari.given_name, cast.kari.family_name, str(cast.kari.code), str(log.code)):
        assert personal not in new.url
    stored = CalendarFeed.objects.get(pk=new.feed.pk)
    assert new.token not in stored.token_hash and stored.token_hash == CalendarFeed.hash_of(new.token)
    assert feed_for_token(new.token) == stored


def test_the_feed_is_rate_limited_per_feed(client, cast, log, settings):
    settings.CALENDAR_FEED_LIMIT = (2, 3600)
    token = create_feed(actor=cast.kari).token
    assert [fetch(client, token).status_code for _ in range(3)] == [200, 200, 429]


def test_the_page_shows_the_address_once_and_asks_before_revoking(client, cast, log):
    client.force_login(cast.kari)
    page = reverse("followup:calendar_feed_page")
    assert "Lag kalenderadresse" in client.get(page).content.decode()
    made = client.post(page).content.decode()
    [url] = re.findall(r'<code id="calendar-url">([^<]+)</code>', made)
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert url not in client.get(page).content.decode()  # shown once
    assert fetch(client, token).status_code == 200

    confirm = client.get(reverse("followup:revoke_calendar_feed"))
    assert "Ja, trekk tilbake adressen" in confirm.content.decode()
    assert fetch(client, token).status_code == 200  # asking did not revoke
    assert client.post(reverse("followup:revoke_calendar_feed")).status_code == 302
    assert fetch(client, token).status_code == 404
    revoked = AuditEvent.objects.filter(action=AuditAction.CALENDAR_FEED_REVOKED.value)
    assert revoked.count() == 1


def test_the_page_needs_a_signed_in_person(db, client):
    response = client.get(reverse("followup:calendar_feed_page"))
    assert response.status_code == 302 and "logg-inn" in response["Location"]


def test_the_feeds_token_is_masked_in_log_lines(client, cast, log, caplog):
    import logging

    from stafett.lib.national_id import MaskNationalIdsFilter

    new = create_feed(actor=cast.kari)
    revoke_feed(actor=cast.kari, feed=new.feed)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert fetch(client, new.token).status_code == 404
    [line] = [r for r in caplog.records if "/kalender/" in r.getMessage()]
    MaskNationalIdsFilter().filter(line)
    assert new.token not in line.getMessage()
    assert "/kalender/*****.ics" in line.getMessage()
