"""The log's life (SPEC §4, §6): consent renewal and withdrawal, handing over the
baton, closing, reopening and deletion on demand — each an archive moment where
the law asks for one (seeds/004 Arkivering)."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from stafett import access
from stafett.access import Action, Relation
from stafett.archive.copies import make_archive_copy
from stafett.archive.models import ArchiveEvent
from stafett.audit.models import AuditAction
from stafett.guide.actions import delete_for_log as delete_guide_history
from stafett.logs import news
from stafett.logs.actions import ConsentData, _audit, check_consent, save_consent
from stafett.logs.models import (
    CloseReason,
    Consent,
    Goal,
    Handover,
    HandoverStatus,
    LogStatus,
    Meeting,
    Message,
    Participant,
    RelayLog,
    Transition,
    current_consent,
)
from stafett.logs.transitions import complete_open_transitions
from stafett.notify import events
from stafett.notify.models import Kind
from stafett.people.models import Membership, Person, Unit


def _require_active(actor: Person, log: RelayLog, action: Action, refusal: str) -> None:
    """Readers learn why nothing can change; outsiders still get 404."""
    if not log.is_active:
        access.require(actor, Action.VIEW_LOG, log)
        raise ValidationError(refusal)
    access.require(actor, action, log)


# --- Consent --------------------------------------------------------------------


@transaction.atomic
def renew_consent(*, actor: Person, log: RelayLog, consent: ConsentData) -> Consent:
    """New or extended consent; the earlier ones stay in the history (seeds/003 §6)."""
    _require_active(actor, log, Action.RENEW_CONSENT, "Loggen er ikke aktiv. Åpne den på nytt med nytt samtykke.")
    check_consent(consent, log.subject, log.unit, timezone.localdate())
    saved = save_consent(actor, log, consent)
    end_access_outside_consent(actor=actor, log=log, consent=saved)
    return saved


def end_access_outside_consent(*, actor: Person, log: RelayLog, consent: Consent) -> list[Participant]:
    """SPEC §3: a participant whose service the new consent does not cover loses access at once.
    They are marked removed (with why, in the access log), an open proposal to hand the log to
    such a service is withdrawn, and the holder is told who lost access."""
    now = timezone.now()
    outside = [
        p
        for p in log.participants.filter(removed_at__isnull=True).select_related("person", "unit")
        if not consent.covers(p.unit.service_type)
    ]
    for p in outside:
        Participant.objects.filter(pk=p.pk).update(removed_at=now)
        _audit(
            actor,
            log,
            AuditAction.PARTICIPANT_LOST_ACCESS,
            p,
            person=p.person.full_name,
            tjenestested=p.unit.name,
            grunn=f"Samtykket gjelder ikke lenger {p.unit.get_service_type_display().lower()}.",
        )
    for handover in log.handovers.filter(status=HandoverStatus.PROPOSED).select_related("to_unit"):
        if not consent.covers(handover.to_unit.service_type):
            Handover.objects.filter(pk=handover.pk).update(status=HandoverStatus.WITHDRAWN, decided_at=now)
            _audit(actor, log, AuditAction.HANDOVER_WITHDRAWN, handover, grunn="Samtykket gjelder ikke tjenesten.")
    if outside:
        events.tell(log.holder, kind=Kind.ACCESS_ENDED, path=news.log_path(log))
    return outside


@transaction.atomic
def withdraw_consent(*, actor: Person, log: RelayLog, on_paper: bool = False) -> RelayLog:
    """Guardians or a youth with rights withdraw in the app; the holder records a paper
    withdrawal. Then: an archive copy, and the log is passive — read-only, no participants
    (seeds/003 5.5, seeds/004 «Når samtykke trekkes tilbake»)."""
    _require_active(actor, log, Action.WITHDRAW_CONSENT, "Samtykket er allerede trukket tilbake, og loggen er passiv.")
    relations = access.relations_to(actor, log)
    party = relations & {Relation.GUARDIAN, Relation.YOUTH}
    if not on_paper and not party:
        raise PermissionDenied("Bare de foresatte eller ungdommen selv kan trekke samtykket i appen.")
    if on_paper and Relation.HOLDER not in relations:
        raise PermissionDenied
    now = timezone.now()
    # Everyone involved is told — before participants lose access (seeds/004).
    news.log_news(log=log, actor=actor, kind=Kind.CONSENT_WITHDRAWN)
    log.consents.filter(withdrawn_at__isnull=True).update(
        withdrawn_at=now, withdrawn_by_name=actor.full_name, withdrawal_on_paper=on_paper
    )
    RelayLog.objects.filter(pk=log.pk).update(status=LogStatus.PASSIVE)
    log.status = LogStatus.PASSIVE
    Handover.objects.filter(log=log, status=HandoverStatus.PROPOSED).update(
        status=HandoverStatus.WITHDRAWN, decided_at=now
    )
    _audit(actor, log, AuditAction.CONSENT_WITHDRAWN, på_papir=on_paper)
    make_archive_copy(relay_log=log, event=ArchiveEvent.CONSENT_WITHDRAWN)
    return log


# --- Handing over the baton ----------------------------------------------------------


@transaction.atomic
def propose_handover(*, actor: Person, log: RelayLog, to: Person, unit: Unit, note: str = "") -> Handover:
    _require_active(actor, log, Action.HAND_OVER, "Loggen er ikke aktiv. Stafettholderen kan ikke byttes nå.")
    if to.id == actor.id:
        # SPEC §3: nobody grants access to themselves — a leader asks someone else.
        raise ValidationError({"to": "Du kan ikke foreslå deg selv som stafettholder. Velg en annen."})
    if to.id == log.holder_id:
        raise ValidationError({"to": f"{to.full_name} er allerede stafettholder."})
    if not Membership.objects.active().filter(person=to, unit=unit).exists():
        raise ValidationError({"to": f"{to.full_name} står ikke på ansattlisten ved {unit.name}."})
    consent = current_consent(log)
    if consent is None or not consent.covers(unit.service_type):
        raise ValidationError(
            {"to": f"{unit.get_service_type_display()} er ikke med i samtykket. Forny eller utvid samtykket først."}
        )
    handover = Handover(
        log=log, from_holder=log.holder, to_person=to, to_unit=unit, proposed_by=actor, note=note.strip()
    )
    handover.full_clean()
    try:
        with transaction.atomic():
            handover.save()
    except IntegrityError:
        raise ValidationError("Det finnes allerede et forslag om ny stafettholder som venter på svar.") from None
    _audit(actor, log, AuditAction.HANDOVER_PROPOSED, handover, til=to.full_name, tjenestested=unit.name)
    events.tell(to, kind=Kind.HANDOVER_REQUEST, path=f"/overforing/{handover.code}/")
    return handover


def _open_handover(actor: Person, handover: Handover) -> RelayLog:
    if handover.to_person_id == actor.id and handover.status != HandoverStatus.PROPOSED:
        raise ValidationError(f"Forslaget er allerede {handover.get_status_display().lower()}.")
    # Not addressed to you: the log's readers get 403, everyone else 404 (access.POLICY).
    access.require(actor, Action.ANSWER_HANDOVER, handover.log)
    if handover.to_person_id != actor.id:
        raise PermissionDenied("Overføringen er ikke til deg.")
    return handover.log


@transaction.atomic
def accept_handover(*, actor: Person, handover: Handover) -> RelayLog:
    """The baton passes only now; a change of unit is a change of service (both archive moments)."""
    log = _open_handover(actor, handover)
    service_changed = handover.to_unit.service_type != log.unit.service_type
    old_holder = log.holder
    log.holder = handover.to_person
    log.unit = handover.to_unit
    RelayLog.objects.filter(pk=log.pk).update(holder=handover.to_person, unit=handover.to_unit)
    Handover.objects.filter(pk=handover.pk).update(status=HandoverStatus.ACCEPTED, decided_at=timezone.now())
    Participant.objects.filter(log=log, person=handover.to_person, removed_at__isnull=True).update(
        removed_at=timezone.now()
    )
    complete_open_transitions(log, new_holder=actor)
    _audit(actor, log, AuditAction.HANDOVER_ACCEPTED, handover, fra=old_holder.full_name, til=actor.full_name)
    make_archive_copy(
        relay_log=log, event=ArchiveEvent.SERVICE_CHANGE if service_changed else ArchiveEvent.HOLDER_CHANGE
    )
    return log


@transaction.atomic
def decline_handover(*, actor: Person, handover: Handover, reason: str = "") -> Handover:
    log = _open_handover(actor, handover)
    Handover.objects.filter(pk=handover.pk).update(
        status=HandoverStatus.DECLINED, decided_at=timezone.now(), decline_reason=reason.strip()[:300]
    )
    handover.status = HandoverStatus.DECLINED
    _audit(actor, log, AuditAction.HANDOVER_DECLINED, handover, begrunnelse=reason.strip()[:300])
    return handover


# --- Closing, reopening, deletion ---------------------------------------------------------


@dataclass(frozen=True)
class ClosedLog:
    log: RelayLog
    record_line: str


def record_line(log: RelayLog, *, has_log: bool) -> str:
    """A line the unit copies into its own record system (seeds/003 5.6)."""
    day = timezone.localdate().strftime("%d.%m.%Y")
    who = log.subject.full_name
    if has_log:
        return f"{day}: {who} har stafettlogg i Stafett. Stafettholder: {log.holder.full_name}, {log.unit.name}."
    reason = log.get_closed_reason_display().lower()
    return f"{day}: {who} har ikke lenger aktiv stafettlogg i Stafett ({reason})."


@transaction.atomic
def close_log(*, actor: Person, log: RelayLog, reason: str) -> ClosedLog:
    access.require(actor, Action.CLOSE_LOG, log)
    if log.status == LogStatus.CLOSED:
        raise ValidationError("Loggen er allerede avsluttet.")
    if reason not in (CloseReason.GOALS_MET, CloseReason.REPLACED_BY_IP, CloseReason.CONSENT_WITHDRAWN):
        raise ValidationError({"reason": "Velg hvorfor loggen avsluttes."})
    now = timezone.now()
    RelayLog.objects.filter(pk=log.pk).update(status=LogStatus.CLOSED, closed_reason=reason, closed_at=now)
    log.status, log.closed_reason, log.closed_at = LogStatus.CLOSED, reason, now
    Handover.objects.filter(log=log, status=HandoverStatus.PROPOSED).update(
        status=HandoverStatus.WITHDRAWN, decided_at=now
    )
    complete_open_transitions(log)
    _audit(actor, log, AuditAction.LOG_CLOSED, årsak=reason)
    make_archive_copy(relay_log=log, event=ArchiveEvent.CLOSED)
    return ClosedLog(log, record_line(log, has_log=False))


@transaction.atomic
def reopen_log(*, actor: Person, log: RelayLog, consent: ConsentData) -> RelayLog:
    """On new concern, with new consent (SPEC §6). The actor becomes holder."""
    access.require(actor, Action.OPEN_LOG, log.unit)
    if log.status == LogStatus.ACTIVE:
        raise ValidationError("Loggen er allerede aktiv.")
    if log.content_deleted_at is not None:
        raise ValidationError("Innholdet i loggen er slettet. Opprett en ny stafettlogg.")
    check_consent(consent, log.subject, log.unit, timezone.localdate())
    try:
        with transaction.atomic():
            RelayLog.objects.filter(pk=log.pk).update(
                status=LogStatus.ACTIVE, holder=actor, closed_reason="", closed_at=None
            )
    except IntegrityError:
        raise ValidationError("Barnet har allerede en aktiv stafettlogg. Snakk med de foresatte.") from None
    log.refresh_from_db()
    _audit(actor, log, AuditAction.LOG_REOPENED)
    saved = save_consent(actor, log, consent)
    # A reopened log starts with only the participants its new consent covers.
    end_access_outside_consent(actor=actor, log=log, consent=saved)
    return log


@transaction.atomic
def delete_content(*, actor: Person, log: RelayLog) -> RelayLog:
    """When deletion is demanded: an archive copy first, then the content goes.
    Archived copies and the audit trail remain (Archives Act; seeds/003 5.5)."""
    access.require(actor, Action.CLOSE_LOG, log)
    if log.content_deleted_at is not None:
        raise ValidationError("Innholdet er allerede slettet.")
    make_archive_copy(relay_log=log, event=ArchiveEvent.DELETION)
    files = [c.document.name for c in log.consents.all() if c.document] + ([log.photo.name] if log.photo else [])
    storage = log.photo.storage
    Message.objects.filter(log=log).delete()
    Meeting.objects.filter(log=log).delete()
    Goal.objects.filter(log=log).delete()  # measures, evaluations and comments go with their goals
    Participant.objects.filter(log=log).delete()
    Handover.objects.filter(log=log).delete()
    Transition.objects.filter(log=log).delete()
    Consent.objects.filter(log=log).delete()
    log.level_changes.all().delete()
    delete_guide_history(log)
    now = timezone.now()
    RelayLog.objects.filter(pk=log.pk).update(
        status=LogStatus.CLOSED,
        closed_reason=CloseReason.DELETION,
        closed_at=log.closed_at or now,
        content_deleted_at=now,
        presentation="",
        photo="",
        initiator_text="",
        initiated_by="",
        strengths="",
        challenges="",
        challenge_categories=[],
        need_extent=None,
        interpreter_needed=False,
        interpreter_language="",
    )
    log.refresh_from_db()
    _audit(actor, log, AuditAction.LOG_CONTENT_DELETED)
    transaction.on_commit(lambda: [storage.delete(name) for name in files])
    return log


@transaction.atomic
def shield_from_guardians(*, actor: Person, log: RelayLog) -> RelayLog:
    """Suspected violence or sexual abuse (SPEC §7): from now on the guardians cannot see the log
    and nothing about it reaches them — pending notifications and consent requests are stopped."""
    from stafett.logs.models import ConsentRequestStatus
    from stafett.notify.models import Notification, Status
    from stafett.people.models import Guardianship

    access.require(actor, Action.SHIELD_FROM_GUARDIANS, log)
    if log.guardians_shielded_at is not None:
        return log
    log.guardians_shielded_at = timezone.now()
    log.save(update_fields=["guardians_shielded_at", "updated_at"])
    requests = log.consent_requests.filter(status=ConsentRequestStatus.PENDING)
    paths = [news.log_path(log), *(f"/samtykke/{code}/" for code in requests.values_list("code", flat=True))]
    requests.update(status=ConsentRequestStatus.DECLINED)
    guardians = Guardianship.objects.filter(child_id=log.subject_id).values("guardian_id")
    Notification.objects.filter(recipient_id__in=guardians, status=Status.PENDING, path__in=paths).update(
        status=Status.CANCELLED, last_error="Stanset: loggen er skjermet for foresatte."
    )
    _audit(actor, log, AuditAction.LOG_SHIELDED_FROM_GUARDIANS)
    return log
