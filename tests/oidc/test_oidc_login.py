"""Logging in with OpenID Connect, end to end over HTTP, against a real provider (tests/oidc/provider.mjs).

The test provider plays ID-porten for citizens and the municipality's SSO for staff:
the login name is the subject, the national ID (pid) when it is 11 digits and the
email when it has an @.
"""

import re
from collections.abc import Iterator
from datetime import date, timedelta
from importlib import import_module
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import pytest
import requests
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.urls import reverse

from stafett.audit.models import AuditAction, AuditEvent
from stafett.core.demo_data import synthetic_national_id
from stafett.people.models import Guardianship, LoginIdentity, Membership, Municipality, Person, Role, ServiceType, Unit

pytestmark = [pytest.mark.oidc, pytest.mark.django_db(transaction=True)]

HIGH = "idporten-loa-high"
SUBSTANTIAL = "idporten-loa-substantial"
REFUSED_HEADING = "Du er ikke logget inn"


# --- helpers -------------------------------------------------------------------


def person(given: str, family: str, *, born: date | None = None, email: str = "", serial: int = 0) -> Person:
    national_id = synthetic_national_id(born, serial) if born else None
    return Person.objects.create(
        given_name=given, family_name=family, email=email, national_id=national_id, birth_date=born
    )


def guardian_with_child() -> Person:
    mother = person("Solveig", "Berntsen", born=date(1988, 4, 11))
    child = person("Mille", "Berntsen", born=date(2019, 9, 3))
    Guardianship.objects.create(guardian=mother, child=child)
    return mother


def staff_member(email: str, *, ended: bool = False) -> Person:
    municipality = Municipality.objects.create(name="Testvik kommune", number="9911")
    unit = Unit.objects.create(municipality=municipality, name="Bekkely skole", service_type=ServiceType.SKOLE)
    member = person("Tor", "Bakke", email=email)
    Membership.objects.create(
        person=member,
        unit=unit,
        role=Role.EMPLOYEE,
        title="kontaktlærer",
        started_on=date.today() - timedelta(days=400),
        ended_on=date.today() - timedelta(days=1) if ended else None,
    )
    return member


def post_with_csrf(session: requests.Session, base: str, path: str, **kwargs) -> requests.Response:
    if "csrftoken" not in session.cookies:
        session.get(base + reverse("accounts:login")).raise_for_status()
    return session.post(
        base + path,
        data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": base + reverse("accounts:login")},
        allow_redirects=False,
        **kwargs,
    )


def start_login(session: requests.Session, base: str, provider: str) -> str:
    """Press the login button; the URL of the provider's authorization endpoint we are sent to."""
    response = post_with_csrf(session, base, reverse("accounts:start", args=[provider]))
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def submit_login_form(session: requests.Session, page: requests.Response, login: str, acr: str) -> requests.Response:
    assert "/interaction/" in page.url, f"expected the provider's login page, got {page.url}"
    action = re.search(r'<form method="post" action="([^"]+)"', page.text)
    assert action, page.text
    return session.post(urljoin(page.url, action.group(1)), data={"login": login, "acr": acr}, allow_redirects=False)


def until_callback(session: requests.Session, response: requests.Response, base: str) -> str:
    """Follow the provider's redirects (without calling our app) to the callback URL it sends us to."""
    for _ in range(10):
        assert response.status_code in (302, 303), f"{response.status_code} at {response.url}: {response.text[:500]}"
        location = urljoin(response.url, response.headers["Location"])
        if location.startswith(base):
            return location
        response = session.get(location, allow_redirects=False)
    raise AssertionError("too many redirects at the provider")


def log_in(session: requests.Session, base: str, provider: str, login: str, acr: str = HIGH) -> requests.Response:
    """The whole round: our login button, the provider's login form, our callback, wherever it leads."""
    page = session.get(start_login(session, base, provider))
    page.raise_for_status()
    if "/interaction/" in page.url:
        page = session.get(until_callback(session, submit_login_form(session, page, login, acr), base))
    return page


def until_callback_for(session: requests.Session, base: str, provider: str, login: str, acr: str = HIGH) -> str:
    """Log in at the provider; the callback URL it sends us to, not yet visited."""
    page = session.get(start_login(session, base, provider))
    return until_callback(session, submit_login_form(session, page, login, acr), base)


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def stored_session(session: requests.Session) -> SessionBase:
    """The server side of a visitor's session (where Authlib keeps state, nonce and PKCE verifier)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    return store(session_key=session.cookies[settings.SESSION_COOKIE_NAME])


def pending_login_key(provider: str, callback: str) -> str:
    return f"_state_{provider}_{query(callback)['state']}"  # Authlib's session key for one login


def refusals() -> list[str]:
    return [e.details["årsak"] for e in AuditEvent.objects.filter(action=AuditAction.LOGIN_REFUSED).order_by("id")]


def start_page(session: requests.Session, base: str) -> str:
    response = session.get(base + reverse("core:start"))
    response.raise_for_status()
    return response.text


@pytest.fixture
def base(live_server, oidc_provider) -> str:
    return live_server.url.rstrip("/")


@pytest.fixture
def visitor() -> Iterator[requests.Session]:
    """Someone at a web visitor: cookies, no JavaScript."""
    with requests.Session() as session:
        yield session


# --- tests ---------------------------------------------------------------------


def test_guardian_logs_in_with_id_porten_and_lands_on_start_page(base, oidc_provider, visitor):
    mother = guardian_with_child()

    authorize = start_login(visitor, base, "citizen")

    assert authorize.startswith(oidc_provider.issuer + "/auth?")
    params = {k: v[0] for k, v in parse_qs(urlsplit(authorize).query).items()}
    assert params["client_id"] == "stafett-citizen"
    assert params["response_type"] == "code"
    assert params["redirect_uri"] == base + reverse("accounts:callback", args=["citizen"])
    assert params["code_challenge_method"] == "S256"
    assert len(params["code_challenge"]) == 43  # base64url of a SHA-256 digest
    assert params["state"] and params["nonce"]
    assert params["acr_values"] == HIGH
    assert "openid" in params["scope"].split()

    page = visitor.get(authorize)
    done = submit_login_form(visitor, page, mother.national_id, HIGH)
    callback = until_callback(visitor, done, base)
    assert callback.startswith(base + reverse("accounts:callback", args=["citizen"]) + "?")
    landed = visitor.get(callback)

    assert landed.status_code == 200
    assert landed.url == base + reverse("core:start")
    assert "Hei, Solveig" in landed.text
    assert "Solveig Berntsen" in landed.text
    assert "Dine barn" in landed.text
    assert "Mille Berntsen" in landed.text
    login = AuditEvent.objects.get(action="login", actor_code=mother.code)
    assert login.details == {"metode": "citizen", "sikkerhetsnivå": HIGH}
    assert LoginIdentity.objects.filter(provider="citizen", subject=mother.national_id, person=mother).exists()


def test_staff_member_logs_in_with_municipal_sso_matched_by_email(base, oidc_provider, visitor):
    teacher = staff_member("tor.bakke@testvik.example")

    landed = log_in(visitor, base, "staff", "Tor.Bakke@Testvik.example", acr="")

    assert landed.status_code == 200
    assert landed.url == base + reverse("core:start")
    assert "Hei, Tor" in landed.text
    assert "Mine logger" in landed.text
    assert AuditEvent.objects.filter(action="login", actor_code=teacher.code, details__metode="staff").count() == 1
    assert LoginIdentity.objects.get(provider="staff").person == teacher


def test_citizen_without_high_assurance_is_refused_with_norwegian_page(base, oidc_provider, visitor):
    mother = guardian_with_child()

    refused = log_in(visitor, base, "citizen", mother.national_id, acr=SUBSTANTIAL)

    assert refused.status_code == 403
    assert REFUSED_HEADING in refused.text
    assert "sikkerhetsnivå" in refused.text
    assert "Hei, Solveig" not in start_page(visitor, base)
    assert not AuditEvent.objects.filter(action="login").exists()
    assert not LoginIdentity.objects.exists()
    row = AuditEvent.objects.get(action=AuditAction.LOGIN_REFUSED)
    assert row.details == {
        "metode": "citizen",
        "årsak": "acr_too_low",
        "feil": SUBSTANTIAL,
        "fødselsnummer": mother.national_id[:6] + " *****",
    }


def test_unknown_citizen_gets_clear_norwegian_page_not_error(base, oidc_provider, visitor):
    guardian_with_child()
    stranger = synthetic_national_id(date(1979, 12, 24), 3)

    refused = log_in(visitor, base, "citizen", stranger)

    assert refused.status_code == 403
    assert REFUSED_HEADING in refused.text
    assert "Vi fant deg ikke i Stafett" in refused.text
    assert "Velkommen til Stafett" in start_page(visitor, base)
    assert not LoginIdentity.objects.exists()


def test_staff_not_on_any_staff_list_is_refused(base, oidc_provider, visitor):
    staff_member("tor.bakke@testvik.example", ended=True)  # known by email, but has left the school

    refused = log_in(visitor, base, "staff", "tor.bakke@testvik.example", acr="")
    assert refused.status_code == 403
    assert "ansattlisten" in refused.text

    with requests.Session() as other:
        stranger = log_in(other, base, "staff", "ukjent@testvik.example", acr="")
    assert stranger.status_code == 403
    assert "ansattlisten" in stranger.text

    assert "Velkommen til Stafett" in start_page(visitor, base)
    assert not AuditEvent.objects.filter(action="login").exists()
    assert refusals() == ["not_on_staff_list", "not_on_staff_list"]


def test_staff_email_shared_by_two_people_is_refused_and_points_to_the_system_administrator(
    base, oidc_provider, visitor
):
    staff_member("tor.bakke@testvik.example")
    person("Tor", "Bakke", email="Tor.Bakke@testvik.example")  # the same address on someone else

    refused = log_in(visitor, base, "staff", "tor.bakke@testvik.example", acr="")

    assert refused.status_code == 403
    assert REFUSED_HEADING in refused.text
    assert "Flere personer i Stafett har e-postadressen" in refused.text
    assert "Ta kontakt med systemansvarlig" in refused.text
    assert not LoginIdentity.objects.exists()  # nobody is remembered for the subject
    assert not AuditEvent.objects.filter(action="login").exists()
    assert refusals() == ["email_ambiguous"]


def test_tampered_state_is_refused(base, oidc_provider, visitor):
    mother = guardian_with_child()
    page = visitor.get(start_login(visitor, base, "citizen"))
    callback = until_callback(visitor, submit_login_form(visitor, page, mother.national_id, HIGH), base)
    parts = urlsplit(callback)
    params = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert params["code"]
    tampered = urlunsplit(parts._replace(query=urlencode({**params, "state": params["state"][::-1] + "x"})))

    refused = visitor.get(tampered)

    assert refused.status_code == 400
    assert REFUSED_HEADING in refused.text
    assert "Innloggingen kunne ikke fullføres" in refused.text
    assert "Hei, Solveig" not in start_page(visitor, base)
    assert not AuditEvent.objects.filter(action="login").exists()
    assert refusals() == ["state_mismatch"]


def test_second_use_of_the_callback_is_refused_in_the_same_browser_and_in_another(base, oidc_provider, visitor):
    mother = guardian_with_child()
    callback = until_callback_for(visitor, base, "citizen", mother.national_id)
    assert "Hei, Solveig" in visitor.get(callback).text

    again = visitor.get(callback)

    assert again.status_code == 400
    assert "allerede brukt" in again.text
    # Still signed in from the first time, and told so: the refusal is not a logout.
    assert "Du er fortsatt logget inn som Solveig Berntsen" in again.text
    with requests.Session() as elsewhere:
        stolen = elsewhere.get(callback)
    assert stolen.status_code == 400
    assert REFUSED_HEADING in stolen.text
    assert AuditEvent.objects.filter(action="login").count() == 1
    assert refusals() == ["callback_reused", "state_mismatch"]


def test_a_replayed_authorization_code_is_refused_by_the_provider_even_with_the_login_state(
    base, oidc_provider, visitor
):
    mother = guardian_with_child()
    callback = until_callback_for(visitor, base, "citizen", mother.national_id)
    key = pending_login_key("citizen", callback)
    pending = stored_session(visitor)[key]  # state, nonce and PKCE verifier of this login
    assert "Hei, Solveig" in visitor.get(callback).text

    with requests.Session() as attacker:
        start_login(attacker, base, "citizen")
        session = stored_session(attacker)
        session[key] = pending  # as if the attacker had the victim's session too
        session.save()
        replayed = attacker.get(callback)

        assert replayed.status_code == 400
        assert "allerede brukt eller hører til en annen innlogging" in replayed.text
        assert "Velkommen til Stafett" in start_page(attacker, base)
    assert AuditEvent.objects.filter(action="login").count() == 1
    assert AuditEvent.objects.get(action=AuditAction.LOGIN_REFUSED).details["feil"] == "invalid_grant"
    assert refusals() == ["code_rejected"]


def test_a_code_verifier_that_does_not_match_the_pkce_challenge_is_refused(base, oidc_provider, visitor):
    mother = guardian_with_child()
    callback = until_callback_for(visitor, base, "citizen", mother.national_id)
    key = pending_login_key("citizen", callback)
    session = stored_session(visitor)
    pending = session[key]
    pending["data"]["code_verifier"] = "x" * 48  # a verifier, but not the one the challenge was made from
    session[key] = pending
    session.save()

    refused = visitor.get(callback)

    assert refused.status_code == 400
    assert REFUSED_HEADING in refused.text
    assert "Hei, Solveig" not in start_page(visitor, base)
    assert refusals() == ["code_rejected"]


def test_the_session_id_changes_at_login(base, oidc_provider, visitor):
    mother = guardian_with_child()
    callback = until_callback_for(visitor, base, "citizen", mother.national_id)
    before = stored_session(visitor)
    assert before.exists(before.session_key)  # the login is pending in this session

    assert "Hei, Solveig" in visitor.get(callback).text

    after = stored_session(visitor)
    assert after.session_key != before.session_key
    assert not before.exists(before.session_key)  # the old id is worth nothing now
    assert after["_auth_user_id"] == str(mother.pk)


def test_logout_ends_session(base, oidc_provider, visitor):
    mother = guardian_with_child()
    assert "Hei, Solveig" in log_in(visitor, base, "citizen", mother.national_id).text

    response = post_with_csrf(visitor, base, reverse("accounts:logout"))

    # Our session is over at once; then ID-porten's single sign-on session is ended too.
    assert response.status_code == 302
    end_session = response.headers["Location"]
    assert end_session.startswith(oidc_provider.issuer + "/session/end?")
    params = parse_qs(urlsplit(end_session).query)
    assert params["post_logout_redirect_uri"] == [base + reverse("accounts:logged_out")]
    assert params["id_token_hint"][0].count(".") == 2
    assert "Hei, Solveig" not in start_page(visitor, base)
    assert AuditEvent.objects.filter(action="logout", actor_code=mother.code).count() == 1

    # The provider asks "do you want to sign out?"; saying yes brings the person back to us.
    confirm = visitor.get(end_session)
    assert confirm.status_code == 200
    xsrf = re.search(r'name="xsrf" value="([^"]+)"', confirm.text)
    action = re.search(r'<form[^>]*action="([^"]+)"', confirm.text)
    assert xsrf and action, confirm.text
    back = visitor.post(urljoin(confirm.url, action.group(1)), data={"xsrf": xsrf.group(1), "logout": "yes"})
    assert back.status_code == 200
    assert back.url.split("?")[0] == base + reverse("accounts:logged_out")
    assert "Velkommen til Stafett" in start_page(visitor, base)

    # The provider's session is gone: logging in again asks for the login form, not silently in.
    page = visitor.get(start_login(visitor, base, "citizen"))
    assert "/interaction/" in page.url


def test_second_login_reuses_remembered_subject(base, oidc_provider, visitor):
    teacher = staff_member("tor.bakke@testvik.example")
    assert "Hei, Tor" in log_in(visitor, base, "staff", "tor.bakke@testvik.example", acr="").text
    first = LoginIdentity.objects.get(provider="staff", subject="tor.bakke@testvik.example")
    assert first.person == teacher

    # He changes his address in Stafett; the provider's subject still finds her.
    Person.objects.filter(pk=teacher.pk).update(email="tor.b@testvik.example")
    with requests.Session() as later:
        again = log_in(later, base, "staff", "tor.bakke@testvik.example", acr="")

    assert again.status_code == 200
    assert "Hei, Tor" in again.text
    identities = LoginIdentity.objects.filter(provider="staff", subject="tor.bakke@testvik.example")
    assert identities.count() == 1
    assert identities.get().last_login_at > first.last_login_at
    assert LoginIdentity.objects.count() == 1
    assert AuditEvent.objects.filter(action="login", actor_code=teacher.code).count() == 2
