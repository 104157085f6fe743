"""Who is calling: a signed-in person (browser session, CSRF-checked on writes), a person's
read-only key, or a registered system's secret. Every call that gets past here is counted
against the API's rate limit and written to the audit trail — like a page view."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthenticationError
from ninja.security import APIKeyCookie, HttpBearer

from stafett.api import credentials
from stafett.api.models import SystemClient
from stafett.api.problems import RateLimited, ReadOnlyKey
from stafett.audit.context import current_ip
from stafett.audit.models import AuditAction, AuditEvent
from stafett.lib import ratelimit
from stafett.people.models import Person

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RATE_SCOPE = "api"


def _count(request: HttpRequest, caller: Person | SystemClient) -> None:
    """settings.RATE_LIMITS["api"]: per caller (a person or a system) and per IP address."""
    keys = {"person": str(caller.code), "ip": request.META.get("REMOTE_ADDR") or "ukjent"}
    for per, value in settings.RATE_LIMITS[RATE_SCOPE].items():
        hit = ratelimit.count(f"{RATE_SCOPE}.{per}", keys[per], ratelimit.limit_from(value))
        if hit.over:
            if hit.first_over:  # one row a window, not one a refusal
                _audit(request, caller, AuditAction.RATE_LIMITED, grense=RATE_SCOPE, per=per)
            raise RateLimited(hit.retry_after)


def _audit(request: HttpRequest, caller: Person | SystemClient, action: AuditAction, **details: Any) -> None:
    match = request.resolver_match
    AuditEvent.objects.create(
        actor_code=caller.code,
        actor_name=caller.full_name,
        action=action.value,
        object_type="api",
        object_code=f"{request.method} {match.url_name if match else ''}"[:64],
        ip=current_ip.get(),
        details={"sti": request.path, "klient": "system" if isinstance(caller, SystemClient) else "person", **details},
    )


def admit(request: HttpRequest, caller: Any) -> Any:
    """Count and audit the call of an authenticated caller; returns the caller."""
    _count(request, caller)
    _audit(request, caller, AuditAction.API_CALLED)
    return caller


class BrowserSession(APIKeyCookie):
    """The signed-in browser session; unsafe methods need the CSRF token (X-CSRFToken)."""

    param_name = settings.SESSION_COOKIE_NAME

    def authenticate(self, request: HttpRequest, key: str | None) -> Person | None:
        if request.user.is_authenticated:
            return admit(request, request.user)
        return None


class PersonalKey(HttpBearer):
    """A person's key from «API-nøkler» (stafett_pat_…), read-only."""

    def authenticate(self, request: HttpRequest, token: str) -> Person | None:
        if not token.startswith(credentials.PERSON_PREFIX):
            return None
        person = credentials.person_for_token(token)
        if person is None:  # a wrong or revoked key is refused, even with a session beside it
            raise AuthenticationError
        if request.method not in SAFE_METHODS:
            raise ReadOnlyKey
        request.user = person
        return admit(request, person)


class SystemSecret(HttpBearer):
    """A registered system's client secret (stafett_sys_…)."""

    def authenticate(self, request: HttpRequest, token: str) -> SystemClient | None:
        if not token.startswith(credentials.SYSTEM_PREFIX):
            return None
        client = credentials.system_for_secret(token)
        if client is None:
            raise AuthenticationError
        return admit(request, client)


PEOPLE = [PersonalKey(), BrowserSession()]
SYSTEMS = [SystemSecret()]
