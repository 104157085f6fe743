"""Families without BankID (issue 15 §7): the holder registers that a guardian takes part without
electronic ID; the guardian gets their own view of the log as a printout, or reads it for a short
while with a one-time code sent by SMS to a number the holder has checked in person.

Whether the guardian may read is stafett/access.py's ASSISTED_GUARDIAN relation; every step here
is audited and every read is a row in the log's access log. The consent stays on paper, as today.
"""

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stafett import access
from stafett.access import Action
from stafett.audit.context import current_ip
from stafett.audit.models import AuditAction, AuditEvent
from stafett.audit.ratelimit import NOT_SIGNED_IN
from stafett.logs.actions.common import _audit, _require_active, record_view
from stafett.logs.models import AssistedCode, AssistedGuardian, RelayLog
from stafett.notify.models import Kind
from stafett.notify.outbox import queue_secret_sms
from stafett.people.models import Guardianship, Person

CODE_MINUTES = 30  # a code not used by then is dead
SESSION_MINUTES = 30  # the reading it opens lasts this long from first use
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from an SMS
CODE_LENGTH = 8  # 32^8 ≈ 10^12, against a rate limit of a few tries an hour
CODE_PAGE = "/innsyn/"
PHONE = re.compile(r"^\+?[0-9]{8,15}$")
NOT_READABLE = gettext_lazy("Loggen kan ikke deles med den foresatte nå (den er ikke aktiv, eller den er skjermet).")


class CodeRefused(Exception):
    """The code does not open anything; the message is what the person reads."""


def _hash(value: str, purpose: str) -> str:
    key = hashlib.sha256(f"stafett.assisted.{purpose}:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def normalise_code(text: str) -> str:
    return re.sub(r"[\s-]", "", text or "").upper()


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def _phone(text: str) -> str:
    phone = re.sub(r"[\s.-]", "", text or "")
    if phone and not PHONE.match(phone):
        raise ValidationError({"phone": _("Skriv mobilnummeret med 8 sifre (eller med landskode, for eksempel +47).")})
    return phone


@transaction.atomic
def register_assisted_guardian(
    *, actor: Person, log: RelayLog, guardian: Person, reason: str, phone: str = "", phone_checked: bool = False
) -> AssistedGuardian:
    _require_active(actor, log, Action.ASSIST_GUARDIAN, _("Loggen er ikke aktiv."))
    if log.guardians_shielded_at is not None:
        raise ValidationError(NOT_READABLE)
    if not Guardianship.objects.filter(guardian=guardian, child=log.subject).exists():
        raise ValidationError({"guardian": _("Personen er ikke foresatt for barnet.")})
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Skriv hvorfor den foresatte er med uten elektronisk ID.")})
    phone = _phone(phone)
    if phone and not phone_checked:
        raise ValidationError({"phone_checked": _("Kryss av for at du har kontrollert nummeret med den foresatte.")})
    if AssistedGuardian.objects.filter(log=log, guardian=guardian, ended_at__isnull=True).exists():
        raise ValidationError(
            {"guardian": _("%(name)s er allerede registrert uten elektronisk ID.") % {"name": guardian.full_name}}
        )
    now = timezone.now()
    registration = AssistedGuardian.objects.create(
        log=log,
        guardian=guardian,
        reason=reason,
        registered_by=actor,
        phone=phone,
        phone_verified_by=actor if phone else None,
        phone_verified_at=now if phone else None,
    )
    _audit(actor, log, AuditAction.ASSISTED_REGISTERED, registration, foresatt=guardian.full_name, grunn=reason)
    if phone:
        _audit_phone(actor, registration)
    return registration


def _audit_phone(actor: Person, registration: AssistedGuardian) -> None:
    _audit(
        actor,
        registration.log,
        AuditAction.ASSISTED_PHONE_VERIFIED,
        registration,
        foresatt=registration.guardian.full_name,
        kontrollert_av=actor.full_name,
        slutter_på=registration.phone[-2:],
    )


def _require_open(actor: Person, registration: AssistedGuardian) -> None:
    _require_active(actor, registration.log, Action.ASSIST_GUARDIAN, _("Loggen er ikke aktiv."))
    if registration.ended_at is not None:
        raise ValidationError(_("Ordningen for denne foresatte er avsluttet."))


@transaction.atomic
def verify_phone(*, actor: Person, registration: AssistedGuardian, phone: str) -> AssistedGuardian:
    """The holder has checked the number with the guardian, face to face (who and when are kept)."""
    _require_open(actor, registration)
    phone = _phone(phone)
    if not phone:
        raise ValidationError({"phone": _("Skriv mobilnummeret.")})
    AssistedCode.objects.filter(registration=registration, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    registration.phone, registration.phone_verified_by, registration.phone_verified_at = phone, actor, timezone.now()
    registration.save(update_fields=["phone", "phone_verified_by", "phone_verified_at"])
    _audit_phone(actor, registration)
    return registration


@transaction.atomic
def end_assisted(*, actor: Person, registration: AssistedGuardian) -> AssistedGuardian:
    _require_open(actor, registration)
    now = timezone.now()
    registration.ended_at, registration.ended_by = now, actor
    registration.save(update_fields=["ended_at", "ended_by"])
    AssistedCode.objects.filter(registration=registration, revoked_at__isnull=True).update(revoked_at=now)
    _audit(actor, registration.log, AuditAction.ASSISTED_ENDED, registration, foresatt=registration.guardian.full_name)
    return registration


@transaction.atomic
def send_code(*, actor: Person, registration: AssistedGuardian) -> AssistedCode:
    """A new code (earlier unused ones die) by SMS through the outbox; the SMS carries the code and
    the link to the code page, nothing from the log. Only the code's keyed hash is stored."""
    _require_open(actor, registration)
    if not access.assisted_guardian_may_read(registration.guardian, registration.log):
        raise ValidationError(NOT_READABLE)
    if not registration.phone or registration.phone_verified_at is None:
        raise ValidationError(_("Kontroller mobilnummeret med den foresatte ansikt til ansikt før du sender en kode."))
    now = timezone.now()
    AssistedCode.objects.filter(registration=registration, used_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=now
    )
    code = _new_code()
    row = AssistedCode.objects.create(
        registration=registration,
        code_hash=_hash(code, "code"),
        sent_by=actor,
        expires_at=now + timedelta(minutes=CODE_MINUTES),
    )
    queue_secret_sms(
        recipient=registration.guardian,
        address=registration.phone,
        kind=Kind.ASSISTED_CODE,
        path=CODE_PAGE,
        secret=f"{code[:4]}-{code[4:]}",
    )
    _audit(
        actor,
        registration.log,
        AuditAction.ASSISTED_CODE_SENT,
        registration,
        foresatt=registration.guardian.full_name,
        gyldig_til=timezone.localtime(row.expires_at).strftime("%d.%m.%Y %H:%M"),
    )
    return row


@transaction.atomic
def record_printout(*, actor: Person, registration: AssistedGuardian) -> None:
    """The holder prints the guardian's view to hand over: a read, on the guardian's behalf."""
    _require_open(actor, registration)
    if not access.assisted_guardian_may_read(registration.guardian, registration.log):
        raise ValidationError(NOT_READABLE)
    record_view(actor=actor, log=registration.log, what=f"utskrift til {registration.guardian.full_name}")
    _audit(
        actor, registration.log, AuditAction.ASSISTED_PRINTED, registration, foresatt=registration.guardian.full_name
    )


@dataclass(frozen=True)
class Reading:
    code: AssistedCode
    token: str  # kept in the session; only its hash is stored


def _refuse(row: AssistedCode | None, why: str, message: str) -> CodeRefused:
    details = {"grunn": why}
    scope = None
    if row is not None:
        details["foresatt"] = row.registration.guardian.full_name
        scope = row.registration.log.code
    AuditEvent.objects.create(
        actor_name=NOT_SIGNED_IN,
        action=AuditAction.ASSISTED_CODE_REFUSED.value,
        object_type="logs.assistedcode",
        object_code=str(row.pk) if row else "ukjent",
        scope_code=scope,
        ip=current_ip.get(),
        details=details,
    )
    return CodeRefused(message)


TRY_AGAIN = gettext_lazy("Koden er ikke gyldig. Sjekk at du skrev den riktig, eller be stafettholderen om en ny kode.")


def redeem_code(*, text: str) -> Reading:
    """The guardian types the code: it opens one session, once. Every refusal is audited (after
    the attempt's own transaction, so the row stays)."""
    with transaction.atomic():
        outcome = _try_code(normalise_code(text))
    if isinstance(outcome, Reading):
        return outcome
    raise _refuse(*outcome)


def _try_code(code: str) -> "Reading | tuple[AssistedCode | None, str, str]":
    row = None
    if len(code) == CODE_LENGTH and all(c in CODE_ALPHABET for c in code):
        row = (
            AssistedCode.objects.select_for_update()
            .select_related("registration__guardian", "registration__log__subject")
            .filter(code_hash=_hash(code, "code"))
            .first()
        )
    now = timezone.now()
    if row is None:
        return None, "ukjent kode", str(TRY_AGAIN)
    if row.used_at is not None:
        return row, "allerede brukt", _("Koden er allerede brukt. Be stafettholderen om en ny kode.")
    if row.revoked_at is not None or row.expires_at <= now:
        return row, "utløpt", _("Koden har gått ut. Be stafettholderen om en ny kode.")
    registration = row.registration
    if not access.assisted_guardian_may_read(registration.guardian, registration.log):
        return row, "ingen tilgang", str(TRY_AGAIN)
    token = secrets.token_urlsafe(32)
    row.used_at, row.session_hash = now, _hash(token, "session")
    row.session_ends_at = now + timedelta(minutes=SESSION_MINUTES)
    row.save(update_fields=["used_at", "session_hash", "session_ends_at"])
    _audit(registration.guardian, registration.log, AuditAction.ASSISTED_CODE_USED, registration)
    return Reading(code=row, token=token)


def open_reading(code_id: object, token: object) -> AssistedCode | None:
    """The session's reading, if it is still on: its own token, before its end, not revoked."""
    if not isinstance(code_id, int) or not isinstance(token, str) or not token:
        return None
    row = (
        AssistedCode.objects.select_related("registration__guardian", "registration__log__subject")
        .filter(pk=code_id, used_at__isnull=False, revoked_at__isnull=True, session_ends_at__gt=timezone.now())
        .first()
    )
    if row is None or not hmac.compare_digest(row.session_hash, _hash(token, "session")):
        return None
    return row


@transaction.atomic
def end_reading(*, code: AssistedCode) -> None:
    AssistedCode.objects.filter(pk=code.pk).update(session_ends_at=timezone.now())
