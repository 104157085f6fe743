"""Messages in a stafettlogg sent from a real browser: HTMX adds them in place, and an
empty message still shows the error (HTMX does not swap a 400, so the form posts again plainly)."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_a11y, login_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_first_log(page, live_server) -> str:
    login_as(page, live_server, "Kari Lunde")
    page.get_by_role("region", name="Mine logger").get_by_role("link").first.click()
    page.wait_for_url("**/logg/*/")
    return page.url


def test_employee_sends_a_message_with_javascript_and_it_is_announced(page, live_server, seeded):
    log_url = open_first_log(page, live_server)
    page.evaluate("window.__same_page = true; document.getElementById('status').__was_here = true")
    page.get_by_label("Melding", exact=True).fill("Hørselstesten er bestilt.")
    page.get_by_role("button", name="Send melding").click()

    status = page.get_by_role("status").filter(has_text="Meldingen er sendt.")
    status.wait_for()
    assert status.evaluate("e => e.id === 'status' && e.__was_here === true")
    assert page.evaluate("window.__same_page === true")
    assert page.locator("#message-list .message-item").last.inner_text().endswith("Hørselstesten er bestilt.")
    assert page.locator("#no-messages").count() == 0
    assert page.get_by_label("Melding", exact=True).input_value() == ""
    assert page.url == log_url
    check_a11y(page)


def test_employee_who_sends_an_empty_message_with_javascript_sees_the_error(page, live_server, seeded):
    open_first_log(page, live_server)
    with page.expect_navigation():
        page.get_by_role("button", name="Send melding").click()
    expect(page.locator("h1")).to_have_text("Meldingen ble ikke sendt")
    assert page.get_by_label("Melding", exact=True).get_attribute("aria-invalid") == "true"
    check_a11y(page)
