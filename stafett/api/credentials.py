"""Creating, checking and revoking the API's secrets (issue 11 §1).

A secret is 32 random bytes, shown once when it is made and never again: only its SHA-256
hash is stored (a random secret of that length needs no slow hash — nothing to guess from).
The token carries a public key id in front, so the check finds its row without a scan:

    stafett_pat_<key id>_<secret>   a person's read-only key («API-nøkler»)
    stafett_sys_<key id>_<secret>   a registered system's client secret
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stafett import access
from stafett.access import Action
from stafett.api.models import PersonalToken, SystemClient, SystemScope
from stafett.audit.models import AuditAction
from stafett.audit.record import record
from stafett.people.models import Membership, Municipality, Person, Role, Unit

PERSON_PREFIX = "stafett_pat_"
SYSTEM_PREFIX = "stafett_sys_"
MAX_TOKENS_PER_PERSON = 10


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_secret(prefix: str) -> tuple[str, str, str]:
    """(key id, the whole token to show once, the hash to store)."""
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    return key_id, f"{prefix}{key_id}_{secret}", _hash(secret)


def _split(token: str, prefix: str) -> tuple[str, str] | None:
    if not token.startswith(prefix):
        return None
    key_id, sep, secret = token.removeprefix(prefix).partition("_")
    if not sep or len(key_id) != 16 or not secret:
        return None
    return key_id, secret


@dataclass(frozen=True)
class Issued:
    """A credential just made, with its secret: show `token` once, then forget it."""

    credential: Any
    token: str


# --- A person's keys ---------------------------------------------------------------


@transaction.atomic
def create_token(*, actor: Person, name: str) -> Issued:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Gi nøkkelen et navn, så du kjenner den igjen.")})
    if actor.api_tokens.filter(revoked_at__isnull=True).count() >= MAX_TOKENS_PER_PERSON:
        raise ValidationError(
            _("Du kan ha høyst %(max)s nøkler. Trekk tilbake en du ikke bruker.") % {"max": MAX_TOKENS_PER_PERSON}
        )
    key_id, token, digest = _new_secret(PERSON_PREFIX)
    credential = PersonalToken(person=actor, name=name, key_id=key_id, secret_hash=digest)
    credential.full_clean()
    credential.save()
    record(actor=actor, action=AuditAction.API_TOKEN_CREATED, obj=credential, details={"navn": name})
    return Issued(credential, token)


@transaction.atomic
def revoke_token(*, actor: Person, token: PersonalToken) -> None:
    if token.person_id != actor.id:
        raise access.PermissionDenied(_("Du kan bare trekke tilbake dine egne nøkler."))
    if token.revoked_at is None:
        PersonalToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
        record(actor=actor, action=AuditAction.API_TOKEN_REVOKED, obj=token, details={"navn": token.name})


def person_for_token(token: str) -> Person | None:
    """The person a valid, unrevoked key belongs to; None for anything else."""
    found = _unrevoked_with_secret(PersonalToken.objects.select_related("person"), token, PERSON_PREFIX)
    if found is None or not found.person.is_active:
        return None
    PersonalToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
    return found.person


def _unrevoked_with_secret(rows: Any, token: str, prefix: str) -> Any:
    """The unrevoked key or system whose id the token names and whose hashed secret it matches
    (compared in constant time); None for anything else."""
    parts = _split(token, prefix)
    if parts is None:
        return None
    key_id, secret = parts
    found = rows.filter(key_id=key_id, revoked_at__isnull=True).first()
    if found is None or not hmac.compare_digest(found.secret_hash, _hash(secret)):
        return None
    return found


# --- Registered systems ------------------------------------------------------------


@transaction.atomic
def register_system(
    *, actor: Person, name: str, municipality: Municipality, units: list[Unit], scopes: list[str]
) -> Issued:
    access.require(actor, Action.MANAGE_SYSTEM_CLIENTS)
    if not administered_municipalities(actor).filter(pk=municipality.pk).exists():
        raise access.PermissionDenied(_("Du kan bare registrere systemer for din egen kommune."))
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Systemet må ha et navn.")})
    unknown = set(scopes) - set(SystemScope.values)
    if not scopes or unknown:
        raise ValidationError({"scopes": _("Velg minst én tilgang.")})
    served = access.units_served_by(SystemClient(municipality=municipality))
    if any(not served.filter(pk=u.pk).exists() for u in units):
        raise ValidationError({"units": _("Et system kan bare betjene tjenestesteder i sin egen kommune.")})
    key_id, token, digest = _new_secret(SYSTEM_PREFIX)
    client = SystemClient(
        name=name,
        municipality=municipality,
        scopes=sorted(set(scopes)),
        key_id=key_id,
        secret_hash=digest,
        registered_by_name=actor.full_name,
    )
    client.full_clean()
    client.save()
    client.units.set(units)
    details = {"navn": name, "tilganger": client.scopes, "tjenestesteder": [u.name for u in units]}
    record(actor=actor, action=AuditAction.SYSTEM_CLIENT_REGISTERED, obj=client, details=details)
    return Issued(client, token)


@transaction.atomic
def revoke_system(*, actor: Person, client: SystemClient) -> None:
    access.require(actor, Action.MANAGE_SYSTEM_CLIENTS)
    if client.revoked_at is None:
        SystemClient.objects.filter(pk=client.pk).update(revoked_at=timezone.now())
        record(actor=actor, action=AuditAction.SYSTEM_CLIENT_REVOKED, obj=client, details={"navn": client.name})


def system_for_secret(token: str) -> SystemClient | None:
    found = _unrevoked_with_secret(SystemClient.objects.select_related("municipality"), token, SYSTEM_PREFIX)
    if found is None:
        return None
    SystemClient.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
    return found


def administered_municipalities(person: Person) -> Any:
    """The municipalities of the person's system-administrator memberships."""
    ids = Membership.objects.active().filter(person=person, role=Role.SYSTEM_ADMIN).values("unit__municipality_id")
    return Municipality.objects.filter(pk__in=ids).order_by("name")


def clients_managed_by(person: Person) -> list[SystemClient]:
    """The systems registered for the municipalities the person administers."""
    return list(
        SystemClient.objects.filter(municipality__in=administered_municipalities(person))
        .select_related("municipality")
        .prefetch_related("units")
    )
