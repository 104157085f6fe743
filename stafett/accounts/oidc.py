"""OpenID Connect login for citizens (ID-porten) and staff (the municipality's SSO).

Authlib does the protocol: discovery, state, nonce, PKCE (S256) and the token
exchange. The ID token is checked here, stricter than Authlib's defaults: only
RS256/ES256 signatures (whatever the discovery document offers), `iss` the
configured issuer, `aud` our client id (and `azp` ours when there are several
audiences), the nonce of this login, not expired. This module then decides who
the person is. Every way a login can fail is a LoginRefused with a Norwegian
message for the person and a reason for the audit trail.
"""

import base64
import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.django_client import OAuth
from authlib.integrations.django_client.apps import DjangoOAuth2App
from authlib.oidc.core import CodeIDToken, UserInfo
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ClaimError,
    ExpiredTokenError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry
from requests import RequestException

from stafett.lib import national_id
from stafett.people.models import LoginIdentity, Membership, Person

CITIZEN = "citizen"
STAFF = "staff"
PROVIDER_LABELS = {
    CITIZEN: _("Logg inn med ID-porten"),
    STAFF: _("Logg inn som ansatt"),
}
# ID tokens signed any other way (none, HS256 with a shared secret, …) are refused,
# even when the provider's discovery document lists them. A provider's setting
# "id_token_algorithms" can narrow this, never widen it.
ALLOWED_ALGORITHMS = ("RS256", "ES256")
# Citizens reach health and child welfare data: ID-porten "high" (BankID, Buypass, Commfides).
CITIZEN_ACR = "idporten-loa-high"
USED_STATES_KEY = "stafett_oidc_used_states"
USED_STATES_KEPT = 20

RESTART = _("Start på nytt fra innloggingssiden.")
MESSAGES = {
    "cancelled": _("Innloggingen ble avbrutt."),
    "state_mismatch": format_lazy(
        "{} {}",
        _(
            "Innloggingen kunne ikke fullføres fordi den ikke ble startet i denne nettleseren, "
            "eller fordi den tok for lang tid."
        ),
        RESTART,
    ),
    "callback_reused": format_lazy(
        "{} {}",
        _("Innloggingen kunne ikke fullføres: denne innloggingen er allerede brukt, og den kan bare brukes én gang."),
        RESTART,
    ),
    "code_rejected": format_lazy(
        "{} {}",
        _(
            "Innloggingen kunne ikke fullføres: innloggingstjenesten godtok ikke svaret "
            "(det er allerede brukt eller hører til en annen innlogging)."
        ),
        RESTART,
    ),
    "provider_error": format_lazy("{} {}", _("Innloggingen kunne ikke fullføres."), RESTART),
    "provider_unreachable": _("Innloggingstjenesten svarer ikke akkurat nå. Prøv igjen om litt."),
    "token_expired": format_lazy("{} {}", _("Innloggingen kunne ikke fullføres fordi den er utløpt."), RESTART),
    "invalid_id_token": format_lazy(
        "{} {} {}",
        _(
            "Innloggingen kunne ikke fullføres: svaret fra innloggingstjenesten kunne ikke "
            "bekreftes som gyldig for Stafett."
        ),
        RESTART,
        _("Skjer det igjen, ta kontakt med systemansvarlig."),
    ),
    "acr_too_low": _("Innloggingen hadde ikke høyt nok sikkerhetsnivå. Logg inn med BankID, Buypass eller Commfides."),
    "pid_missing": format_lazy(
        "{} {}", _("Innloggingen kunne ikke fullføres fordi ID-porten ikke sendte fødselsnummeret ditt."), RESTART
    ),
    "pid_invalid": _("Fødselsnummeret fra ID-porten er ikke gyldig i Stafett. Ta kontakt med systemansvarlig."),
    "person_unknown": _(
        "Vi fant deg ikke i Stafett. Du får tilgang når du er foresatt til et barn som har en "
        "stafettlogg, eller selv har rett til å se din egen logg. Ta kontakt med barnehagen, skolen eller "
        "helsestasjonen."
    ),
    "email_unverified": _(
        "Kommunens pålogging har ikke bekreftet e-postadressen din, så Stafett kan ikke finne deg "
        "på ansattlisten. Ta kontakt med systemansvarlig."
    ),
    "email_ambiguous": _(
        "Flere personer i Stafett har e-postadressen du logget inn med, så Stafett vet ikke hvem "
        "av dem du er. Ta kontakt med systemansvarlig i kommunen, som kan rette det."
    ),
    "not_on_staff_list": _(
        "Du står ikke på ansattlisten ved noe tjenestested i Stafett. "
        "Be lederen din legge deg til med e-postadressen du logger inn med."
    ),
}
# A broken or forged protocol step is a bad request (400); refusing someone the provider
# vouched for, or who cancelled, is 403.
STATUS = {"cancelled": 403, "provider_unreachable": 503, "provider_error": 400, "code_rejected": 400}
STATUS |= {"state_mismatch": 400, "callback_reused": 400, "token_expired": 400, "invalid_id_token": 400}


class LoginRefused(Exception):
    """A login Stafett does not let through; `str(e)` is shown to the person.

    `reason` (and `error`, the provider's or the token's technical detail) go to the
    audit trail; so does `national_id`, masked — nothing else about the person."""

    def __init__(self, reason: str, *, error: str = "", national_id: str = "") -> None:
        super().__init__(MESSAGES[reason])
        self.reason = reason
        self.error = re.sub(r"[^A-Za-z0-9_.:-]", "", error)[:60]  # may come from the callback URL
        self.national_id = national_id
        self.status = STATUS.get(reason, 403)


def configured_providers() -> list[str]:
    return [name for name, conf in settings.OIDC_PROVIDERS.items() if conf.get("issuer") and conf.get("client_id")]


class ProviderClient(DjangoOAuth2App):
    """Authlib's Django client with the ID token checks pinned (see the module docstring)."""

    issuers: tuple[str, ...] = ()
    algorithms: tuple[str, ...] = ALLOWED_ALGORITHMS

    def parse_id_token(
        self,
        token: dict[str, Any],
        nonce: str,
        claims_options: Any = None,
        claims_cls: Any = None,
        leeway: int = 120,
    ) -> UserInfo | None:
        if "id_token" not in token:
            return None
        return self.verify_id_token(str(token["id_token"]), nonce, token.get("access_token"), leeway)

    def verify_id_token(self, id_token: str, nonce: str, access_token: str | None, leeway: int) -> UserInfo:
        alg = _header(id_token).get("alg")
        if alg not in self.algorithms:
            # Checked before anything is decoded: the header is the attacker's to write.
            raise LoginRefused("invalid_id_token", error=f"alg:{alg}")
        registry = JWSRegistry(algorithms=list(self.algorithms), strict_check_header=False)
        try:
            try:
                decoded = jwt.decode(id_token, KeySet.import_key_set(self.fetch_jwk_set()), registry=registry)
            except InvalidKeyIdError:  # the provider may have rotated its keys
                decoded = jwt.decode(id_token, KeySet.import_key_set(self.fetch_jwk_set(force=True)), registry=registry)
        except InvalidKeyIdError:
            raise LoginRefused("invalid_id_token", error="unknown_kid") from None
        except BadSignatureError:
            raise LoginRefused("invalid_id_token", error="bad_signature") from None
        except (JoseError, ValueError, TypeError, KeyError) as e:
            raise LoginRefused("invalid_id_token", error=getattr(e, "error", "malformed")) from None
        options = {
            "iss": {"essential": True, "values": list(self.issuers)},
            "aud": {"essential": True, "values": [self.client_id]},
            "sub": {"essential": True},
            "exp": {"essential": True},
        }
        params = {"nonce": nonce, "client_id": self.client_id, "access_token": access_token}
        claims = CodeIDToken(decoded.claims, decoded.header, options, params)
        try:
            # CodeIDToken also checks the nonce, and `azp` whenever `aud` is more than our client id.
            claims.validate(leeway=leeway)
        except ExpiredTokenError:
            raise LoginRefused("token_expired") from None
        except MissingClaimError as e:
            raise LoginRefused("invalid_id_token", error=f"missing:{e.claim}") from None
        except ClaimError as e:
            raise LoginRefused("invalid_id_token", error=f"claim:{e.claim}") from None
        except JoseError as e:
            raise LoginRefused("invalid_id_token", error=e.error) from None
        return UserInfo(claims)


def _header(compact: str) -> dict[str, Any]:
    try:
        segment = compact.split(".")[0]
        header = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except ValueError:
        raise LoginRefused("invalid_id_token", error="malformed") from None
    if not isinstance(header, dict):
        raise LoginRefused("invalid_id_token", error="malformed")
    return header


def client(provider: str) -> ProviderClient:
    conf = settings.OIDC_PROVIDERS[provider]
    algorithms = tuple(alg for alg in conf.get("id_token_algorithms", ALLOWED_ALGORITHMS) if alg in ALLOWED_ALGORITHMS)
    return _client(
        provider,
        conf["issuer"].rstrip("/"),
        conf["client_id"],
        conf["client_secret"],
        conf["scope"],
        algorithms,
    )


@cache
def _client(
    provider: str, issuer: str, client_id: str, client_secret: str, scope: str, algorithms: tuple[str, ...]
) -> ProviderClient:
    # One client per configuration; Authlib caches the provider's discovery document on it.
    oauth = OAuth()
    oauth.register(
        provider,
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": scope, "code_challenge_method": "S256"},
        client_cls=ProviderClient,
    )
    app: ProviderClient = oauth.create_client(provider)
    # The issuer Stafett is configured with, not whatever the discovery document claims.
    app.issuers = (issuer, issuer + "/")
    app.algorithms = algorithms
    return app


def authorize_params(provider: str) -> dict[str, str]:
    acr = settings.OIDC_PROVIDERS[provider].get("acr_values")
    params = {"ui_locales": "nb"}
    if acr:
        params["acr_values"] = acr
    return params


@dataclass(frozen=True)
class Identity:
    provider: str
    subject: str
    claims: dict[str, Any]


def complete(request: HttpRequest, provider: str) -> tuple[Identity, str]:
    """The provider's callback: the verified identity and the raw ID token, or LoginRefused."""
    app = client(provider)
    error = request.GET.get("error")
    if error:
        raise LoginRefused("cancelled" if error == "access_denied" else "provider_error", error=error)
    state = request.GET.get("state") or ""
    if not state or app.framework.get_state_data(request.session, state) is None:
        # Authlib forgets a state once used; we remember that it was, to say so.
        used = _digest(state) in request.session.get(USED_STATES_KEY, [])
        raise LoginRefused("callback_reused" if used else "state_mismatch")
    request.session[USED_STATES_KEY] = [*request.session.get(USED_STATES_KEY, []), _digest(state)][-USED_STATES_KEPT:]
    try:
        token = app.authorize_access_token(request)
    except OAuthError as e:
        # invalid_grant: the code was used before, or the PKCE verifier does not match it.
        reason = "code_rejected" if e.error == "invalid_grant" else "provider_error"
        raise LoginRefused(reason, error=str(e.error)) from None
    except RequestException:
        raise LoginRefused("provider_unreachable") from None
    except (ValueError, KeyError, TypeError, RuntimeError):
        raise LoginRefused("provider_error", error="bad_response") from None
    claims = dict(token.get("userinfo") or {})
    if not claims.get("sub"):
        raise LoginRefused("invalid_id_token", error="no_id_token")
    return Identity(provider=provider, subject=str(claims["sub"]), claims=claims), str(token.get("id_token") or "")


def _digest(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()[:32]


def identify(identity: Identity) -> Person:
    """The person the provider's claims describe, or LoginRefused with a reason to show."""
    known = (
        LoginIdentity.objects.select_related("person")
        .filter(provider=identity.provider, subject=identity.subject)
        .first()
    )
    if identity.provider == CITIZEN:
        person = _citizen(identity, known.person if known else None)
    else:
        person = _staff(identity, known.person if known else None)
    LoginIdentity.objects.update_or_create(
        provider=identity.provider,
        subject=identity.subject,
        defaults={"person": person, "last_login_at": timezone.now()},
    )
    return person


def _citizen(identity: Identity, known: Person | None) -> Person:
    conf = settings.OIDC_PROVIDERS[CITIZEN]
    raw = str(identity.claims.get(conf.get("national_id_claim", "pid")) or "").strip()
    masked = national_id.mask(raw) if len(raw) == 11 and raw.isdigit() else ""
    # The configured level, and never none: an empty OIDC_CITIZEN_ACR does not switch the check off.
    if identity.claims.get("acr") != (conf.get("acr_values") or CITIZEN_ACR):
        raise LoginRefused("acr_too_low", error=str(identity.claims.get("acr") or ""), national_id=masked)
    if not raw:
        raise LoginRefused("pid_missing")
    try:
        number = national_id.parse(raw).number  # check digits, birth date; synthetic only where allowed
    except national_id.InvalidNationalId:
        raise LoginRefused("pid_invalid", national_id=masked) from None
    person = Person.objects.by_national_id(number).first()
    if person is None:
        raise LoginRefused("person_unknown", national_id=masked)
    return person


def _staff(identity: Identity, known: Person | None) -> Person:
    person = known
    email = str(identity.claims.get("email") or "").strip()
    if person is None and email:
        # The address finds the person only if the provider vouches for it, and only if it is one person's.
        if "email_verified" in identity.claims and identity.claims["email_verified"] is not True:
            raise LoginRefused("email_unverified")
        matches = list(Person.objects.filter(email__iexact=email).order_by("id")[:2])
        if len(matches) > 1:
            raise LoginRefused("email_ambiguous")
        person = matches[0] if matches else None
    if person is None or not Membership.objects.active().filter(person=person).exists():
        raise LoginRefused("not_on_staff_list")
    return person
