"""Digital consent (issue: besides the signed paper form): the holder prepares it, each
guardian — and the youth from the municipality's signing age — approves after logging
in, and the approvals (who, when, how authenticated) are the record."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from stafett import access
from stafett.access import Action
from stafett.audit.models import AuditAction
from stafett.logs.actions import LogStart, _audit, create_log, guardians_of
from stafett.logs.models import (
    Consent,
    ConsentApproval,
    ConsentRequest,
    ConsentRequestStatus,
    Level,
    LogStatus,
    RelayLog,
)
from stafett.notify import events
from stafett.notify.models import Kind
from stafett.people.models import Person


@dataclass
class ConsentTerms:
    services: list[str]
    valid_until: date
    not_shared: str = ""
    level: int = Level.TWO


def required_signers(log: RelayLog, today: date | None = None) -> list[Person]:
    today = today or timezone.localdate()
    signers = guardians_of(log.subject)
    age = log.subject.age_on(today)
    if age is not None and age >= log.unit.municipality.youth_signs_from_age:
        signers.append(log.subject)
    return signers


def _check_terms(terms: ConsentTerms, log: RelayLog) -> None:
    errors: dict[str, list[str]] = {}
    if terms.valid_until <= timezone.localdate():
        errors["valid_until"] = ["Samtykket må gjelde fram i tid."]
    if not terms.services:
        errors["services"] = ["Kryss av for hvilke tjenester samtykket gjelder."]
    elif log.unit.service_type not in terms.services:
        errors["services"] = [f"Samtykket må gjelde {log.unit.get_service_type_display().lower()}."]
    if not guardians_of(log.subject):
        errors["services"] = errors.get("services", []) + ["Barnet har ingen registrerte foresatte som kan samtykke."]
    if errors:
        raise ValidationError(errors)


def _new_request(actor: Person, log: RelayLog, terms: ConsentTerms) -> ConsentRequest:
    if log.guardians_shielded_at is not None:
        raise ValidationError(
            "Loggen er skjermet for de foresatte fordi det er mistanke om vold eller overgrep. "
            "Barnevernet avgjør videre samarbeid med familien."
        )
    if log.consent_requests.filter(status=ConsentRequestStatus.PENDING).exists():
        raise ValidationError("Det finnes allerede en forespørsel om samtykke som venter på svar.")
    _check_terms(terms, log)
    request = ConsentRequest(
        log=log,
        services=sorted(set(terms.services)),
        not_shared=terms.not_shared.strip(),
        valid_until=terms.valid_until,
        level=terms.level,
        requested_by=actor,
    )
    request.full_clean()
    request.save()
    signers = required_signers(log)
    request.required_signers.set(signers)
    _audit(actor, log, AuditAction.CONSENT_REQUESTED, request, til=[p.full_name for p in signers])
    for signer in signers:
        events.tell(signer, kind=Kind.CONSENT_REQUEST, path=f"/samtykke/{request.code}/")
    return request


@transaction.atomic
def open_log_with_digital_consent(*, actor: Person, start: LogStart, terms: ConsentTerms) -> ConsentRequest:
    """The log waits for consent: guardians see it and approve; nothing is shared until then."""
    log = create_log(actor=actor, start=start, status=LogStatus.AWAITING_CONSENT)
    return _new_request(actor, log, terms)


@transaction.atomic
def request_consent(*, actor: Person, log: RelayLog, terms: ConsentTerms) -> ConsentRequest:
    """Renew or extend consent digitally."""
    access.require(actor, Action.RENEW_CONSENT, log)
    return _new_request(actor, log, terms)


@transaction.atomic
def answer_consent(*, actor: Person, request: ConsentRequest, approve: bool, authenticated_by: str) -> ConsentRequest:
    log = request.log
    if not request.required_signers.filter(pk=actor.pk).exists():
        access.require(actor, Action.VIEW_LOG, log)
        raise PermissionDenied("Samtykket skal ikke signeres av deg.")
    if request.status != ConsentRequestStatus.PENDING:
        raise ValidationError(f"Forespørselen er allerede {request.get_status_display().lower()}.")
    if request.approvals.filter(person=actor).exists():
        raise ValidationError("Du har allerede svart.")
    ConsentApproval.objects.create(request=request, person=actor, approved=approve, authenticated_by=authenticated_by)
    _audit(
        actor,
        log,
        AuditAction.CONSENT_APPROVED if approve else AuditAction.CONSENT_DECLINED,
        request,
        metode=authenticated_by,
    )
    if not approve:
        ConsentRequest.objects.filter(pk=request.pk).update(status=ConsentRequestStatus.DECLINED)
        request.status = ConsentRequestStatus.DECLINED
        return request
    approved = set(request.approvals.filter(approved=True).values_list("person_id", flat=True))
    if approved >= set(request.required_signers.values_list("id", flat=True)):
        _complete(request)
    return request


def _complete(request: ConsentRequest) -> None:
    log = request.log
    consent = Consent(
        log=log,
        services=request.services,
        not_shared=request.not_shared,
        valid_until=request.valid_until,
        level=request.level,
        collected_by=request.requested_by,
        collected_at_unit=log.unit,
        request=request,
        document_content_type="",
        document_extension="",
    )
    consent.full_clean()
    consent.save()
    consent.signatories.set(request.required_signers.all())
    ConsentRequest.objects.filter(pk=request.pk).update(status=ConsentRequestStatus.COMPLETED)
    request.status = ConsentRequestStatus.COMPLETED
    if log.status == LogStatus.AWAITING_CONSENT:
        RelayLog.objects.filter(pk=log.pk).update(status=LogStatus.ACTIVE)
        log.status = LogStatus.ACTIVE
    _audit(
        request.requested_by,
        log,
        AuditAction.CONSENT_RECORDED,
        consent,
        digitalt=True,
        gyldig_til=str(request.valid_until),
    )


def pending_for(person: Person) -> list[ConsentRequest]:
    """Consent requests waiting for this person's answer (start page)."""
    return list(
        ConsentRequest.objects.filter(status=ConsentRequestStatus.PENDING, required_signers=person)
        .exclude(approvals__person=person)
        .select_related("log__subject", "log__unit", "requested_by")
    )
