"""Actions of a transition between services; the routine's steps and progress are read in
stafett/logs/transitions.py."""

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from stafett import access
from stafett.access import Action
from stafett.audit.models import AuditAction
from stafett.logs.actions.common import _audit
from stafett.logs.actions.meetings import change_meeting, routine_reason, schedule_meeting
from stafett.logs.actions.participants import add_participant_unchecked
from stafett.logs.models import (
    GOOD_MEETINGS_AGENDA,
    Measure,
    Meeting,
    Participant,
    RelayLog,
    Transition,
    current_consent,
)
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
        raise ValidationError(
            _("Samtykket omfatter ikke %(services)s. Forny eller utvid samtykket først.") % {"services": names}
        )
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
        raise ValidationError(_("Skolen er allerede varslet."))
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
            {
                "teacher": _("%(name)s står ikke på ansattlisten ved %(unit)s.")
                % {"name": teacher.full_name, "unit": transition.to_unit.name}
            }
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
    *,
    actor: Person,
    transition: Transition,
    number: int,
    starts_at: datetime,
    place: str,
    off_routine_reason: str = "",
    set_evaluation_dates: bool = False,
) -> Meeting:
    """Call transition meeting 1 or 2. Calling one already called moves it (one meeting, one
    invitation with a raised SEQUENCE), never a second «Planlagt» beside the first."""
    access.require(actor, Action.EDIT_PLAN, transition.log)
    if number not in (1, 2):
        raise ValidationError(_("Velg overgangsmøte 1 eller 2."))
    existing = Meeting.objects.filter(pk=getattr(transition, f"meeting_{number}_id")).first()
    if existing is not None and existing.cancelled_at is None:
        if existing.held:
            raise ValidationError(
                _("Overgangsmøte %(number)s er allerede holdt. Endre referatet i stedet.") % {"number": number}
            )
        meeting = change_meeting(
            actor=actor,
            meeting=existing,
            version=existing.version,
            starts_at=starts_at,
            place=place,
            off_routine_reason=off_routine_reason,
        )
    else:
        agenda = GOOD_MEETINGS_AGENDA
        if number == 1:
            agenda += (
                "\n\nI dette møtet: minst ett tiltak hver for barnehagen, foresatte (ferien), "
                "SFO-leder og kontaktlærer."
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
            off_routine_reason=routine_reason(transition, number, starts_at, off_routine_reason),
        )
        Transition.objects.filter(pk=transition.pk).update(**{f"meeting_{number}": meeting})
        setattr(transition, f"meeting_{number}", meeting)
    if set_evaluation_dates:
        evaluate_at_meeting(actor=actor, log=transition.log, day=timezone.localtime(starts_at).date())
    return meeting


@transaction.atomic
def evaluate_at_meeting(*, actor: Person, log: RelayLog, day: date) -> list[Measure]:
    """Set the open measures' evaluation date to the meeting where they are evaluated (seeds/000:
    overgangsmøte 2 evaluates the measures); the holder chooses this. A measure whose deadline is
    after the meeting keeps its date: it cannot be evaluated before it is due. Returns those changed."""
    access.require(actor, Action.EDIT_PLAN, log)
    measures = list(
        Measure.objects.filter(log=log, stopped_at__isnull=True, deadline__lte=day).exclude(evaluation_date=day)
    )
    if measures:
        Measure.objects.filter(pk__in=[m.pk for m in measures]).update(evaluation_date=day, version=F("version") + 1)
        _audit(
            actor,
            log,
            AuditAction.MEASURE_EVALUATION_DATES_SET,
            dato=day.isoformat(),
            antall=len(measures),
        )
    return measures


def complete_open_transitions(log: RelayLog, *, new_holder: Person | None = None) -> None:
    """Closing the log ends its transition; so does the contact teacher taking the baton (closing.py, handover.py)."""
    open_ones = Transition.objects.filter(log=log, completed_at__isnull=True)
    if new_holder is not None:
        open_ones = open_ones.filter(contact_teacher=new_holder)
    open_ones.update(completed_at=timezone.now())
