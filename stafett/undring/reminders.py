"""Reminders about level-0 notes: a note left untouched reminds its owner, and only its owner."""

from datetime import date, timedelta

from django.db.models import Exists, OuterRef

from stafett.notify.events import tell
from stafett.notify.models import Kind
from stafett.people.models import Municipality
from stafett.undring.models import ConcernNote


def remind_about_notes(today: date) -> None:
    notes = ConcernNote.objects.filter(unit__municipality=OuterRef("pk"))
    for municipality in Municipality.objects.annotate(has_notes=Exists(notes)).filter(has_notes=True):
        _open_notes(municipality, today)


def _open_notes(m: Municipality, today: date) -> None:
    """A level-0 note left untouched for N weeks reminds its owner (once per quiet spell)."""
    cutoff = today - timedelta(weeks=m.undring_reminder_weeks)
    for note in ConcernNote.objects.filter(unit__municipality=m, updated_at__date__lte=cutoff).select_related("owner"):
        tell(
            note.owner,
            kind=Kind.UNDRING_OPEN,
            path=f"/undring/{note.code}/",
            dedupe_key=f"undring:{note.code}:{note.updated_at:%Y-%m-%d}",
        )
