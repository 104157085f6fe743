"""The language to write to a person in (issue 10): their own choice, else their municipality's
målform, else bokmål. Pages add the browser's wish (core/language.py); letters cannot."""

import time

from django.db import DatabaseError

from stafett.lib import languages
from stafett.people.models import Membership, Municipality, Person

_ONLY_FOR = 60.0  # seconds a process trusts what it read of the installation's municipalities
_only: list[tuple[float, str | None]] = []


def only_municipality_language() -> str | None:
    """The målform when the installation has exactly one municipality; read once a minute per
    process, and None when the database cannot answer (a health check must still get its page)."""
    now = time.monotonic()
    if _only and now - _only[0][0] < _ONLY_FOR:
        return _only[0][1]
    try:
        rows = list(Municipality.objects.values_list("language", flat=True)[:2])
    except DatabaseError:
        return None
    found = str(rows[0]) if len(rows) == 1 else None
    _only[:] = [(now, found)]
    return found


def municipality_language(person: Person | None) -> str | None:
    """The målform of the person's municipality: where they work, else the installation's only one."""
    if person is not None:
        found = (
            Membership.objects.active()
            .filter(person=person)
            .order_by("unit__municipality__name")
            .values_list("unit__municipality__language", flat=True)
            .first()
        )
        if found:
            return str(found)
    return only_municipality_language()


def language_for(person: Person | None) -> str:
    """The language to write to this person in, when they are not the one asking."""
    if person is not None and person.language:
        return str(person.language)
    return municipality_language(person) or languages.default()
