"""Actions of a transition between services; the routine's steps and progress are read in
stafett/logs/transitions.py."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from stafett import access
from stafett.access import Action
from stafett.audit.models import AuditAction
from stafett.logs.actions.common import _audit
from stafett.logs.actions.participants import add_participant_unchecked
from stafett.logs.actions.plan import schedule_meeting
from stafett.logs.models import GOOD_MEETINGS_AGENDA, Meeting, Participant, RelayLog, Transition, current_consent
from stafett.notify import events
from stafett.notify.models import Kind
from stafett.people.models import Membership, Person, Unit


@transaction.atomic
def start_transition(
    *,
    actor: Person,
    log: RelayLog,
    kind: str,
    to_unit: Unit,
    start_date: date,
    sfo_unit: Unit | None = None,
    significant_needs: bool = False,
) -> Transition:
    access.require(actor, Action.EDIT_PLAN, log)
    consent = current_consent(log)
    needed = [to_unit] + ([sfo_unit] if sfo_unit else [])
    outside = [u for u in needed if consent is None or not consent.covers(u.service_type)]
    if outside:
        names = ", ".join(u.get_service_type_display().lower() for u in outside)
        raise ValidationError(f"Samtykket omfatter ikke {names}. Forny eller utvid samtykket først.")
    transition = Transition(
        log=log,
        kind=kind,
        to_unit=to_unit,
        sfo_unit=sfo_unit,
        start_date=start_date,
        significant_needs=significant_needs,
    )
    transition.full_clean()
    transition.save()
    _audit(actor, log, AuditAction.TRANSITION_STARTED, transition, til=to_unit.name, skolestart=start_date.isoformat())
    return transition


@transaction.atomic
def notify_school(*, actor: Person, transition: Transition) -> Transition:
    """Tell the receiving school; its leader sees the child on the start page (no log content)."""
    access.require(actor, Action.EDIT_PLAN, transition.log)
    if transition.notified_at is not None:
        raise ValidationError("Skolen er allerede varslet.")
    transition.notified_at = timezone.now()
    transition.save(update_fields=["notified_at"])
    _audit(actor, transition.log, AuditAction.TRANSITION_SCHOOL_NOTIFIED, transition, skole=transition.to_unit.name)
    for leader in events.unit_leaders(transition.to_unit):  # "transitions notify the receiving unit"
        events.tell(leader, kind=Kind.SCHOOL_NOTIFIED, path="/")
    return transition


@transaction.atomic
def add_contact_teacher(*, actor: Person, transition: Transition, teacher: Person) -> Participant:
    """seeds/000: the principal adds the contact teacher as soon as it is known."""
    log = transition.log
    # The holder, or the receiving school's principal once a participant (access.POLICY).
    access.require(actor, Action.ADD_CONTACT_TEACHER, log)
    if not Membership.objects.active().filter(person=teacher, unit=transition.to_unit).exists():
        raise ValidationError(
            {"teacher": f"{teacher.full_name} står ikke på ansattlisten ved {transition.to_unit.name}."}
        )
    participant = add_participant_unchecked(
        actor=actor, log=log, person=teacher, unit=transition.to_unit, extra_reason="Kontaktlærer fra skolestart"
    )
    Transition.objects.filter(pk=transition.pk).update(contact_teacher=teacher)
    transition.contact_teacher = teacher
    _audit(actor, log, AuditAction.TRANSITION_CONTACT_TEACHER_ADDED, transition, kontaktlærer=teacher.full_name)
    return participant


@transaction.atomic
def schedule_transition_meeting(
    *, actor: Person, transition: Transition, number: int, starts_at: datetime, place: str
) -> Meeting:
    if number not in (1, 2):
        raise ValidationError("Velg overgangsmøte 1 eller 2.")
    agenda = GOOD_MEETINGS_AGENDA
    if number == 1:
        agenda += (
            "\n\nI dette møtet: minst ett tiltak hver for barnehagen, foresatte (ferien), SFO-leder og kontaktlærer."
        )
    else:
        agenda += (
            "\n\nI dette møtet: evaluer tiltakene fra overgangsmøte 1. "
            "Avslutt loggen, eller gi stafettpinnen til kontaktlæreren."
        )
    meeting = schedule_meeting(
        actor=actor,
        log=transition.log,
        starts_at=starts_at,
        place=place,
        agenda=agenda,
        title=f"Overgangsmøte {number}",
    )
    Transition.objects.filter(pk=transition.pk).update(**{f"meeting_{number}": meeting})
    setattr(transition, f"meeting_{number}", meeting)
    return meeting


def complete_open_transitions(log: RelayLog, *, new_holder: Person | None = None) -> None:
    """Closing the log ends its transition; so does the contact teacher taking the baton (closing.py, handover.py)."""
    open_ones = Transition.objects.filter(log=log, completed_at__isnull=True)
    if new_holder is not None:
        open_ones = open_ones.filter(contact_teacher=new_holder)
    open_ones.update(completed_at=timezone.now())
