"""The guide's toolbox in a real browser: every toolbox page and the printable forms pass
axe-core (WCAG 2.1 AA), print without the menu, and the holder writes the analysis of
maintaining factors from the log page."""

import pytest

from stafett.guide.source import guide
from tests.browser.conftest import check_a11y, login_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_every_toolbox_page_is_accessible_and_prints_without_the_menu(page, live_server, seeded):
    login_as(page, live_server, "Nina Fossum")
    for slug in guide().toolbox:
        page.goto(f"{live_server.url}/veileder/verktoy/{slug}/")
        assert page.locator("h1").inner_text() == guide().toolbox[slug].title
        check_a11y(page)
    page.goto(f"{live_server.url}/veileder/verktoy/samtykkeskjema/")
    assert page.get_by_role("button", name="Skriv ut").is_visible()
    page.emulate_media(media="print")
    assert not page.get_by_role("navigation", name="Hovedmeny").is_visible()
    assert not page.get_by_role("link", name="Last ned skjemaet som PDF").is_visible()
    assert page.get_by_text("Samtykke innhentet av").is_visible()


def test_holder_writes_the_analysis_of_maintaining_factors(page, live_server, seeded):
    login_as(page, live_server, "Kari Lunde")
    page.get_by_role("region", name="Mine logger").get_by_role("link").first.click()
    page.wait_for_url("**/logg/*/")
    page.get_by_role("link", name="Skriv analysen av opprettholdende faktorer").click()
    page.wait_for_url("**/veileder/opprettholdende-faktorer/")
    check_a11y(page)
    page.get_by_label("Opprettholdende faktorer i tjenestene").fill("Store grupper i samlingsstund.")
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_url("**/logg/*/#opprettholdende-faktorer")
    page.get_by_role("status").filter(has_text="Analysen av opprettholdende faktorer er lagret.").wait_for()
    assert "Store grupper i samlingsstund." in page.get_by_role("region", name="BTI-veilederen").inner_text()
    check_a11y(page)
