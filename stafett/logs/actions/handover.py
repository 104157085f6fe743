"""Handing over the baton: a new holder is proposed and accepts or declines."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from stafett import access
from stafett.access import Action
from stafett.archive.copies import make_archive_copy
from stafett.archive.models import ArchiveEvent
from stafett.audit.models import AuditAction
from stafett.logs.actions.common import _audit, _require_active
from stafett.logs.actions.transition import complete_open_transitions
from stafett.logs.handover_reminders import tell_holder_of_proposal
from stafett.logs.models import (
    FormerHolder,
    Handover,
    HandoverStatus,
    Measure,
    Participant,
    RelayLog,
    ResponsibleKind,
    current_consent,
)
from stafett.logs.orphans import tell_holder_if_orphaned
from stafett.notify import events
from stafett.notify.models import Kind
from stafett.people.models import Membership, Person, Unit


@transaction.atomic
def propose_handover(*, actor: Person, log: RelayLog, to: Person, unit: Unit, note: str = "") -> Handover:
    _require_active(actor, log, Action.HAND_OVER, _("Loggen er ikke aktiv. Stafettholderen kan ikke byttes nå."))
    if to.id == actor.id:
        # SPEC §3: nobody grants access to themselves — a leader asks someone else.
        raise ValidationError({"to": _("Du kan ikke foreslå deg selv som stafettholder. Velg en annen.")})
    if to.id == log.holder_id:
        raise ValidationError({"to": _("%(name)s er allerede stafettholder.") % {"name": to.full_name}})
    if not Membership.objects.active().filter(person=to, unit=unit).exists():
        raise ValidationError(
            {"to": _("%(name)s står ikke på ansattlisten ved %(unit)s.") % {"name": to.full_name, "unit": unit.name}}
        )
    consent = current_consent(log)
    if consent is None or not consent.covers(unit.service_type):
        raise ValidationError(
            {
                "to": _("%(service)s er ikke med i samtykket. Forny eller utvid samtykket først.")
                % {"service": unit.get_service_type_display()}
            }
        )
    handover = Handover(
        log=log, from_holder=log.holder, to_person=to, to_unit=unit, proposed_by=actor, note=note.strip()
    )
    handover.full_clean()
    try:
        with transaction.atomic():
            handover.save()
    except IntegrityError:
        raise ValidationError(_("Det finnes allerede et forslag om ny stafettholder som venter på svar.")) from None
    _audit(actor, log, AuditAction.HANDOVER_PROPOSED, handover, til=to.full_name, tjenestested=unit.name)
    events.tell(to, kind=Kind.HANDOVER_REQUEST, path=f"/overforing/{handover.code}/")
    tell_holder_of_proposal(handover)  # issue 14 §5: a leader's proposal reaches the holder too
    return handover


def _open_handover(actor: Person, handover: Handover) -> RelayLog:
    if handover.to_person_id == actor.id and handover.status != HandoverStatus.PROPOSED:
        raise ValidationError(
            _("Forslaget er allerede %(status)s.") % {"status": handover.get_status_display().lower()}
        )
    # Not addressed to you: the log's readers get 403, everyone else 404 (access.POLICY).
    access.require(actor, Action.ANSWER_HANDOVER, handover.log)
    if handover.to_person_id != actor.id:
        raise PermissionDenied(_("Overføringen er ikke til deg."))
    return handover.log


@transaction.atomic
def accept_handover(
    *,
    actor: Person,
    handover: Handover,
    old_holder_stays: bool = False,
    old_holder_passive: bool = False,
    take_old_holders_measures: bool = False,
) -> RelayLog:
    """The baton passes only now; a change of unit is a change of service (both archive moments).
    The new holder decides whether the old holder stays on as a participant from their unit, is
    made passive (reads the history, nothing else, hears of nothing), or leaves the log
    (seeds/000: «passiviser eller legg til deltakere»); their history stays. The old holder's open
    measures go to the new holder if they say so; otherwise they are listed as «Trenger ny
    ansvarlig» until someone takes them (logs/orphans.py)."""
    if old_holder_stays and old_holder_passive:
        raise ValidationError({"old_holder_stays": _("Velg enten deltaker eller passiv.")})
    log = _open_handover(actor, handover)
    service_changed = handover.to_unit.service_type != log.unit.service_type
    old_holder = log.holder
    old_unit = log.unit
    if old_holder_stays or old_holder_passive:
        _check_old_holder_may_stay(log, old_holder, old_unit)
    log.holder = handover.to_person
    log.unit = handover.to_unit
    RelayLog.objects.filter(pk=log.pk).update(holder=handover.to_person, unit=handover.to_unit)
    Handover.objects.filter(pk=handover.pk).update(status=HandoverStatus.ACCEPTED, decided_at=timezone.now())
    Participant.objects.filter(log=log, person=handover.to_person, removed_at__isnull=True).update(
        removed_at=timezone.now()
    )
    FormerHolder.objects.filter(log=log, person=handover.to_person, ended_at__isnull=True).update(
        ended_at=timezone.now()
    )
    if old_holder_stays:
        stays = Participant(log=log, person=old_holder, unit=old_unit)
        stays.full_clean()
        stays.save()
    elif old_holder_passive:
        FormerHolder.objects.create(log=log, person=old_holder, unit=old_unit)
    taken = _take_measures(log, old_holder, actor) if take_old_holders_measures and not old_holder_stays else 0
    complete_open_transitions(log, new_holder=actor)
    # issue 14 §2: the old holder's measures are now nobody's; the new holder hears of them.
    tell_holder_if_orphaned(log)
    _audit(
        actor,
        log,
        AuditAction.HANDOVER_ACCEPTED,
        handover,
        fra=old_holder.full_name,
        til=actor.full_name,
        forrige_stafettholder=_old_holder_outcome(old_holder_stays, old_holder_passive),
        tiltak_overtatt=taken,
    )
    make_archive_copy(
        relay_log=log, event=ArchiveEvent.SERVICE_CHANGE if service_changed else ArchiveEvent.HOLDER_CHANGE
    )
    return log


def _old_holder_outcome(stays: bool, passive: bool) -> str:
    if stays:
        return "blir deltaker"
    return "passiv, leser historikken" if passive else "går ut av loggen"


def _take_measures(log: RelayLog, old_holder: Person, new_holder: Person) -> int:
    """The old holder's open measures become the new holder's, each with its audit row."""
    measures = list(Measure.objects.filter(log=log, responsible=old_holder, stopped_at__isnull=True))
    for measure in measures:
        Measure.objects.filter(pk=measure.pk).update(
            responsible=new_holder, responsible_kind=ResponsibleKind.PARTICIPANT, version=F("version") + 1
        )
        _audit(
            new_holder,
            log,
            AuditAction.MEASURE_CHANGED,
            measure,
            ansvarlig=new_holder.full_name,
            var=old_holder.full_name,
        )
    return len(measures)


@transaction.atomic
def end_former_holder(*, actor: Person, former: FormerHolder) -> None:
    """The holder ends a passive former holder's reading of the history."""
    _require_active(actor, former.log, Action.MANAGE_PARTICIPANTS, _("Loggen er ikke aktiv."))
    if former.ended_at is not None:
        raise ValidationError(_("Lesetilgangen er allerede avsluttet."))
    FormerHolder.objects.filter(pk=former.pk).update(ended_at=timezone.now())
    _audit(actor, former.log, AuditAction.FORMER_HOLDER_ENDED, former.log, person=former.person.full_name)


def _check_old_holder_may_stay(log: RelayLog, person: Person, unit: Unit) -> None:
    if not Membership.objects.active().filter(person=person, unit=unit).exists():
        raise ValidationError(
            {
                "old_holder_stays": _("%(name)s står ikke lenger på ansattlisten ved %(unit)s.")
                % {"name": person.full_name, "unit": unit.name}
            }
        )
    consent = current_consent(log)
    if consent is None or not consent.covers(unit.service_type):
        raise ValidationError(
            {
                "old_holder_stays": _("Samtykket gjelder ikke %(service)s.")
                % {"service": unit.get_service_type_display().lower()}
            }
        )


@transaction.atomic
def decline_handover(*, actor: Person, handover: Handover, reason: str = "") -> Handover:
    log = _open_handover(actor, handover)
    Handover.objects.filter(pk=handover.pk).update(
        status=HandoverStatus.DECLINED, decided_at=timezone.now(), decline_reason=reason.strip()[:300]
    )
    handover.status = HandoverStatus.DECLINED
    _audit(actor, log, AuditAction.HANDOVER_DECLINED, handover, begrunnelse=reason.strip()[:300])
    return handover
