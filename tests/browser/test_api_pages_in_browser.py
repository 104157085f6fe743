"""The API's pages in a browser (issue 11 §1): «API-nøkler» and «Systemer» pass axe-core, and
the documentation page (ninja's Swagger UI from static files) runs under the strict CSP —
the page fixture fails the test on any Content-Security-Policy error in the console."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_a11y, login_as, policy_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_makes_a_key_from_the_notifications_page(page, live_server, seeded):
    login_as(page, live_server, "Kari Lunde")
    page.get_by_role("link", name="Varsler").click()
    page.get_by_role("link", name="API-nøkkel").click()
    check_a11y(page)
    page.get_by_label("Navn på nøkkelen").fill("Skript på jobb-PC")
    page.get_by_role("button", name="Lag nøkkel").click()
    expect(page.locator("#new-token")).to_have_text(re.compile(r"^stafett_pat_"))
    check_a11y(page)


def test_the_system_administrator_registers_a_system(page, live_server, seeded):
    login_as(page, live_server, "Trude Lie")
    page.get_by_role("link", name="Systemer som bruker API-et (fagsystem, arkiv, datavarehus)").click()
    check_a11y(page)
    page.get_by_label("Navn på systemet").fill("Arkivet")
    page.get_by_label("Hendelser: logg opprettet, avsluttet, nytt nivå, ny stafettholder (uten innhold)").check()
    page.get_by_role("button", name="Registrer").click()
    expect(page.locator("#new-secret")).to_have_text(re.compile(r"^stafett_sys_"))
    check_a11y(page)


def test_the_api_documentation_runs_under_the_strict_csp(page, live_server, seeded):
    # Swagger UI is ninja's third-party page: checked for the CSP here, not by axe-core.
    login_as(page, live_server, "Kari Lunde")
    page.goto(f"{live_server.url}/api/v1/docs")
    page.locator(".swagger-ui .opblock").first.wait_for(timeout=15000)
    assert page.locator(".swagger-ui .opblock").count() >= 9
    assert policy_errors(page) == []
