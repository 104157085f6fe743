"""The BTI guide in a real browser: the holder starts a level on the log page, records a
decision, and the guide pages pass axe-core (WCAG 2.1 AA)."""

import pytest

from tests.browser.conftest import check_a11y, login_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_holder_follows_the_guide_on_the_log_page(page, live_server, seeded):
    login_as(page, live_server, "Kari Lunde")
    page.get_by_role("region", name="Mine logger").get_by_role("link").first.click()
    page.wait_for_url("**/logg/*/")
    page.get_by_role("button", name="Start nivået").click()
    page.wait_for_url("**/logg/*/#veileder")
    guide = page.get_by_role("region", name="BTI-veilederen")
    assert "Nivå 1, steg 1: Definer problemstilling" in guide.inner_text()
    check_a11y(page)

    guide.get_by_label("Kommentar").first.fill("Avtalt med foresatte")
    guide.get_by_role("button", name="Registrer beslutningen").first.click()
    page.get_by_role("status").filter(has_text="Beslutningen er registrert.").wait_for()
    text = page.get_by_role("region", name="BTI-veilederen").inner_text()
    assert "Nivå 1, steg 2" in text and "fortsett på dette nivået: Avtalt med foresatte" in text
    check_a11y(page)

    page.get_by_role("link", name="Hele veilederen").click()
    page.wait_for_url("**/veileder/")
    check_a11y(page)
    page.get_by_role("link", name="Gode møter").first.click()
    page.wait_for_url("**/veileder/verktoy/gode-moter/")
    check_a11y(page)


def test_superuser_edits_a_step(page, live_server, seeded):
    login_as(page, live_server, "Randi Nilsen")
    page.get_by_role("link", name="BTI-veilederen: stegene på hvert nivå").click()
    page.wait_for_url("**/veileder/")
    page.locator("details.guide-level").first.locator("summary").click()
    page.get_by_role("link", name="Endre barnehage, nivå 0, steg 1").click()
    page.wait_for_url("**/veileder/steg/*/endre/")
    check_a11y(page)
    page.get_by_label("Hvem").fill("Den ansatte som eier undringen")
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_url("**/veileder/#steg-*")
    assert "Den ansatte som eier undringen" in page.content()
