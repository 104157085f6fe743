"""The BTI routine's new parts (issue 15) as a new user meets them in the demo, clicked through in
a real browser from the demo person's start page (stafett/core/demo_routine.py seeds them):

- Linda Kristiansen sees her answered and her waiting request and asks another unit; Geir Moen
  (rektor) answers the waiting one from his list, and Linda reads the answer.
- Ida Larsen approves Mona Eik as a new participant in Oskar's log; then Mona can read it.
- Tor Aasen reads his anonymous discussion and records another: a national ID number is refused,
  a name from the register needs his confirmation.
- Ingrid Berg reads Maja's individual plan, turns Nora's log into one and writes its own goals
  and a decision.
- Ingrid moves and cancels a meeting with JavaScript off; the cancelled one shows «Avlyst».

Every page is checked with axe-core and for policy errors (conftest.check_a11y).
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import check_a11y, login_as, new_context, policy_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def expect_heading(page, text: "str | re.Pattern[str]") -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def expect_message(page, text: str) -> None:
    expect(page.get_by_role("status")).to_contain_text(text)


def switch_user(page, live_server, name: str) -> None:
    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_url("**/logget-ut/**")
    login_as(page, live_server, name)


def open_log(page, name: str) -> None:
    page.get_by_role("region", name="Mine logger").get_by_role("link", name=name, exact=True).click()
    expect_heading(page, re.compile(f"{name}$"))


# --- Families ask (issue 15 §3) ------------------------------------------------------------------


def test_guardian_sees_her_requests_and_asks_another_unit_for_a_log(page, live_server, seeded):
    login_as(page, live_server, "Linda Kristiansen")
    requests = page.get_by_role("region", name="Be om stafettlogg")
    table = requests.get_by_role("table", name="Forespørslene deres")
    expect(table.get_by_role("row").filter(has_text="Fjordvik helsestasjon")).to_contain_text(
        "Vi vil vurdere det og tar kontakt med dere"
    )
    expect(table.get_by_role("row").filter(has_text="Fjordvik skole")).to_contain_text("Venter på svar")
    check_a11y(page)

    requests.get_by_role("link", name="Be et tjenestested vurdere stafettlogg").click()
    expect_heading(page, "Be et tjenestested vurdere stafettlogg")
    check_a11y(page)
    page.get_by_role("button", name="Send forespørselen").click()
    expect(page.get_by_label("Hva ønsker dere hjelp med?")).to_have_attribute("aria-invalid", "true")
    check_a11y(page)

    # The school has not answered yet: asking it again is refused, with the reason at the field.
    page.get_by_label("Hvilket tjenestested vil dere spørre?").select_option(
        label="Fjordvik skole (Skole, Fjordvik kommune)"
    )
    page.get_by_label("Hva ønsker dere hjelp med?").fill("Filip trenger hjelp med leksene.")
    page.get_by_role("button", name="Send forespørselen").click()
    expect(page.get_by_label("Hvilket tjenestested vil dere spørre?")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("main")).to_contain_text("Dere har allerede spurt Fjordvik skole")

    page.get_by_label("Hvilket tjenestested vil dere spørre?").select_option(
        label="Haugen skole (Skole, Fjordvik kommune)"
    )
    page.get_by_role("button", name="Send forespørselen").click()
    expect_message(page, "Forespørselen er sendt.")
    expect(table.get_by_role("row").filter(has_text="Haugen skole")).to_contain_text("Venter på svar")


def test_leader_answers_the_waiting_request_by_keyboard_and_the_family_reads_the_answer(page, live_server, seeded):
    login_as(page, live_server, "Geir Moen")
    link = page.get_by_role("link", name="Forespørsler fra familier til Fjordvik skole")
    expect(link.locator("xpath=..")).to_contain_text("1 venter på svar")
    link.click()
    expect_heading(page, "Forespørsler fra familier")
    expect(page.get_by_role("row").filter(has_text="Linda Kristiansen")).to_contain_text("Ikke besvart")
    check_a11y(page)

    page.get_by_role("link", name="Filip Kristiansen").click()
    expect_heading(page, "Forespørsel om stafettlogg")
    expect(page.locator("main")).to_contain_text("Vi ønsker et samarbeid med skolen om fraværet til Filip.")
    check_a11y(page)
    page.get_by_role("button", name="Send svaret").click()
    expect(page.locator("main")).to_contain_text("Velg et svar.")
    check_a11y(page)

    # By keyboard: focus the first choice, arrow to the second, type the answer, Enter sends.
    answers = page.get_by_role("group", name="Svar")
    answers.get_by_role("radio").first.focus()
    page.keyboard.press("ArrowDown")
    expect(answers.get_by_label("Vi oppretter en stafettlogg etter samtykke fra dere")).to_be_checked()
    page.get_by_label("Til familien").focus()
    page.keyboard.type("Kontaktlæreren ringer dere i morgen.")
    page.get_by_role("button", name="Send svaret").focus()
    page.keyboard.press("Enter")
    expect_message(page, "Svaret er sendt til familien.")
    expect(page.get_by_role("row").filter(has_text="Linda Kristiansen")).to_contain_text("Geir Moen")

    switch_user(page, live_server, "Linda Kristiansen")
    table = page.get_by_role("table", name="Forespørslene deres")
    expect(table.get_by_role("row").filter(has_text="Fjordvik skole")).to_contain_text(
        "Kontaktlæreren ringer dere i morgen."
    )


# --- The family approves a new participant (issue 15 §4) -------------------------------------------


def test_guardian_approves_the_new_participant_by_keyboard_and_then_she_can_read_the_log(page, live_server, seeded):
    login_as(page, live_server, "Mona Eik")
    expect(page.get_by_role("region", name="Mine logger")).not_to_contain_text("Oskar Larsen")

    switch_user(page, live_server, "Ida Larsen")
    waiting = page.get_by_role("region", name="Nye deltakere som venter på svar fra deg")
    waiting.get_by_role("link", name=re.compile("^Mona Eik")).click()
    expect_heading(page, "Ny deltaker i stafettloggen for Oskar Larsen")
    expect(page.locator("main")).to_contain_text("Ida Larsen: har ikke svart")
    check_a11y(page)
    page.get_by_role("button", name="Ja, Mona kan være med").focus()
    page.keyboard.press("Enter")
    expect_message(page, "Takk. Svaret ditt er registrert.")
    expect_heading(page, "Stafettlogg for Oskar Larsen")
    expect(page.get_by_role("region", name="Nye deltakere som venter på svar fra deg")).to_have_count(0)

    switch_user(page, live_server, "Mona Eik")
    open_log(page, "Oskar Larsen")
    check_a11y(page)


# --- Anonymous discussion with the resource team (issue 15 §5) --------------------------------------


def test_employee_reads_and_records_anonymous_discussions_without_names_or_ids(page, live_server, seeded):
    from stafett.core.demo_data import synthetic_national_id

    today = timezone.localdate()
    login_as(page, live_server, "Tor Aasen")
    page.get_by_role("link", name=re.compile("^Mine undringer")).click()
    discussions = page.locator("main")  # «Anonyme drøftinger med ressursteamet», after the notes
    dated = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}, ")
    check_a11y(page)
    discussions.get_by_role("link", name=re.compile("Tverrfaglig ressursteam i Fjordvik")).click()
    expect_heading(page, re.compile("^Anonym drøfting"))
    expect(page.locator("main")).to_contain_text("observere i tre uker")
    check_a11y(page)

    page.get_by_role("link", name="Mine undringer og drøftinger").click()
    discussions.get_by_role("link", name=re.compile("^Registrer anonym drøfting")).click()
    expect_heading(page, "Anonym drøfting med ressursteamet")
    check_a11y(page)
    page.get_by_label("Dato for drøftingen").fill(today.isoformat())
    page.get_by_label(re.compile(r"^Ressursteam")).fill("Ressursteamet")  # «(valgfritt)» follows
    number = synthetic_national_id(today - timedelta(days=4 * 365))
    page.get_by_label("Hva kom fram i drøftingen?").fill(f"Gjelder {number}. Teamet råder til observasjon.")
    page.get_by_role("button", name="Lagre").click()
    outcome = page.get_by_label("Hva kom fram i drøftingen?")
    expect(outcome).to_have_attribute("aria-invalid", "true")
    expect(page.locator("main")).to_contain_text("Teksten inneholder et fødselsnummer.")
    check_a11y(page)

    # A name from the register is a warning: saved only when he confirms it is not the child's.
    outcome.fill("Emma i teamet foreslo en samtale med de foresatte.")
    page.get_by_role("button", name="Lagre").click()
    expect(page.locator("main")).to_contain_text("«emma»")
    check_a11y(page)
    page.get_by_role("button", name="Lagre likevel").click()
    expect_message(page, "Drøftingen er registrert.")
    expect_heading(page, re.compile("^Anonym drøfting"))
    page.get_by_role("link", name="Mine undringer og drøftinger").click()
    expect(discussions.get_by_role("link", name=dated)).to_have_count(2)


# --- From log to individual plan (issue 15 §6) --------------------------------------------------------


def test_coordinator_reads_the_plan_and_turns_another_log_into_an_individual_plan(page, live_server, seeded):
    login_as(page, live_server, "Ingrid Berg")
    open_log(page, "Maja Nilsen")
    plan = page.get_by_role("region", name="Individuell plan")
    expect(plan).to_contain_text("Koordinator: Ingrid Berg")
    expect(plan).to_contain_text("Jeg vil klare en hel skoledag.")
    expect(plan).to_contain_text("Vedtak om spesialundervisning")
    expect(plan.get_by_role("heading", name="Dine oppgaver som koordinator")).to_be_visible()
    check_a11y(page)

    page.goto(f"{live_server.url}/")
    open_log(page, "Nora Jensen")
    expect(page.get_by_role("region", name="Individuell plan")).to_have_count(0)
    page.get_by_role("link", name="Gjør loggen om til individuell plan").click()
    expect_heading(page, "Gjøre stafettloggen for Nora Jensen om til individuell plan?")
    check_a11y(page)
    page.get_by_role("button", name="Gjør om til individuell plan").click()
    expect(page.get_by_label("De foresatte har samtykket skriftlig til individuell plan")).to_have_attribute(
        "aria-invalid", "true"
    )
    check_a11y(page)
    page.get_by_label("De foresatte har samtykket skriftlig til individuell plan").check()
    page.get_by_label("Mine egne mål").fill("Jeg vil være på skolen hver dag.")
    page.get_by_role("button", name="Gjør om til individuell plan").click()
    expect_message(page, "Loggen er nå en individuell plan.")
    plan = page.get_by_role("region", name="Individuell plan")
    expect(plan).to_contain_text("Koordinator: Ingrid Berg")
    expect(plan).to_contain_text("Jeg vil være på skolen hver dag.")
    check_a11y(page)

    plan.get_by_role("link", name="Skriv «Mine egne mål»").click()
    expect_heading(page, "Mine egne mål")
    check_a11y(page)
    page.get_by_label("Mine egne mål").fill("Jeg vil være på skolen hver dag og spise lunsj med klassen.")
    page.get_by_role("button", name="Lagre").click()
    expect_message(page, "«Mine egne mål» er lagret.")

    plan.get_by_role("link", name="Legg til vedtak").click()
    expect_heading(page, "Legg til vedtak")
    check_a11y(page)
    page.get_by_label("Vedtak", exact=True).fill("Vedtak om skoleskyss, fattet av kommunen.")
    page.get_by_label("Vedtaksdato").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Legg til").click()
    expect_message(page, "Vedtaket er lagt til i planen.")
    expect(plan).to_contain_text("Vedtak om skoleskyss, fattet av kommunen.")


# --- Meetings that can change (issue 15 §1) ------------------------------------------------------------


def meetings_of(page):
    return page.get_by_role("region", name="Møter", exact=True)


def test_the_demo_shows_a_moved_and_a_cancelled_meeting_and_their_pages_are_accessible(page, live_server, seeded):
    login_as(page, live_server, "Ingrid Berg")
    open_log(page, "Maja Nilsen")
    meetings = meetings_of(page)
    cancelled = meetings.get_by_role("article").filter(has=page.get_by_role("heading", name=re.compile(r"\(avlyst\)$")))
    expect(cancelled).to_contain_text("Avlyst")
    expect(cancelled).to_contain_text("PPT kan ikke komme.")
    expect(cancelled.get_by_role("link", name=re.compile("^Avlys"))).to_have_count(0)
    moved = meetings.get_by_role("article").filter(has=page.get_by_role("heading", name=re.compile(r"\(planlagt\)$")))
    expect(moved).to_contain_text("kl. 13:00")
    expect(moved).to_contain_text("Endret")
    check_a11y(page)
    moved.get_by_role("link", name=re.compile("^Endre eller flytt")).click()
    expect_heading(page, "Endre eller flytte ansvarsgruppemøte")
    check_a11y(page)
    page.go_back()
    meetings.get_by_role("article").filter(has_text="Endret").get_by_role("link", name=re.compile("^Avlys")).click()
    expect_heading(page, re.compile("^Avlyse ansvarsgruppemøte"))
    check_a11y(page)


def test_holder_moves_and_cancels_a_meeting_with_javascript_off(browser, live_server, seeded):
    day = timezone.localdate() + timedelta(days=14)
    context = new_context(browser, java_script_enabled=False)
    page = context.new_page()
    try:
        login_as(page, live_server, "Ingrid Berg")
        open_log(page, "Maja Nilsen")
        planned = meetings_of(page).get_by_role("article").filter(has_text="Endret")
        planned.get_by_role("link", name=re.compile("^Endre eller flytt")).click()
        page.get_by_label("Dato og klokkeslett").fill(f"{day.isoformat()}T09:30")
        page.get_by_role("button", name="Lagre endringen").click()
        expect_message(page, "Møtet er endret.")
        expect(meetings_of(page)).to_contain_text("kl. 09:30")

        meetings_of(page).get_by_role("article").filter(has_text="kl. 09:30").get_by_role(
            "link", name=re.compile("^Avlys")
        ).click()
        page.get_by_role("button", name="Ja, avlys møtet").click()
        expect(page.get_by_label("Hvorfor avlyses møtet?")).to_have_attribute("aria-invalid", "true")
        page.get_by_label("Hvorfor avlyses møtet?").fill("Foresatte er bortreist.")
        page.get_by_role("button", name="Ja, avlys møtet").click()
        expect_message(page, "Møtet er avlyst.")
        cancelled = meetings_of(page).get_by_role("heading", name=re.compile(r"\(avlyst\)$"))
        expect(cancelled).to_have_count(2)
        expect(meetings_of(page)).to_contain_text("Foresatte er bortreist.")
        expect(meetings_of(page)).not_to_contain_text("(planlagt)")
    finally:
        context.close()
    assert policy_errors(page) == []
