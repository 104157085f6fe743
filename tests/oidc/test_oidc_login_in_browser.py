"""Logging in through the OpenID provider in a real browser (issue 2).

Chromium clicks the login button on Stafett's login page, fills in the test provider's
login screen (tests/oidc/provider.mjs: the login name is the subject; 11 digits become
ID-porten's national ID claim `pid`, an address with @ the e-mail; the acr field is the
assurance level) and comes back to Stafett's start page signed in. Logging out goes
through the provider's "do you want to sign out?" page and back to Stafett, signed out.
Stafett's own pages on the way are checked with axe-core.
"""

import re

import pytest
from playwright.sync_api import expect

from stafett.audit.models import AuditEvent
from stafett.people.models import LoginIdentity, Person
from tests.browser import conftest as browser_conftest
from tests.browser.conftest import check_a11y

# The browser fixtures (one Chromium per session, a fresh Norwegian context per test, the demo data).
browser = browser_conftest.browser
page = browser_conftest.page
seeded = browser_conftest.seeded

pytestmark = [pytest.mark.oidc, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HIGH = "idporten-loa-high"


def sign_in_at_provider(page, live_server, provider_button: str, login: str, acr: str) -> None:
    """From Stafett's login page: the button, the provider's login screen, back to Stafett."""
    page.goto(f"{live_server.url}/logg-inn/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Logg inn")
    check_a11y(page)
    page.get_by_role("button", name=provider_button).click()

    # The provider's own login screen (not Stafett's page, so not checked with axe).
    page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:\d+/interaction/"))
    expect(page.get_by_role("heading", name="Test provider login")).to_be_visible()
    page.get_by_label("Login", exact=True).fill(login)
    page.get_by_label("acr", exact=True).fill(acr)
    page.get_by_role("button", name="Log in").click()

    page.wait_for_url(f"{live_server.url}/")


def sign_out_through_provider(page, live_server, oidc_provider) -> None:
    page.get_by_role("button", name="Logg ut").click()
    # Stafett ends its own session, then sends the browser to end the provider's session too.
    page.wait_for_url(f"{oidc_provider.issuer}/session/end**", wait_until="domcontentloaded")
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{live_server.url}/logget-ut/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Du er logget ut")
    check_a11y(page)


def test_guardian_logs_in_with_id_porten_in_the_browser_and_logs_out(page, live_server, seeded, oidc_provider):
    silje = Person.objects.get(given_name="Silje", family_name="Hansen")

    sign_in_at_provider(page, live_server, "Logg inn med ID-porten", silje.national_id, HIGH)

    expect(page.get_by_role("heading", level=1)).to_have_text("Hei, Silje")
    expect(page.get_by_role("banner")).to_contain_text("Silje Hansen")
    children = page.get_by_role("region", name="Dine barn")
    expect(children).to_contain_text("Emma Hansen")
    expect(children.get_by_role("link", name="Stafettloggen for Emma")).to_be_visible()
    check_a11y(page)
    assert LoginIdentity.objects.filter(provider="citizen", subject=silje.national_id, person=silje).exists()
    assert AuditEvent.objects.get(action="login", actor_code=silje.code).details == {
        "metode": "citizen",
        "sikkerhetsnivå": HIGH,
    }

    # Signed in, she can open her child's log.
    children.get_by_role("link", name="Stafettloggen for Emma").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stafettlogg for Emma Hansen")

    sign_out_through_provider(page, live_server, oidc_provider)
    assert AuditEvent.objects.filter(action="logout", actor_code=silje.code).count() == 1

    # Signed out in Stafett: the start page welcomes a visitor, the log is out of reach.
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Velkommen til Stafett")
    expect(page.get_by_role("button", name="Logg ut")).to_have_count(0)
    # … and at the provider: the login button asks for the login screen again, not straight in.
    page.goto(f"{live_server.url}/logg-inn/")
    page.get_by_role("button", name="Logg inn med ID-porten").click()
    page.wait_for_url(re.compile(r"^http://127\.0\.0\.1:\d+/interaction/"))
    expect(page.get_by_label("Login")).to_be_visible()


def test_staff_member_logs_in_with_municipal_sso_in_the_browser(page, live_server, seeded, oidc_provider):
    kari = Person.objects.get(email="kari.lunde@fjordvik.example")

    # The staff login carries no ID-porten level; the provider is told none.
    sign_in_at_provider(page, live_server, "Logg inn som ansatt", "Kari.Lunde@Fjordvik.example", "")

    expect(page.get_by_role("heading", level=1)).to_have_text("Hei, Kari")
    expect(page.get_by_role("region", name="Mine logger").get_by_role("link", name="Emma Hansen")).to_be_visible()
    check_a11y(page)
    assert LoginIdentity.objects.get(provider="staff").person == kari

    sign_out_through_provider(page, live_server, oidc_provider)
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Velkommen til Stafett")
