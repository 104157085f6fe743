"""The statistics page passes axe-core (WCAG 2.1 AA) with its charts, tables and form,
reached from the system administrator's start page."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_a11y, login_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_statistics_page_is_accessible_by_month_and_by_quarter(page, live_server, seeded):
    login_as(page, live_server, "Trude Lie")
    page.get_by_role("link", name="Statistikk for kommunen").click()
    expect(page.locator("h1")).to_have_text("Statistikk for kommunen")
    assert page.get_by_role("img", name="Stafettlogger opprettet og avsluttet per måned").count() == 1
    check_a11y(page)
    page.get_by_label("Del inn per").select_option("kvartal")
    page.get_by_role("button", name="Vis statistikk").click()
    expect(page.get_by_role("img", name="Stafettlogger opprettet og avsluttet per kvartal")).to_have_count(1)
    check_a11y(page)


def test_statistics_form_with_an_error_is_accessible(page, live_server, seeded):
    login_as(page, live_server, "Trude Lie")
    page.goto(f"{live_server.url}/statistikk/?fra=2025-06-01&til=2025-05-01")
    assert "Fra-datoen må være før til-datoen" in page.content()
    check_a11y(page)
