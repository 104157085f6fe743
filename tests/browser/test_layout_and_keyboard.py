"""Pages reflow at 320 px (WCAG 1.4.10) and the skip link works from the keyboard (WCAG 2.4.1)."""

import pytest

from stafett.people.models import Person, Unit
from tests.browser.conftest import check_a11y, login_as, new_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 320, "height": 640}
BAD_ROW_CSV = "fornavn;etternavn;e-post\nÅse;Ødegård;ase.odegard@fjordvik.example\nMia;;mia@fjordvik.example\n"


@pytest.fixture
def narrow_page(browser):
    context = new_context(browser, viewport=NARROW)
    page = context.new_page()
    yield page
    context.close()


def assert_no_horizontal_scroll(page) -> None:
    """No sideways scrolling of the page; and axe-core passes at this width too."""
    check_a11y(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > NARROW["width"]:
        too_wide = page.evaluate(
            """limit => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > limit
                             || (e.scrollWidth > e.clientWidth && !/auto|scroll/.test(getComputedStyle(e).overflowX)))
                .filter(e => !e.parentElement.closest('.table-wrap') || getComputedStyle(e).position === 'absolute')
                .slice(0, 5)
                .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : '')
                     + ' «' + e.textContent.trim().slice(0, 30) + '»')""",
            NARROW["width"],
        )
        pytest.fail(f"{page.url} scrolls sideways at 320 px ({width} px wide); too wide: {too_wide}")


def test_start_page_and_staff_list_fit_a_320_pixel_screen(narrow_page, live_server, seeded):
    page = narrow_page
    login_as(page, live_server, "Berit Solheim")
    assert_no_horizontal_scroll(page)
    page.get_by_role("link", name="Endre ansattlisten for Solsikken barnehage").click()
    page.wait_for_url("**/ansatte/")
    assert_no_horizontal_scroll(page)
    # The table may scroll inside its own box, never the page.
    assert page.locator(".table-wrap").evaluate("e => getComputedStyle(e).overflowX") == "auto"

    page.get_by_role("button", name="Legg til").click()  # empty form: errors on every required field
    page.locator("#ansatte .field-error").first.wait_for()
    assert_no_horizontal_scroll(page)

    page.get_by_role("link", name="Importer mange ansatte fra CSV-fil").click()
    page.get_by_label("CSV-fil med ansatte").set_input_files(
        {"name": "ansatte.csv", "mimeType": "text/csv", "buffer": BAD_ROW_CSV.encode("utf-8")}
    )
    page.get_by_role("button", name="Importer").click()
    page.get_by_role("alert").wait_for()
    assert_no_horizontal_scroll(page)


def test_system_admin_pages_fit_a_320_pixel_screen(narrow_page, live_server, seeded):
    page = narrow_page
    login_as(page, live_server, "Trude Lie")
    assert_no_horizontal_scroll(page)
    page.goto(live_server.url + "/tjenestesteder/")
    assert_no_horizontal_scroll(page)
    emma = Person.objects.get(given_name="Emma", family_name="Hansen", national_id__isnull=False)
    page.goto(f"{live_server.url}/personer/{emma.code}/")
    assert_no_horizontal_scroll(page)
    page.goto(live_server.url + "/personer/ny/")
    assert_no_horizontal_scroll(page)


def test_guardian_start_page_and_signed_out_pages_fit_a_320_pixel_screen(narrow_page, live_server, seeded):
    page = narrow_page
    for path in ("/", "/logg-inn/", "/demo/logg-inn/", "/tilgjengelighet/"):
        page.goto(live_server.url + path)
        assert_no_horizontal_scroll(page)
    login_as(page, live_server, "Silje Hansen")
    assert_no_horizontal_scroll(page)


def test_first_tab_focuses_the_skip_link_which_moves_focus_to_the_main_content(page, live_server, seeded):
    login_as(page, live_server, "Berit Solheim")
    unit = Unit.objects.get(name="Solsikken barnehage")
    page.goto(f"{live_server.url}/tjenestested/{unit.code}/ansatte/")

    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.tagName, document.activeElement.textContent.trim()]")
    assert focused == ["A", "Hopp til hovedinnholdet"]
    # The focused skip link is visible, not left off-screen.
    box = page.locator(".skip-link").bounding_box()
    assert box is not None and box["x"] >= 0 and box["width"] > 0

    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'innhold'")
    assert page.evaluate("document.activeElement.tagName") == "MAIN"

    # The next Tab goes to the first control inside main, not back to the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('innhold').contains(document.activeElement)")


def test_skip_link_works_on_the_welcome_page_too(page, live_server, seeded):
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Hopp til hovedinnholdet"
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement && document.activeElement.id === 'innhold'")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Logg inn"
