"""Issue 11 §4 in a real browser: from «Varsler» to a calendar address, shown once, fetched,
and revoked after a confirmation — each page checked with axe-core (and the CSP)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_a11y, login_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_person_makes_a_calendar_address_sees_it_once_and_revokes_it(page, live_server, cast):
    login_as(page, live_server, "Kari Lunde")
    page.get_by_role("link", name="Varsler").first.click()
    page.get_by_role("link", name="Lag en kalenderadresse").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Møter og frister i kalenderen din")
    check_a11y(page)

    page.get_by_role("button", name="Lag kalenderadresse").click()
    url = page.locator("#calendar-url").inner_text()
    assert re.fullmatch(r"https?://[^/]+/kalender/[A-Za-z0-9_-]{40,}\.ics", url)
    check_a11y(page)
    feed_path = "/" + url.split("/", 3)[3]
    fetched = page.request.get(f"{live_server.url}{feed_path}")
    assert fetched.status == 200 and fetched.text().startswith("BEGIN:VCALENDAR")

    page.goto(f"{live_server.url}/varsler/kalender/")
    expect(page.locator("#calendar-url")).to_have_count(0)  # shown once
    page.get_by_role("link", name="Trekk tilbake adressen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trekke tilbake kalenderadressen?")
    check_a11y(page)
    page.get_by_role("button", name="Ja, trekk tilbake adressen").click()
    expect(page.get_by_role("status").or_(page.locator(".messages"))).to_contain_text("trukket tilbake")
    check_a11y(page)
    assert page.request.get(f"{live_server.url}{feed_path}").status == 404
