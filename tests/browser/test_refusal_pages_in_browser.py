"""The pages issue 13 added, in a real browser with the Content-Security-Policy on: the 429 page
after too many tries, the CSRF failure page, and a paged staff list — each accessible (axe) and
without a policy error."""

import pytest
from playwright.sync_api import expect

from stafett.people.models import Unit
from tests.browser.conftest import check_a11y, login_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_too_many_demo_logins_give_the_429_page(page, live_server, seeded, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "demo_login": {"ip": (1, 10**7)}}
    login_as(page, live_server, "Berit Solheim")
    page.goto(f"{live_server.url}/demo/logg-inn/")
    page.locator("button.person-button").first.click()
    expect(page.locator("h1")).to_have_text("For mange forsøk på kort tid")
    check_a11y(page)


def test_a_form_sent_without_its_csrf_cookie_gives_the_norwegian_403_page(page, live_server, seeded):
    page.goto(f"{live_server.url}/demo/logg-inn/")
    page.context.clear_cookies()
    page.locator("button.person-button").first.click()
    expect(page.locator("h1")).to_have_text("Skjemaet kunne ikke sendes")
    check_a11y(page)


def test_a_paged_staff_list_links_its_pages(page, live_server, seeded, settings):
    settings.PAGE_SIZE = 2
    login_as(page, live_server, "Berit Solheim")
    unit = Unit.objects.get(name="Solsikken barnehage")
    page.goto(f"{live_server.url}/tjenestested/{unit.code}/ansatte/")
    assert page.locator("#ansatte tbody tr").count() == 2
    check_a11y(page)
    page.get_by_role("link", name="Neste side").click()
    expect(page.locator("nav.pager")).to_contain_text("Side 2 av")
    check_a11y(page)
