"""Who is told about what happens in a log. Called by the actions, inside their transaction."""

from django.utils import timezone

from stafett.logs.models import Participant, RelayLog
from stafett.notify.models import Kind
from stafett.notify.outbox import preferences, queue
from stafett.people.models import Guardianship, Membership, Person, Role, Unit

# Which choice (Participant.notify_* / Preferences.*) governs each kind of news.
CHOICE = {Kind.NEW_MESSAGE: "message", Kind.COMMENT: "comment", Kind.CALENDAR: "calendar"}


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
    """Everyone who reads the log: the holder, participants, guardians, a youth with rights."""
    from stafett.access import has_youth_rights, readers_of

    # Only those who can read it now: consent valid, still at the unit (access.py decides).
    may_read = readers_of([log])[log.id]
    people: dict[int, tuple[Person, Participant | None]] = {log.holder_id: (log.holder, None)}
    for p in log.participants.filter(removed_at__isnull=True, person_id__in=may_read).select_related("person"):
        people.setdefault(p.person_id, (p.person, p))
    if log.guardians_shielded_at is None:  # SPEC §7: nothing reaches them on suspected abuse
        for g in Guardianship.objects.filter(child_id=log.subject_id).select_related("guardian"):
            people.setdefault(g.guardian_id, (g.guardian, None))
    if has_youth_rights(log.subject, log, timezone.localdate()):
        people.setdefault(log.subject_id, (log.subject, None))
    return list(people.values())


def log_news(*, log: RelayLog, actor: Person, kind: str) -> None:
    """«There is news in a log you take part in» to everyone who wants it, except the one who made it."""
    for person, participant in readers(log):
        if person.id != actor.id and _wants(person, participant, kind):
            queue(recipient=person, kind=kind, path=log_path(log))


def tell(person: Person, *, kind: str, path: str, dedupe_key: str | None = None) -> None:
    queue(recipient=person, kind=kind, path=path, dedupe_key=dedupe_key)


def unit_leaders(unit: Unit) -> list[Person]:
    return [m.person for m in Membership.objects.active().filter(unit=unit, role=Role.LEADER).select_related("person")]
