"""Consent (SPEC §4): the signed paper form, renewing it, what a narrower consent ends,
and withdrawal.

Digital consent (issue: besides the signed paper form): the holder prepares it, each
guardian — and the youth from the municipality's signing age — approves after logging
in, and the approvals (who, when, how authenticated) are the record."""

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from stafett import access
from stafett.access import Action, Relation
from stafett.archive.copies import make_archive_copy
from stafett.archive.models import ArchiveEvent
from stafett.audit.models import AuditAction
from stafett.lib.uploads import check_upload
from stafett.logs import news
from stafett.logs.actions.common import _audit, _require_active, guardians_of, in_bokmal
from stafett.logs.actions.family import Verdict, record_family_answer
from stafett.logs.models import (
    Consent,
    ConsentApproval,
    ConsentRequest,
    ConsentRequestStatus,
    Handover,
    HandoverStatus,
    Level,
    LogStatus,
    Participant,
    RelayLog,
)
from stafett.logs.orphans import tell_holder_if_orphaned
from stafett.notify import events
from stafett.notify.models import Kind
from stafett.people.models import Person, ServiceType, Unit

DEFAULT_CONSENT_YEARS = 2  # seeds/003 §6 step 6


# The holder is warned this many days before consent runs out (SPEC §4).
CONSENT_WARNING_DAYS = 30


def default_consent_end(today: date | None = None) -> date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + DEFAULT_CONSENT_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + DEFAULT_CONSENT_YEARS, day=28)


@dataclass
class ConsentData:
    services: list[str]
    signatories: list[Person]
    document: UploadedFile
    collected_at_unit: Unit
    valid_until: date = field(default_factory=default_consent_end)
    valid_from: date = field(default_factory=timezone.localdate)
    not_shared: str = ""
    level: int = Level.ONE
    # When a guardian with parental responsibility has not signed: why (UnsignedReason) and a few words.
    unsigned_reason: str = ""
    unsigned_note: str = ""


def may_sign(subject: Person, unit: Unit, today: date | None = None) -> list[Person]:
    """Who may sign the child's consent: the guardians, and the child from the municipality's
    signing age (seeds/001 §6). A younger child is never offered as a signatory."""
    today = today or timezone.localdate()
    signers = guardians_of(subject)
    age = subject.age_on(today)
    if age is not None and age >= unit.municipality.youth_signs_from_age:
        signers.append(subject)
    return signers


# Helsestasjon og skolehelsetjeneste is one municipal service (seeds/000, seeds/003): a holder
# at either may name either in the consent (issue 15 §8).
ONE_SERVICE: dict[str, set[str]] = {
    ServiceType.HELSESTASJON.value: {ServiceType.HELSESTASJON.value, ServiceType.SKOLEHELSE.value},
    ServiceType.SKOLEHELSE.value: {ServiceType.HELSESTASJON.value, ServiceType.SKOLEHELSE.value},
}


def holders_services(unit: Unit) -> set[str]:
    return ONE_SERVICE.get(unit.service_type, {unit.service_type})


def names_holders_service(services: list[str], unit: Unit) -> bool:
    """The consent must name the service where the holder works (or its other half)."""
    return bool(holders_services(unit) & set(services))


def holders_service_words(unit: Unit) -> str:
    names = sorted(
        (ServiceType(s).label.lower() for s in holders_services(unit)),
        key=lambda n: n != unit.get_service_type_display().lower(),
    )
    word = _("eller")
    return f" {word} ".join(names)


def missing_signature(missing: list[Person]) -> str:
    """The refusal when a guardian with parental responsibility has not signed and no reason is given."""
    word = _("og")
    names = f" {word} ".join(p.full_name for p in missing)
    return ngettext(
        "Alle foresatte med foreldreansvar skal signere. %(names)s har ikke signert: kryss av for "
        "vedkommende, eller velg hvorfor og forklar kort.",
        "Alle foresatte med foreldreansvar skal signere. %(names)s har ikke signert: kryss av for "
        "dem, eller velg hvorfor og forklar kort.",
        len(missing),
    ) % {"names": names}


def check_consent(data: ConsentData, subject: Person, unit: Unit, today: date) -> None:
    errors: dict[str, list[str]] = {}
    if data.valid_until < today:
        errors.setdefault("valid_until", []).append(_("Samtykket er utløpt. Det må gjelde fram i tid."))
    if data.valid_until < data.valid_from:
        errors.setdefault("valid_until", []).append(_("Sluttdatoen må være etter startdatoen."))
    if not data.services:
        errors.setdefault("services", []).append(_("Kryss av for hvilke tjenester samtykket gjelder."))
    elif not names_holders_service(data.services, unit):
        errors.setdefault("services", []).append(
            _("Samtykket må gjelde %(services)s, der stafettholderen arbeider.")
            % {"services": holders_service_words(unit)}
        )
    guardians = set(guardians_of(subject))
    signed = set(data.signatories)
    if not signed & guardians:
        errors.setdefault("signatories", []).append(_("Minst én foresatt må ha signert samtykket."))
    if signed - set(may_sign(subject, unit, today)):
        errors.setdefault("signatories", []).append(
            _("Bare foresatte, og barnet selv fra %(age)s år, kan signere samtykket.")
            % {"age": unit.municipality.youth_signs_from_age}
        )
    missing = sorted(guardians - signed, key=lambda p: p.full_name)
    if signed & guardians and missing and not (data.unsigned_reason and data.unsigned_note.strip()):
        errors.setdefault("unsigned_reason", []).append(missing_signature(missing))
    age = subject.age_on(today)
    if age is not None and age >= unit.municipality.youth_signs_from_age and subject not in signed:
        errors.setdefault("signatories", []).append(
            _("%(name)s er %(age)s år og må selv signere samtykket (fra %(from_age)s år).")
            % {"name": subject.given_name, "age": age, "from_age": unit.municipality.youth_signs_from_age}
        )
    if errors:
        raise ValidationError(errors)


def save_consent(actor: Person, log: RelayLog, data: ConsentData) -> Consent:
    try:
        checked = check_upload(data.document)
    except ValidationError as e:
        raise ValidationError({"document": e.messages}) from None
    unsigned = set(guardians_of(log.subject)) - set(data.signatories)
    consent = Consent(
        log=log,
        services=sorted(set(data.services)),
        not_shared=data.not_shared.strip(),
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        collected_by=actor,
        collected_at_unit=data.collected_at_unit,
        level=data.level,
        unsigned_reason=data.unsigned_reason if unsigned else "",
        unsigned_note=data.unsigned_note.strip() if unsigned else "",
        document_extension=checked.extension,
        document_content_type=checked.content_type,
    )
    consent.full_clean()  # before the file is stored: a rollback would not remove it from disk
    consent.document.save("samtykke", data.document, save=False)
    consent.save()
    consent.signatories.set(data.signatories)
    _audit(
        actor,
        log,
        AuditAction.CONSENT_RECORDED,
        consent,
        tjenester=consent.services,
        gyldig_til=consent.valid_until.isoformat(),
        signert_av=[p.full_name for p in data.signatories],
        **({"ikke_signert_fordi": in_bokmal(consent.get_unsigned_reason_display)} if consent.unsigned_reason else {}),
    )
    return consent


# --- Renewal and withdrawal ---------------------------------------------------------


@transaction.atomic
def renew_consent(*, actor: Person, log: RelayLog, consent: ConsentData) -> Consent:
    """New or extended consent; the earlier ones stay in the history (seeds/003 §6)."""
    _require_active(actor, log, Action.RENEW_CONSENT, _("Loggen er ikke aktiv. Åpne den på nytt med nytt samtykke."))
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
    Participant.objects.filter(pk__in=[p.pk for p in outside]).update(removed_at=now)
    for p in outside:
        _audit(
            actor,
            log,
            AuditAction.PARTICIPANT_LOST_ACCESS,
            p,
            person=p.person.full_name,
            tjenestested=p.unit.name,
            grunn=f"Samtykket gjelder ikke lenger {in_bokmal(p.unit.get_service_type_display).lower()}.",
        )
    for handover in log.handovers.filter(status=HandoverStatus.PROPOSED).select_related("to_unit"):
        if not consent.covers(handover.to_unit.service_type):
            Handover.objects.filter(pk=handover.pk).update(status=HandoverStatus.WITHDRAWN, decided_at=now)
            _audit(actor, log, AuditAction.HANDOVER_WITHDRAWN, handover, grunn="Samtykket gjelder ikke tjenesten.")
    if outside:
        events.tell(log.holder, kind=Kind.ACCESS_ENDED, path=news.log_path(log))
        tell_holder_if_orphaned(log)  # issue 14 §2: and of the measures they leave behind
    return outside


@transaction.atomic
def withdraw_consent(*, actor: Person, log: RelayLog, on_paper: bool = False) -> RelayLog:
    """Guardians or a youth with rights withdraw in the app; the holder records a paper
    withdrawal. Then: an archive copy, and the log is passive — read-only, no participants
    (seeds/003 5.5, seeds/004 «Når samtykke trekkes tilbake»)."""
    _require_active(
        actor, log, Action.WITHDRAW_CONSENT, _("Samtykket er allerede trukket tilbake, og loggen er passiv.")
    )
    relations = access.relations_to(actor, log)
    party = relations & {Relation.GUARDIAN, Relation.YOUTH}
    if not on_paper and not party:
        raise PermissionDenied(_("Bare de foresatte eller ungdommen selv kan trekke samtykket i appen."))
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


# --- Digital consent ----------------------------------------------------------------


@dataclass
class ConsentTerms:
    services: list[str]
    valid_until: date
    not_shared: str = ""
    level: int = Level.TWO


def required_signers(log: RelayLog, today: date | None = None) -> list[Person]:
    """Who answers for the family on this log — a consent, a new participant (issue 15 §4): those
    who may sign, without the guardians while the log is shielded from them (SPEC §7); a youth
    with rights still answers."""
    signers = may_sign(log.subject, log.unit, today)
    if log.guardians_shielded_at is not None:
        guardians = set(guardians_of(log.subject))
        signers = [p for p in signers if p not in guardians]
    return signers


def _check_terms(terms: ConsentTerms, log: RelayLog) -> None:
    errors: dict[str, list[str]] = {}
    if terms.valid_until <= timezone.localdate():
        errors["valid_until"] = [_("Samtykket må gjelde fram i tid.")]
    if not terms.services:
        errors["services"] = [_("Kryss av for hvilke tjenester samtykket gjelder.")]
    elif not names_holders_service(terms.services, log.unit):
        errors["services"] = [_("Samtykket må gjelde %(services)s.") % {"services": holders_service_words(log.unit)}]
    if not guardians_of(log.subject):
        errors["services"] = errors.get("services", []) + [
            _("Barnet har ingen registrerte foresatte som kan samtykke.")
        ]
    if errors:
        raise ValidationError(errors)


def _new_request(actor: Person, log: RelayLog, terms: ConsentTerms) -> ConsentRequest:
    if log.guardians_shielded_at is not None:
        raise ValidationError(
            _(
                "Loggen er skjermet for de foresatte fordi det er mistanke om vold eller overgrep. "
                "Barnevernet avgjør videre samarbeid med familien."
            )
        )
    if log.consent_requests.filter(status=ConsentRequestStatus.PENDING).exists():
        raise ValidationError(_("Det finnes allerede en forespørsel om samtykke som venter på svar."))
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
def request_consent(*, actor: Person, log: RelayLog, terms: ConsentTerms) -> ConsentRequest:
    """Renew or extend consent digitally."""
    access.require(actor, Action.RENEW_CONSENT, log)
    return _new_request(actor, log, terms)


@transaction.atomic
def answer_consent(*, actor: Person, request: ConsentRequest, approve: bool, authenticated_by: str) -> ConsentRequest:
    log = request.log
    signer_ids = set(request.required_signers.values_list("id", flat=True))
    if actor.pk in signer_ids and request.status != ConsentRequestStatus.PENDING:
        raise ValidationError(
            _("Forespørselen er allerede %(status)s.") % {"status": request.get_status_display().lower()}
        )
    verdict = record_family_answer(
        actor=actor,
        log=log,
        signer_ids=signer_ids,
        answers=request.approvals.all(),
        answer=ConsentApproval(request=request, person=actor, approved=approve, authenticated_by=authenticated_by),
        refusal=_("Samtykket skal ikke signeres av deg."),
    )
    _audit(
        actor,
        log,
        AuditAction.CONSENT_APPROVED if approve else AuditAction.CONSENT_DECLINED,
        request,
        metode=authenticated_by,
    )
    if verdict is Verdict.DECLINED:
        ConsentRequest.objects.filter(pk=request.pk).update(status=ConsentRequestStatus.DECLINED)
        request.status = ConsentRequestStatus.DECLINED
    elif verdict is Verdict.APPROVED:
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
