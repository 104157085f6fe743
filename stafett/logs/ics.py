"""iCalendar events for a log's meetings and measures, shared by the meeting invitation
(views_meetings.meeting_ics) and the personal calendar feed (followup/calendar_feed.py).

Data minimisation: no child's name in any event — a meeting's own title has the child's names
replaced — only a link back to the log. A meeting keeps one UID for its whole life; SEQUENCE
rises with each change, and a cancelled meeting is STATUS:CANCELLED (RFC 5545, RFC 5546)."""

import re
from datetime import timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from icalendar import Event

from stafett.logs.models import Measure, Meeting, RelayLog
from stafett.people.models import Person

PRODID = "-//Stafett//stafettlogg//NO"
CHILD = gettext_lazy("barnet")


def without_child_name(text: str, child: Person) -> str:
    """`text` with the child's given and family names (whole words, any case) replaced."""
    names = sorted({n for n in (*child.given_name.split(), *child.family_name.split()) if len(n) > 1}, key=len)
    for name in reversed(names):
        text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", str(CHILD), text, flags=re.IGNORECASE)
    return text


def meeting_event(meeting: Meeting, *, log: RelayLog, link: str) -> Event:
    cancelled = meeting.cancelled_at is not None
    title = without_child_name(meeting.title, log.subject)
    event = Event()
    event.add("uid", f"{meeting.code}@stafett")
    event.add("sequence", meeting.sequence)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("summary", _("Avlyst: %(title)s") % {"title": title} if cancelled else title)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.starts_at + timedelta(minutes=meeting.duration_minutes))
    event.add("location", without_child_name(meeting.place, log.subject))
    event.add("description", _("Dagsorden og mer om møtet: %(link)s") % {"link": link})
    event.add("dtstamp", meeting.changed_at or meeting.created_at)
    return event


def measure_events(measure: Measure, *, link: str) -> list[Event]:
    """The measure's deadline and evaluation date as all-day events; a moved date raises SEQUENCE
    (the measure's version), a stopped measure's events are cancelled."""
    stopped = measure.stopped_at is not None
    events = []
    for kind, day, summary in (
        ("frist", measure.deadline, _("Frist for et tiltak i en stafettlogg")),
        ("evaluering", measure.evaluation_date, _("Evaluering av et tiltak i en stafettlogg")),
    ):
        event = Event()
        event.add("uid", f"{measure.code}-{kind}@stafett")
        event.add("sequence", measure.version)
        event.add("status", "CANCELLED" if stopped else "CONFIRMED")
        event.add("summary", summary)
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
        event.add("description", _("Se tiltaket i loggen: %(link)s") % {"link": link})
        event.add("dtstamp", measure.created_at)
        events.append(event)
    return events
