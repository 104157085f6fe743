"""Personal calendar feeds (issue 11 §4): a private iCalendar URL per person with the meetings,
measure deadlines and evaluation dates of the logs they may read.

Which logs is access.readable_logs() — the one policy, nothing else filters by person — so a
log leaves the feed the moment access ends. The URL holds only a random token (no name, no
code); we store its SHA-256 and show the URL once, when it is made. The events never carry the
child's name (logs/ics.py, the same code as the meeting invitation)."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar

from stafett.access import readable_logs
from stafett.audit.models import AuditAction
from stafett.audit.record import record
from stafett.logs.ics import PRODID, measure_events, meeting_event
from stafett.logs.models import Measure, Meeting, RelayLog
from stafett.notify.models import CalendarFeed
from stafett.people.models import Person

# Meetings further back than this are left out: a feed is for what is coming.
PAST_MEETINGS = timedelta(days=180)


@dataclass(frozen=True)
class NewFeed:
    feed: CalendarFeed
    token: str  # shown once; only its hash is stored

    @property
    def url(self) -> str:
        return feed_url(self.token)


def feed_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("followup:calendar_feed", args=[token])


def active_feed(person: Person) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(person=person, revoked_at__isnull=True).first()


@transaction.atomic
def create_feed(*, actor: Person) -> NewFeed:
    """A new feed for the actor; an earlier one stops working (one address at a time)."""
    for old in CalendarFeed.objects.select_for_update().filter(person=actor, revoked_at__isnull=True):
        _revoke(actor, old, reason="ny adresse")
    token = CalendarFeed.new_token()
    feed = CalendarFeed.objects.create(person=actor, token_hash=CalendarFeed.hash_of(token))
    record(actor=actor, action=AuditAction.CALENDAR_FEED_CREATED, obj=feed)
    return NewFeed(feed, token)


@transaction.atomic
def revoke_feed(*, actor: Person, feed: CalendarFeed) -> None:
    if feed.person_id != actor.pk:
        raise PermissionError("Bare eieren kan trekke tilbake en kalenderadresse.")
    feed = CalendarFeed.objects.select_for_update().get(pk=feed.pk)
    if feed.revoked_at is None:
        _revoke(actor, feed, reason="trukket tilbake")


def _revoke(actor: Person, feed: CalendarFeed, *, reason: str) -> None:
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    record(actor=actor, action=AuditAction.CALENDAR_FEED_REVOKED, obj=feed, details={"grunn": reason})


def feed_for_token(token: str) -> CalendarFeed | None:
    """The active feed the token opens, or None (unknown or revoked: the view answers 404)."""
    if not token or len(token) > 100:
        return None
    return (
        CalendarFeed.objects.select_related("person")
        .filter(token_hash=CalendarFeed.hash_of(token), revoked_at__isnull=True)
        .first()
    )


@transaction.atomic
def read_feed(feed: CalendarFeed) -> bytes:
    """The feed's calendar now, with one audit row for the fetch (which logs, not what in them)."""
    logs = list(readable_logs(feed.person).select_related("subject").order_by("pk"))
    body = calendar_for(logs)
    now = timezone.now()
    CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=now)
    details = {"logger": [str(log.code) for log in logs]}
    record(actor=feed.person, action=AuditAction.CALENDAR_FEED_READ, obj=feed, details=details)
    return body


def calendar_for(logs: list[RelayLog]) -> bytes:
    """One VCALENDAR with the meetings and measure dates of `logs`, in three queries."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Stafett – møter og frister"))
    by_id = {log.id: log for log in logs}
    links = {log.id: settings.SITE_URL.rstrip("/") + reverse("logs:detail", args=[log.code]) for log in logs}
    since = timezone.now() - PAST_MEETINGS
    meetings = Meeting.objects.filter(log_id__in=by_id, starts_at__gte=since).order_by("starts_at", "id")
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, log=by_id[meeting.log_id], link=links[meeting.log_id]))
    for measure in Measure.objects.filter(log_id__in=by_id).order_by("deadline", "id"):
        for event in measure_events(measure, link=links[measure.log_id]):
            calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()  # type: ignore[no-any-return]
