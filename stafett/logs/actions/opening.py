"""Opening a log (SPEC §4: never without consent): at once with a signed paper form, or
waiting for digital consent."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stafett import access
from stafett.access import Action
from stafett.audit.models import AuditAction
from stafett.logs.actions.common import _audit
from stafett.logs.actions.consent import ConsentData, ConsentTerms, _new_request, check_consent, save_consent
from stafett.logs.models import LOG_OPENED_REASON, ConsentRequest, LevelChange, LogStatus, LogTemplate, RelayLog
from stafett.people.models import Membership, Person, Unit


@dataclass
class LogStart:
    """Who and what a new log is about; shared by paper and digital consent."""

    subject: Person
    unit: Unit
    holder: Person | None = None
    template: LogTemplate | None = None
    initiator_text: str = ""
    initiated_by: str = ""


def create_log(*, actor: Person, start: LogStart, status: str = LogStatus.ACTIVE) -> RelayLog:
    """The log row itself; callers add the consent (or the request for it) in the same transaction.
    The creator holds it unless the unit leader appoints another (seeds/004 Opprette stafettholder)."""
    unit = start.unit
    access.require(actor, Action.OPEN_LOG, unit)
    holder = start.holder or actor
    if holder != actor:
        access.require(actor, Action.APPOINT_HOLDER, unit)
    if not Membership.objects.active().filter(person=holder, unit=unit).exists():
        raise ValidationError(
            {"holder": _("Stafettholderen må stå på ansattlisten ved %(unit)s.") % {"unit": unit.name}}
        )
    if not start.subject.national_id:
        raise ValidationError(_("Fødselsnummer eller D-nummer må være registrert før en stafettlogg kan opprettes."))
    log = RelayLog(
        subject=start.subject,
        unit=unit,
        holder=holder,
        template=start.template,
        status=status,
        initiator_text=start.initiator_text.strip(),
        initiated_by=start.initiated_by.strip(),
    )
    log.full_clean()  # includes "one active log per child", in words guardians understand
    log.save()
    LevelChange.objects.create(log=log, level=log.level, changed_by_name=actor.full_name, reason=LOG_OPENED_REASON)
    _audit(actor, log, AuditAction.LOG_OPENED, holder=holder.full_name, tjenestested=unit.name)
    return log


@transaction.atomic
def open_log(
    *,
    actor: Person,
    subject: Person,
    unit: Unit,
    consent: ConsentData,
    holder: Person | None = None,
    template: LogTemplate | None = None,
    initiator_text: str = "",
    initiated_by: str = "",
) -> RelayLog:
    """Open a stafettlogg with a signed consent form (SPEC §4: never without consent)."""
    access.require(actor, Action.OPEN_LOG, unit)  # before check_consent, whose errors name the guardians
    check_consent(consent, subject, unit, timezone.localdate())
    start = LogStart(subject, unit, holder, template, initiator_text, initiated_by)
    log = create_log(actor=actor, start=start)
    save_consent(actor, log, consent)
    return log


@transaction.atomic
def open_log_with_digital_consent(*, actor: Person, start: LogStart, terms: ConsentTerms) -> ConsentRequest:
    """The log waits for consent: guardians see it and approve; nothing is shared until then."""
    log = create_log(actor=actor, start=start, status=LogStatus.AWAITING_CONSENT)
    return _new_request(actor, log, terms)
