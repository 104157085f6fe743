"""Telling one person, or a unit's leaders. Who reads a log is decided in stafett/access.py and
who hears about a log's news in stafett/logs/news.py; this module only queues."""

from stafett.notify.outbox import queue
from stafett.people.models import Membership, Person, Role, Unit


def tell(person: Person, *, kind: str, path: str, dedupe_key: str | None = None) -> None:
    queue(recipient=person, kind=kind, path=path, dedupe_key=dedupe_key)


def unit_leaders(unit: Unit) -> list[Person]:
    return [m.person for m in Membership.objects.active().filter(unit=unit, role=Role.LEADER).select_related("person")]
