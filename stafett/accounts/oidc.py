"""OpenID Connect login for citizens (ID-porten) and staff (the municipality's SSO).

Authlib does the protocol: discovery, state, nonce, PKCE (S256) and the ID
token's signature and claims. This module decides who the person is.
"""

from dataclasses import dataclass
from functools import cache
from typing import Any

from authlib.integrations.django_client import OAuth
from authlib.integrations.django_client.apps import DjangoOAuth2App
from django.conf import settings
from django.utils import timezone

from stafett.people.models import LoginIdentity, Membership, Person

CITIZEN = "citizen"
STAFF = "staff"
PROVIDER_LABELS = {
    CITIZEN: "Logg inn med ID-porten",
    STAFF: "Logg inn som ansatt",
}


class LoginRefused(Exception):
    """The provider vouched for someone Stafett cannot let in; `str(e)` is shown to them."""


def configured_providers() -> list[str]:
    return [name for name, conf in settings.OIDC_PROVIDERS.items() if conf.get("issuer") and conf.get("client_id")]


def client(provider: str) -> DjangoOAuth2App:
    conf = settings.OIDC_PROVIDERS[provider]
    return _client(
        provider,
        conf["issuer"].rstrip("/"),
        conf["client_id"],
        conf["client_secret"],
        conf["scope"],
    )


@cache
def _client(provider: str, issuer: str, client_id: str, client_secret: str, scope: str) -> DjangoOAuth2App:
    # One client per configuration; Authlib caches the provider's discovery document on it.
    oauth = OAuth()
    oauth.register(
        provider,
        client_id=client_id,
        client_secret=client_secret,
        server_metadata_url=f"{issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": scope, "code_challenge_method": "S256"},
    )
    return oauth.create_client(provider)  # type: ignore[no-any-return]


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
    required_acr = conf.get("acr_values")
    if required_acr and identity.claims.get("acr") != required_acr:
        # ID-porten "high" (BankID, Buypass, Commfides) is required for health and child welfare data.
        raise LoginRefused(
            "Innloggingen hadde ikke høyt nok sikkerhetsnivå. Logg inn med BankID, Buypass eller Commfides."
        )
    number = str(identity.claims.get(conf.get("national_id_claim", "pid")) or "")
    person = Person.objects.filter(national_id=number).first() if number else None
    if person is None:
        raise LoginRefused(
            "Vi fant deg ikke i Stafett. Du får tilgang når du er foresatt til et barn som har en stafettlogg, "
            "eller selv har rett til å se din egen logg. Ta kontakt med barnehagen, skolen eller helsestasjonen."
        )
    return person


def _staff(identity: Identity, known: Person | None) -> Person:
    person = known
    email = str(identity.claims.get("email") or "").strip()
    if person is None and email:
        person = Person.objects.filter(email__iexact=email).order_by("id").first()
    if person is None or not Membership.objects.active().filter(person=person).exists():
        raise LoginRefused(
            "Du står ikke på ansattlisten ved noe tjenestested i Stafett. "
            "Be lederen din legge deg til med e-postadressen du logger inn med."
        )
    return person
