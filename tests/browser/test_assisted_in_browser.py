"""Families without BankID (issue 15 §7) in a real browser, from the demo: Kari Lunde opens Sara's
log, finds Henrik Olsen registered without electronic ID, prints his view and sends him a code;
Henrik, not signed in, types the code on the code page and reads — nothing to write, no access log.

Every page is checked with axe-core and for policy errors (conftest.check_a11y)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_a11y, login_as, new_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sms_file(settings, tmp_path):
    settings.SMS_BACKEND = "stafett.notify.channels.FileSms"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.txt")
    return tmp_path / "sms.txt"


def test_holder_prints_and_sends_a_code_and_the_guardian_reads_with_it(page, browser, live_server, seeded, sms_file):
    from stafett.notify import outbox

    login_as(page, live_server, "Kari Lunde")
    page.get_by_role("region", name="Mine logger").get_by_role("link", name="Sara Olsen", exact=True).click()
    page.get_by_role("link", name="Foresatte uten BankID: utskrift eller engangskode").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Foresatte uten elektronisk ID – Sara Olsen")
    expect(page.get_by_role("heading", name="Henrik Olsen")).to_be_visible()
    check_a11y(page)

    page.get_by_role("link", name="Skriv ut til Henrik").click()
    expect(page.get_by_text("Til Henrik Olsen, som er med uten elektronisk ID")).to_be_visible()
    check_a11y(page)
    page.go_back()

    page.get_by_role("button", name="Send engangskode på SMS til Henrik Olsen").click()
    expect(page.get_by_role("status")).to_contain_text("En engangskode er sendt på SMS til Henrik Olsen")
    outbox.deliver_due()
    code = re.search(r"Engangskoden din er ([A-Z0-9]{4}-[A-Z0-9]{4})", sms_file.read_text(encoding="utf-8")).group(1)

    context = new_context(browser)
    try:
        henrik = context.new_page()
        henrik.goto(f"{live_server.url}/innsyn/")
        expect(henrik.get_by_role("heading", level=1)).to_have_text("Les stafettloggen med engangskode")
        check_a11y(henrik)
        henrik.get_by_label("Engangskode").fill("WRONG-CODE")
        henrik.get_by_role("button", name="Les loggen").click()
        expect(henrik.get_by_text("Koden er ikke gyldig")).to_be_visible()
        check_a11y(henrik)

        henrik.get_by_label("Engangskode").fill(code.lower())
        henrik.get_by_role("button", name="Les loggen").click()
        expect(henrik.get_by_role("heading", level=1)).to_have_text("Stafettlogg for Sara Olsen")
        expect(henrik.get_by_text("Du leser som Henrik Olsen, med engangskode")).to_be_visible()
        expect(henrik.locator("textarea")).to_have_count(0)
        expect(henrik.get_by_text("Hvem har sett loggen")).to_have_count(0)
        check_a11y(henrik)

        henrik.get_by_role("button", name="Avslutt lesingen").click()
        expect(henrik.get_by_role("status")).to_contain_text("Du har avsluttet lesingen")
        henrik.goto(f"{live_server.url}/innsyn/logg/")
        expect(henrik.get_by_role("heading", level=1)).to_have_text("Les stafettloggen med engangskode")
        assert not context.stafett_policy_errors, context.stafett_policy_errors
    finally:
        context.close()
