"""A leader keeps the staff list up to date in a real browser: with HTMX, without
JavaScript, by ending a membership, and by importing a CSV file."""

import re

import pytest
from playwright.sync_api import expect

from stafett.people.models import Membership, Person, Unit
from tests.browser.conftest import check_a11y, login_as, new_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KINDERGARTEN = "Solsikken barnehage"
GOOD_CSV = (
    "fornavn;etternavn;e-post;mobil;stilling;rolle\n"
    "Åse;Ødegård;ase.odegard@fjordvik.example;;assistent;\n"
    "Lars;Bø;lars.bo@fjordvik.example;40000099;pedagogisk leder;Leder\n"
)
BAD_ROW_CSV = GOOD_CSV + "Mia;;mia@fjordvik.example;;;\n"


def staff_url(live_server) -> str:
    return f"{live_server.url}/tjenestested/{Unit.objects.get(name=KINDERGARTEN).code}/ansatte/"


def on_the_list() -> set[str]:
    return {m.person.full_name for m in Membership.objects.active().filter(unit__name=KINDERGARTEN)}


def fill_new_staff_member(page) -> None:
    page.get_by_label("Fornavn").fill("Sofie")
    page.get_by_label("Etternavn").fill("Brekke")
    page.get_by_label("E-post").fill("sofie.brekke@fjordvik.example")
    page.get_by_label("Stilling").fill("barnehagelærer")


def test_leader_adds_staff_member_with_javascript(page, live_server, seeded):
    login_as(page, live_server, "Berit Solheim")
    page.goto(staff_url(live_server))
    page.evaluate("window.__same_page = true")  # gone if the browser loads a new page
    # Screen readers announce changes to a live region that was already there, not to a new one.
    page.evaluate("document.getElementById('status').__was_here = true")
    fill_new_staff_member(page)
    page.get_by_role("button", name="Legg til").click()

    status = page.get_by_role("status")
    status.filter(has_text="Sofie Brekke er lagt til på ansattlisten.").wait_for()
    assert status.evaluate("e => e.id === 'status' && e.__was_here === true")
    assert page.get_by_role("cell", name="Sofie Brekke", exact=True).count() == 1
    assert page.evaluate("window.__same_page === true"), "HTMX should swap the section, not load a new page"
    assert page.get_by_label("Fornavn").input_value() == "", "the form is emptied for the next person"
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_given_name'", timeout=2000)
    assert page.get_by_role("table").get_by_role("caption").inner_text() == "Ansattlisten (4)"
    assert "Sofie Brekke" in on_the_list()
    check_a11y(page)

    # The swapped-in form works the same way for the next person.
    page.get_by_label("Fornavn").fill("Jonas")
    page.get_by_label("Etternavn").fill("Brekke")
    page.get_by_label("E-post").fill("jonas.brekke@fjordvik.example")
    page.get_by_role("button", name="Legg til").click()
    status.filter(has_text="Jonas Brekke er lagt til på ansattlisten.").wait_for()
    assert page.evaluate("window.__same_page === true")
    assert page.get_by_role("table").get_by_role("caption").inner_text() == "Ansattlisten (5)"


def test_leader_sees_form_errors_with_javascript_and_focus_moves_to_the_first(page, live_server, seeded):
    login_as(page, live_server, "Berit Solheim")
    page.goto(staff_url(live_server))
    page.evaluate("window.__same_page = true")
    page.get_by_label("Fornavn").fill("Sofie")
    page.get_by_label("E-post").fill("ikke-en-adresse")
    page.get_by_role("button", name="Legg til").click()

    family_name = page.get_by_label("Etternavn")
    page.locator("#ansatte .field-error").first.wait_for()
    assert page.evaluate("window.__same_page === true")
    assert family_name.get_attribute("aria-invalid") == "true"
    # Focus goes to the first field with an error once HTMX has settled the new content.
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_family_name'", timeout=2000)
    # The error is read out with the field (aria-describedby).
    described_by = family_name.get_attribute("aria-describedby").split()
    assert "id_family_name_error" in described_by
    assert page.locator("#id_family_name_error").inner_text() != ""
    assert page.get_by_label("Fornavn").input_value() == "Sofie", "what was typed is kept"
    assert "Sofie" not in {name.split()[0] for name in on_the_list()}


def test_leader_adds_staff_member_without_javascript(browser, live_server, seeded):
    context = new_context(browser, java_script_enabled=False)
    page = context.new_page()
    try:
        login_as(page, live_server, "Berit Solheim")
        page.goto(staff_url(live_server))
        fill_new_staff_member(page)
        with page.expect_navigation():
            page.get_by_role("button", name="Legg til").click()
        assert page.url == staff_url(live_server), "a plain post redirects back to the list"
        assert page.get_by_role("status").inner_text().strip() == "Sofie Brekke er lagt til på ansattlisten."
        assert page.get_by_role("cell", name="Sofie Brekke", exact=True).count() == 1
    finally:
        context.close()
    assert "Sofie Brekke" in on_the_list()


def test_leader_sees_form_errors_without_javascript(browser, live_server, seeded):
    context = new_context(browser, java_script_enabled=False)
    page = context.new_page()
    try:
        login_as(page, live_server, "Berit Solheim")
        page.goto(staff_url(live_server))
        page.get_by_label("Fornavn").fill("Sofie")
        with page.expect_navigation():
            page.get_by_role("button", name="Legg til").click()
        expect(page.locator("h1")).to_have_text(f"Ansatte ved {KINDERGARTEN}")
        assert page.get_by_label("Etternavn").get_attribute("aria-invalid") == "true"
        assert page.get_by_label("Fornavn").input_value() == "Sofie"
    finally:
        context.close()


def test_leader_ends_a_membership_on_the_confirmation_page(page, live_server, seeded):
    login_as(page, live_server, "Berit Solheim")
    page.goto(staff_url(live_server))
    page.get_by_role("link", name=re.compile(r"Ta av listen\W+Tor Aasen")).click()
    page.get_by_role("button", name="Ja, ta av listen").click()

    page.wait_for_url(staff_url(live_server))
    assert page.get_by_role("status").inner_text().strip() == "Tor Aasen er tatt av ansattlisten."
    assert page.get_by_role("cell", name="Tor Aasen", exact=True).count() == 0
    assert "Tor Aasen" not in on_the_list()
    check_a11y(page)


def test_leader_who_cancels_ending_a_membership_keeps_the_person(page, live_server, seeded):
    login_as(page, live_server, "Berit Solheim")
    page.goto(staff_url(live_server))
    page.get_by_role("link", name=re.compile(r"Ta av listen\W+Tor Aasen")).click()
    page.get_by_role("link", name="Avbryt").click()
    page.wait_for_url(staff_url(live_server))
    assert page.get_by_role("cell", name="Tor Aasen", exact=True).count() == 1


def upload(page, live_server, content: str) -> None:
    page.goto(staff_url(live_server))
    page.get_by_role("link", name="Importer mange ansatte fra CSV-fil").click()
    page.get_by_label("CSV-fil med ansatte").set_input_files(
        {"name": "ansatte.csv", "mimeType": "text/csv", "buffer": content.encode("utf-8")}
    )
    page.get_by_role("button", name="Importer").click()


def test_leader_imports_a_good_csv_file_and_everyone_is_added(page, live_server, seeded):
    login_as(page, live_server, "Berit Solheim")
    upload(page, live_server, GOOD_CSV)

    page.wait_for_url(staff_url(live_server))
    assert page.get_by_role("status").inner_text().strip() == "2 ansatte er lagt til fra filen."
    for name in ("Åse Ødegård", "Lars Bø"):
        assert page.get_by_role("cell", name=name, exact=True).count() == 1
    assert {"Åse Ødegård", "Lars Bø"} <= on_the_list()


def test_leader_imports_a_csv_file_with_one_bad_row_and_nobody_is_added(page, live_server, seeded):
    login_as(page, live_server, "Berit Solheim")
    people_before = Person.objects.count()
    upload(page, live_server, BAD_ROW_CSV)

    report = page.get_by_role("alert")
    report.get_by_role("heading", name="Ingenting ble importert: 1 av 3 linjer har feil").wait_for()
    rows = report.get_by_role("table").locator("tbody tr")
    assert rows.count() == 1
    assert rows.first.locator("td").all_inner_texts() == ["4", "Mangler etternavn."]
    assert Person.objects.count() == people_before
    assert not {"Åse Ødegård", "Lars Bø"} & on_the_list()
