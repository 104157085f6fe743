import logging
import time

from authlib.integrations.base_client.errors import OAuthError
from django.conf import settings
from django.contrib import auth
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from requests import RequestException

from stafett.access import PersonRequest, public, signed_in
from stafett.accounts import oidc
from stafett.accounts.demo import demo_people
from stafett.accounts.middleware import SIGNED_IN_KEY
from stafett.audit.context import current_ip
from stafett.audit.models import AuditAction, AuditEvent
from stafett.audit.ratelimit import rate_limited
from stafett.audit.record import record
from stafett.people.models import Person

log = logging.getLogger(__name__)
ID_TOKEN_KEY = "stafett_id_token"
PROVIDER_KEY = "stafett_provider"
# A refused login has no signed-in actor, and its row is about the login, not a person.
REFUSED_ACTOR = "Ikke innlogget"


@public
@require_GET
def login_page(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:start")
    providers = [(name, oidc.PROVIDER_LABELS[name]) for name in oidc.configured_providers()]
    return render(request, "accounts/login.html", {"providers": providers, "demo": settings.DEMO})


@public
@require_POST
@rate_limited("login")
def login_start(request: HttpRequest, provider: str) -> HttpResponse:
    if provider not in oidc.configured_providers():
        raise Http404
    redirect_uri = request.build_absolute_uri(reverse("accounts:callback", args=[provider]))
    try:
        return oidc.client(provider).authorize_redirect(request, redirect_uri, **oidc.authorize_params(provider))  # type: ignore[no-any-return]
    except (RequestException, OAuthError, ValueError):
        log.exception("OIDC provider %s unreachable", provider)
        return _refused(request, _("Innloggingstjenesten svarer ikke akkurat nå. Prøv igjen om litt."), status=503)


@public
@require_GET
def callback(request: HttpRequest, provider: str) -> HttpResponse:
    if provider not in oidc.configured_providers():
        raise Http404
    try:
        identity, id_token = oidc.complete(request, provider)
        with transaction.atomic():
            person = oidc.identify(identity)
            _sign_in(request, person, method=provider, acr=str(identity.claims.get("acr") or ""))
    except oidc.LoginRefused as e:
        return _login_refused(request, provider, e)
    request.session[ID_TOKEN_KEY] = id_token
    request.session[PROVIDER_KEY] = provider
    return redirect("core:start")


def _login_refused(request: HttpRequest, provider: str, refused: oidc.LoginRefused) -> HttpResponse:
    """The Norwegian page, and a row in the audit trail naming no one (but a masked national ID)."""
    log.warning("OIDC login via %s refused: %s %s", provider, refused.reason, refused.error)
    details = {"metode": provider, "årsak": refused.reason}
    if refused.error:
        details["feil"] = refused.error
    if refused.national_id:
        details["fødselsnummer"] = refused.national_id
    AuditEvent.objects.create(
        actor_name=REFUSED_ACTOR,
        action=AuditAction.LOGIN_REFUSED.value,
        object_type="accounts.login",
        object_code=provider,
        ip=current_ip.get(),
        details=details,
    )
    return _refused(request, str(refused), status=refused.status)


AUTH_LABELS = {
    oidc.CITIZEN: "ID-porten",
    oidc.STAFF: "Kommunens pålogging",
    "demo": "Demo-innlogging (ikke gyldig i drift)",
}
AUTH_SESSION_KEY = "stafett_authenticated_by"


def authenticated_by(request: HttpRequest) -> str:
    """How the signed-in person proved who they are, as recorded on a digital consent."""
    return str(request.session.get(AUTH_SESSION_KEY, "ukjent"))


def _sign_in(request: HttpRequest, person: Person, *, method: str, acr: str = "") -> None:
    auth.login(request, person, backend="stafett.accounts.backends.PersonBackend")  # a new session id
    request.session[SIGNED_IN_KEY] = time.time()
    label = AUTH_LABELS.get(method, method) + (f" ({acr})" if acr else "")
    request.session[AUTH_SESSION_KEY] = label
    details = {"metode": method} if not acr else {"metode": method, "sikkerhetsnivå": acr}
    record(actor=person, action=AuditAction.LOGIN, obj=person, details=details)


def _refused(request: HttpRequest, reason: str, status: int = 403) -> HttpResponse:
    return render(request, "accounts/refused.html", {"reason": reason}, status=status)


@signed_in
@require_POST
def logout(request: PersonRequest) -> HttpResponse:
    person = request.user
    id_token = request.session.get(ID_TOKEN_KEY)
    provider = request.session.get(PROVIDER_KEY)
    record(actor=person, action=AuditAction.LOGOUT, obj=person)
    auth.logout(request)
    done = request.build_absolute_uri(reverse("accounts:logged_out"))
    if provider in oidc.configured_providers() and id_token:
        # ID-porten requires the service to end the single sign-on session too.
        try:
            return oidc.client(provider).logout_redirect(request, done, id_token_hint=id_token)  # type: ignore[no-any-return]
        except (RequestException, OAuthError, RuntimeError):
            log.warning("Could not reach %s to end the SSO session", provider)
    return redirect("accounts:logged_out")


@public
@require_GET
def logged_out(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/logged_out.html")


@public
@require_http_methods(["GET", "POST"])
@rate_limited("demo_login")
def demo_login(request: HttpRequest) -> HttpResponse:
    """Pick a demo person and act as them. Exists only in demo mode (settings refuse it without DEBUG)."""
    if not settings.DEMO:
        raise Http404
    if request.method == "POST":
        try:
            person = Person.objects.filter(code=request.POST.get("person", "")).first()
        except ValidationError:  # not a UUID
            person = None
        if person is None:
            return render(request, "accounts/demo_login.html", {"people": demo_people(), "error": True}, status=400)
        with transaction.atomic():
            _sign_in(request, person, method="demo")
        return redirect("core:start")
    return render(request, "accounts/demo_login.html", {"people": demo_people()})
