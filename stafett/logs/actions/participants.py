"""Participants: who works in the log besides the holder, and removing them."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stafett import access
from stafett.access import Action
from stafett.audit.models import AuditAction
from stafett.logs.actions.common import _audit
from stafett.logs.actions.participant_approval import ask_or_tell_family
from stafett.logs.models import Participant, RelayLog, current_consent
from stafett.logs.orphans import tell_holder_if_orphaned
from stafett.people.models import Membership, Person, Unit


@dataclass
class NotificationChoices:
    new_message: bool = True
    calendar: bool = True
    comment: bool = False


@transaction.atomic
def add_participant(
    *,
    actor: Person,
    log: RelayLog,
    person: Person,
    unit: Unit,
    notify: NotificationChoices | None = None,
    extra_reason: str = "",
) -> Participant:
    access.require(actor, Action.MANAGE_PARTICIPANTS, log)
    return add_participant_unchecked(
        actor=actor, log=log, person=person, unit=unit, notify=notify, extra_reason=extra_reason
    )


def add_participant_unchecked(
    *,
    actor: Person,
    log: RelayLog,
    person: Person,
    unit: Unit,
    notify: NotificationChoices | None = None,
    extra_reason: str = "",
) -> Participant:
    """The rules for any new participant; the caller has checked who may add (holder, or the
    principal adding the contact teacher in a transition, seeds/000)."""
    notify = notify or NotificationChoices()
    if not Membership.objects.active().filter(person=person, unit=unit).exists():
        raise ValidationError(
            {
                "person": _("%(name)s står ikke på ansattlisten ved %(unit)s.")
                % {"name": person.full_name, "unit": unit.name}
            }
        )
    if person.id == log.holder_id:
        raise ValidationError(
            {"person": _("%(name)s er stafettholder og har allerede tilgang.") % {"name": person.full_name}}
        )
    consent = current_consent(log)
    if consent is None:
        raise ValidationError(_("Samtykket er ikke gyldig lenger. Forny samtykket før du legger til deltakere."))
    if not consent.covers(unit.service_type):
        raise ValidationError(
            {
                "unit": _(
                    "%(service)s er ikke med i samtykket. "
                    "De foresatte må gi nytt eller utvidet samtykke før noen fra denne tjenesten kan bli med."
                )
                % {"service": unit.get_service_type_display()}
            }
        )
    active = log.participants.filter(removed_at__isnull=True)
    if active.filter(person=person).exists():
        raise ValidationError({"person": _("%(name)s er allerede deltaker.") % {"name": person.full_name}})
    if active.filter(unit=unit).exists() and not extra_reason.strip():
        # seeds/001 §7: at most one participant per unit, unless the holder says why.
        raise ValidationError(
            {
                "extra_reason": _("Det er allerede en deltaker fra %(unit)s. Skriv hvorfor det trengs én til.")
                % {"unit": unit.name}
            }
        )
    participant = Participant(
        log=log,
        person=person,
        unit=unit,
        extra_reason=extra_reason.strip(),
        notify_message=notify.new_message,
        notify_calendar=notify.calendar,
        notify_comment=notify.comment,
    )
    participant.full_clean()
    participant.save()
    _audit(actor, log, AuditAction.PARTICIPANT_ADDED, participant, person=person.full_name, tjenestested=unit.name)
    ask_or_tell_family(actor=actor, participant=participant)  # issue 15 §4: no access until approved
    return participant


@transaction.atomic
def remove_participant(*, actor: Person, participant: Participant) -> Participant:
    """Access ends at once; the participant's history in the log stays."""
    log = participant.log
    access.require(actor, Action.MANAGE_PARTICIPANTS, log)
    if participant.removed_at is not None:
        raise ValidationError(_("Deltakeren er allerede fjernet."))
    participant.removed_at = timezone.now()
    participant.save(update_fields=["removed_at"])
    _audit(actor, log, AuditAction.PARTICIPANT_REMOVED, participant, person=participant.person.full_name)
    tell_holder_if_orphaned(log)  # issue 14 §2: their open measures need a new responsible person
    return participant
