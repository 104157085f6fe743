"""A person's own notification choices: how they are reached, and — per log they take part in —
what they want to hear about (issue 5: each participant's choices are respected; guardians choose too)."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet

from stafett import access
from stafett.access import Relation
from stafett.logs.models import Participant
from stafett.notify.models import Preferences
from stafett.notify.outbox import preferences
from stafett.people.models import Person


@dataclass(frozen=True)
class Choices:
    new_message: bool
    calendar: bool
    comment: bool


def participations(person: Person) -> QuerySet[Participant]:
    """The person's participations in logs they may read now (the page names the child), in the
    order the page lists them; the page shows them a page at a time (it grows with the person's logs)."""
    readable = access.logs_where(person, {Relation.PARTICIPANT})
    return (
        Participant.objects.filter(person=person, removed_at__isnull=True, log__in=readable.values("pk"))
        .select_related("log__subject", "log__unit")
        .order_by("log__subject__given_name", "id")
    )


@transaction.atomic
def save_preferences(
    *, actor: Person, by_email: bool, by_sms: bool, general: Choices, per_log: dict[int, Choices]
) -> Preferences:
    """Save the actor's own choices. `per_log` maps the actor's own Participant ids to choices;
    ids that are not the actor's are ignored."""
    prefs = preferences(actor)
    prefs.by_email, prefs.by_sms = by_email, by_sms
    prefs.new_message, prefs.calendar, prefs.comment = general.new_message, general.calendar, general.comment
    prefs.save()
    for p in Participant.objects.filter(person=actor, id__in=per_log, removed_at__isnull=True):
        c = per_log[p.id]
        p.notify_message, p.notify_calendar, p.notify_comment = c.new_message, c.calendar, c.comment
        p.save(update_fields=["notify_message", "notify_calendar", "notify_comment"])
    return prefs
