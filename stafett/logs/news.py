"""Who is told about news in a log: everyone who may read it now (access.readers_of), never more.
Called by the actions, inside their transaction; the outbox (stafett/notify) delivers."""

from stafett import access
from stafett.logs.models import Participant, RelayLog
from stafett.notify.models import Kind
from stafett.notify.outbox import preferences, queue
from stafett.people.models import Person

# Which choice (Participant.notify_* / Preferences.*) governs each kind of news.
CHOICE = {
    Kind.NEW_MESSAGE: "message",
    Kind.COMMENT: "comment",
    Kind.CALENDAR: "calendar",
    Kind.MEETING_CHANGED: "calendar",
}


def log_path(log: RelayLog) -> str:
    return f"/logg/{log.code}/"


def _wants(person: Person, participant: Participant | None, kind: str) -> bool:
    choice = CHOICE.get(Kind(kind))
    if choice is None:
        return True
    if participant is not None:
        return bool(getattr(participant, f"notify_{choice}"))
    prefs = preferences(person)
    return bool(getattr(prefs, "new_message" if choice == "message" else choice))


def readers(log: RelayLog) -> list[tuple[Person, Participant | None]]:
    """Everyone who may read the log now, with their participation (for per-log choices)."""
    may_read = access.readers_of([log])[log.id]
    participations = {p.person_id: p for p in log.participants.filter(removed_at__isnull=True, person_id__in=may_read)}
    people = Person.objects.filter(id__in=may_read).order_by("id")
    return [(person, participations.get(person.id)) for person in people]


def log_news(*, log: RelayLog, actor: Person, kind: str) -> None:
    """«There is news in a log you take part in» to everyone who wants it, except the one who made it."""
    for person, participant in readers(log):
        if person.id != actor.id and _wants(person, participant, kind):
            queue(recipient=person, kind=kind, path=log_path(log))
