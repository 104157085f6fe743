"""Every page of the people and account parts of Stafett passes axe-core (WCAG 2.1 AA),
visited by the demo person who would really see it, in the states that matter
(empty form, form with errors, confirmation, not found)."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from stafett.core.demo_data import synthetic_national_id
from stafett.people.models import Membership, Person, Unit
from tests.browser.conftest import check_a11y, login_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KINDERGARTEN = "Solsikken barnehage"
BAD_ROW_CSV = (
    "fornavn;etternavn;e-post;mobil;stilling;rolle\n"
    "Åse;Ødegård;ase.odegard@fjordvik.example;;assistent;\n"
    "Mia;;mia@fjordvik.example;;;\n"
)


def staff_url(live_server, unit_name: str = KINDERGARTEN) -> str:
    return f"{live_server.url}/tjenestested/{Unit.objects.get(name=unit_name).code}/ansatte/"


def child(given: str, family: str) -> Person:
    return Person.objects.get(given_name=given, family_name=family, national_id__isnull=False)


# --- Signed out -----------------------------------------------------------


def test_welcome_page_is_accessible(page, live_server, seeded):
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Velkommen til Stafett"
    check_a11y(page)


def test_login_page_is_accessible(page, live_server, seeded):
    page.goto(live_server.url + "/logg-inn/")
    assert page.locator("h1").inner_text() == "Logg inn"
    check_a11y(page)


def test_demo_login_page_is_accessible(page, live_server, seeded):
    page.goto(live_server.url + "/demo/logg-inn/")
    assert page.get_by_role("button", name="Berit Solheim").count() == 1
    check_a11y(page)


def test_accessibility_statement_is_accessible(page, live_server, seeded):
    page.goto(live_server.url + "/tilgjengelighet/")
    assert page.locator("h1").inner_text() == "Tilgjengelighetserklæring"
    check_a11y(page)


def test_page_not_found_is_accessible(page, live_server, seeded):
    response = page.goto(live_server.url + "/finnes-ikke/")
    assert response.status == 404
    assert page.locator("h1").inner_text() == "Fant ikke siden"
    check_a11y(page)


def test_logged_out_page_is_accessible(page, live_server, seeded):
    login_as(page, live_server, "Kari Lunde")
    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_url("**/logget-ut/")
    assert page.locator("h1").inner_text() == "Du er logget ut"
    check_a11y(page)


# --- Start page for each role ---------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected_heading"),
    [
        ("Berit Solheim", "Som leder"),
        ("Kari Lunde", "Dine tjenestesteder"),
        ("Trude Lie", "Som systemansvarlig"),
        ("Randi Nilsen", "Som superbruker"),
        ("Silje Hansen", "Dine barn"),
    ],
    ids=["leader", "employee", "system-admin", "superuser", "guardian"],
)
def test_start_page_for_each_role_is_accessible(page, live_server, seeded, name, expected_heading):
    login_as(page, live_server, name)
    assert page.get_by_role("heading", name=expected_heading).count() == 1
    check_a11y(page)


# --- Staff lists (leader) -------------------------------------------------


def test_staff_list_is_accessible(page, live_server, seeded):
    login_as(page, live_server, "Berit Solheim")
    page.get_by_role("link", name=f"Endre ansattlisten for {KINDERGARTEN}").click()
    expect(page.locator("h1")).to_have_text(f"Ansatte ved {KINDERGARTEN}")
    assert page.get_by_role("cell", name="Kari Lunde", exact=True).count() == 1
    check_a11y(page)


def test_staff_list_with_form_errors_after_failed_add_is_accessible(page, live_server, seeded):
    login_as(page, live_server, "Berit Solheim")
    page.goto(staff_url(live_server))
    page.get_by_label("Fornavn").fill("Ny")
    page.get_by_label("E-post").fill("ikke-en-adresse")
    page.get_by_role("button", name="Legg til").click()
    page.locator(".field-error").first.wait_for()
    assert page.locator(".field-error").count() >= 2
    check_a11y(page)


def test_staff_list_page_reloaded_with_form_errors_is_accessible(page, live_server, seeded):
    """The whole page as a browser without JavaScript gets it after a failed add."""
    login_as(page, live_server, "Berit Solheim")
    page.goto(staff_url(live_server))
    page.get_by_label("Fornavn").fill("Ny")
    with page.expect_navigation():
        page.evaluate("document.querySelector('#ansatte form').submit()")  # a plain post, past HTMX
    assert page.locator("h1").inner_text() == f"Ansatte ved {KINDERGARTEN}"
    assert page.locator(".field-error").count() >= 2
    check_a11y(page)


def test_staff_import_page_with_error_report_is_accessible(page, live_server, seeded):
    login_as(page, live_server, "Berit Solheim")
    page.goto(staff_url(live_server))
    page.get_by_role("link", name="Importer mange ansatte fra CSV-fil").click()
    check_a11y(page)
    page.get_by_label("CSV-fil med ansatte").set_input_files(
        {"name": "ansatte.csv", "mimeType": "text/csv", "buffer": BAD_ROW_CSV.encode("utf-8")}
    )
    page.get_by_role("button", name="Importer").click()
    page.get_by_role("heading", name="Ingenting ble importert").wait_for()
    check_a11y(page)


def test_staff_import_page_with_unreadable_file_is_accessible(page, live_server, seeded):
    login_as(page, live_server, "Berit Solheim")
    unit = Unit.objects.get(name=KINDERGARTEN)
    page.goto(f"{live_server.url}/tjenestested/{unit.code}/ansatte/import/")
    page.get_by_label("CSV-fil med ansatte").set_input_files(
        {"name": "ansatte.csv", "mimeType": "text/csv", "buffer": b"navn;epost\nTor;tor@x.example\n"}
    )
    page.get_by_role("button", name="Importer").click()
    page.locator(".field-error").wait_for()
    check_a11y(page)


def test_end_membership_confirmation_page_is_accessible(page, live_server, seeded):
    login_as(page, live_server, "Berit Solheim")
    page.goto(staff_url(live_server))
    page.get_by_role("link", name=re.compile(r"Ta av listen\W+Tor Aasen")).click()
    expect(page.locator("h1")).to_have_text("Ta Tor Aasen av ansattlisten?")
    check_a11y(page)


def test_staff_list_read_only_for_an_employee_is_accessible(page, live_server, seeded):
    login_as(page, live_server, "Kari Lunde")
    page.get_by_role("link", name=f"Ansattlisten for {KINDERGARTEN}").click()
    expect(page.locator("h1")).to_have_text(f"Ansatte ved {KINDERGARTEN}")
    expect(page.get_by_role("heading", name="Legg til ansatt")).to_have_count(0)
    check_a11y(page)


# --- Units and the person register (system administrator) -----------------


def test_unit_list_is_accessible(page, live_server, seeded):
    login_as(page, live_server, "Trude Lie")
    page.get_by_role("link", name="Tjenestesteder og ansattlister").click()
    expect(page.get_by_role("cell", name=KINDERGARTEN, exact=True)).to_have_count(1)
    check_a11y(page)


def test_person_search_and_detail_are_accessible(page, live_server, seeded):
    login_as(page, live_server, "Trude Lie")
    page.get_by_role("link", name="Personregisteret: barn og foresatte").click()
    check_a11y(page)
    page.get_by_label("Fødselsnummer eller D-nummer").fill(child("Emma", "Hansen").national_id)
    page.get_by_role("button", name="Finn").click()
    page.wait_for_url("**/personer/*/")
    assert page.locator("h1").inner_text() == "Emma Hansen"
    check_a11y(page)


def test_person_search_with_no_match_is_accessible(page, live_server, seeded):
    login_as(page, live_server, "Trude Lie")
    page.goto(live_server.url + "/personer/")
    page.get_by_label("Fødselsnummer eller D-nummer").fill(synthetic_national_id(date(2020, 1, 1), 3))
    page.get_by_role("button", name="Finn").click()
    page.get_by_role("status").filter(has_text="Ingen person har dette nummeret").wait_for()
    check_a11y(page)


def test_person_search_with_invalid_number_is_accessible(page, live_server, seeded):
    login_as(page, live_server, "Trude Lie")
    page.goto(live_server.url + "/personer/")
    page.get_by_label("Fødselsnummer eller D-nummer").fill("12345678901")
    page.get_by_role("button", name="Finn").click()
    page.locator(".field-error").wait_for()
    check_a11y(page)


def test_person_register_with_invalid_national_id_is_accessible(page, live_server, seeded):
    login_as(page, live_server, "Trude Lie")
    page.goto(live_server.url + "/personer/ny/")
    check_a11y(page)
    page.get_by_label("Fødselsnummer eller D-nummer").fill("12345678901")
    page.get_by_label("Fornavn").fill("Test")
    page.get_by_label("Postnummer").fill("12")
    page.get_by_role("button", name="Registrer").click()
    page.locator(".field-error").first.wait_for()
    assert page.locator(".has-error").count() == 3  # national ID, family name, postal code
    check_a11y(page)


def test_person_detail_with_guardian_form_errors_is_accessible(page, live_server, seeded):
    login_as(page, live_server, "Trude Lie")
    page.goto(f"{live_server.url}/personer/{child('Emma', 'Hansen').code}/")
    page.get_by_label("Den foresattes fødselsnummer").fill(synthetic_national_id(date(1970, 1, 1), 4))
    page.get_by_role("button", name="Legg til foresatt").click()
    page.locator(".field-error").wait_for()
    check_a11y(page)


def test_guardian_remove_confirmation_page_is_accessible(page, live_server, seeded):
    login_as(page, live_server, "Trude Lie")
    page.goto(f"{live_server.url}/personer/{child('Emma', 'Hansen').code}/")
    page.get_by_role("link", name="Fjern Silje Hansen som foresatt").click()
    expect(page.locator("h1")).to_have_text("Fjerne Silje Hansen som foresatt?")
    check_a11y(page)


def test_staff_list_opened_from_unit_list_by_system_admin_is_accessible(page, live_server, seeded):
    login_as(page, live_server, "Trude Lie")
    page.goto(live_server.url + "/tjenestesteder/")
    page.get_by_role("link", name="Ansattliste for Fjordvik skole").click()
    expect(page.locator("h1")).to_have_text("Ansatte ved Fjordvik skole")
    assert Membership.objects.active().filter(unit__name="Fjordvik skole").count() >= 2
    check_a11y(page)
