"""Closing, reopening and deletion on demand (SPEC §6), and shielding a log from the
guardians (SPEC §7)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stafett import access
from stafett.access import Action
from stafett.archive.copies import make_archive_copy
from stafett.archive.models import ArchiveEvent
from stafett.audit.models import AuditAction
from stafett.guide.actions import delete_for_log as delete_guide_history
from stafett.lib.erase import forget_deleted_rows
from stafett.logs import news
from stafett.logs.actions.common import _audit
from stafett.logs.actions.consent import ConsentData, check_consent, end_access_outside_consent, save_consent
from stafett.logs.actions.transition import complete_open_transitions
from stafett.logs.models import (
    AssistedGuardian,
    CloseReason,
    Consent,
    FormerHolder,
    Goal,
    Handover,
    HandoverStatus,
    LogStatus,
    Meeting,
    Message,
    Participant,
    PlanDecision,
    RelayLog,
    Transition,
)
from stafett.people.models import Person


@dataclass(frozen=True)
class ClosedLog:
    log: RelayLog
    record_line: str


def record_line(log: RelayLog, *, has_log: bool) -> str:
    """A line the unit copies into its own record system (seeds/003 5.6)."""
    day = timezone.localdate().strftime("%d.%m.%Y")
    who = log.subject.full_name
    if has_log:
        return _("%(day)s: %(who)s har stafettlogg i Stafett. Stafettholder: %(holder)s, %(unit)s.") % {
            "day": day,
            "who": who,
            "holder": log.holder.full_name,
            "unit": log.unit.name,
        }
    reason = log.get_closed_reason_display().lower()
    return _("%(day)s: %(who)s har ikke lenger aktiv stafettlogg i Stafett (%(reason)s).") % {
        "day": day,
        "who": who,
        "reason": reason,
    }


@transaction.atomic
def close_log(*, actor: Person, log: RelayLog, reason: str) -> ClosedLog:
    access.require(actor, Action.CLOSE_LOG, log)
    if log.status == LogStatus.CLOSED:
        raise ValidationError(_("Loggen er allerede avsluttet."))
    if reason not in (CloseReason.GOALS_MET, CloseReason.REPLACED_BY_IP, CloseReason.CONSENT_WITHDRAWN):
        raise ValidationError({"reason": _("Velg hvorfor loggen avsluttes.")})
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
def reopen_log(*, actor: Person, log: RelayLog, consent: ConsentData, concern: str = "") -> RelayLog:
    """On new concern, with new consent (SPEC §6). The actor becomes holder; the new concern,
    when given, becomes the log's concern text (the old one is in the archive copy made at closing)."""
    access.require(actor, Action.OPEN_LOG, log.unit)
    if log.status == LogStatus.ACTIVE:
        raise ValidationError(_("Loggen er allerede aktiv."))
    if log.content_deleted_at is not None:
        raise ValidationError(_("Innholdet i loggen er slettet. Opprett en ny stafettlogg."))
    check_consent(consent, log.subject, log.unit, timezone.localdate())
    if len(concern.strip()) > RelayLog._meta.get_field("initiator_text").max_length:  # type: ignore[operator]
        raise ValidationError({"concern": _("Beskriv bekymringen kortere.")})
    try:
        with transaction.atomic():
            RelayLog.objects.filter(pk=log.pk).update(
                status=LogStatus.ACTIVE,
                holder=actor,
                closed_reason="",
                closed_at=None,
                **({"initiator_text": concern.strip()} if concern.strip() else {}),
            )
    except IntegrityError:
        raise ValidationError(_("Barnet har allerede en aktiv stafettlogg. Snakk med de foresatte.")) from None
    log.refresh_from_db()
    if concern.strip():
        _audit(actor, log, AuditAction.LOG_REOPENED, ny_bekymring=True)
    else:
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
        raise ValidationError(_("Innholdet er allerede slettet."))
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
    PlanDecision.objects.filter(log=log).delete()
    AssistedGuardian.objects.filter(log=log).delete()  # issue 15 §7: the reasons, numbers and codes
    FormerHolder.objects.filter(log=log).delete()
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
        own_goals="",
    )
    log.refresh_from_db()
    _audit(actor, log, AuditAction.LOG_CONTENT_DELETED)
    transaction.on_commit(lambda: [storage.delete(name) for name in files])
    transaction.on_commit(forget_deleted_rows)  # no copy left in the database files (lib/erase.py)
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
