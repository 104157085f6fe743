"""A stafettlogg from consent to evaluation, clicked through in a real browser (issue 3).

Ola Strand, contact teacher at Haugen skole, finds Ella Andersen (a demo child without a
log) by national ID, registers the guardians' signed consent with the scanned PDF and opens
the log; adds PPT as a participant; writes goals and measures — one of them for the
guardians —, calls a meeting and writes the minutes, and evaluates a measure with the
evaluation form. Then the readers: the PPT adviser sees the plan but gets no edit links and
403 on an edit URL; a teacher at another school gets 404 on the log; the guardian sees
everything, and who has seen the log. A renamed non-PDF is refused with a Norwegian
message and no log. Every page visited is checked with axe-core.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from stafett.lib.demo_pdf import minimal_pdf
from stafett.logs.models import RelayLog
from stafett.people.models import Person
from tests.browser.conftest import check_a11y, login_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOLDER = "Ola Strand"  # kontaktlærer, Haugen skole
PARTICIPANT = "Siri Holm"  # PP-rådgiver, PPT for Fjordvik og Nabodal
OUTSIDER = "Ingrid Berg"  # kontaktlærer at another school (Fjordvik skole), not in the log
GUARDIAN = "Thea Andersen"
OTHER_GUARDIAN = "Kristian Andersen"
CHILD = "Ella Andersen"

SCHOOL_GOAL = "Ella deltar i gruppearbeid i norsktimene."
HOME_GOAL = "Ella leser høyt hjemme."
SCHOOL_MEASURE = "Ola setter Ella i fast gruppe med to medelever."
HOME_MEASURE = "Foresatte leser med Ella ti minutter hver kveld."
MINUTES = "Vi ble enige om to tiltak. Ella vil helst jobbe i liten gruppe."
EFFECT = "Ella sier hun liker gruppa og snakker mer i timene."

# Links only the holder gets on the log page.
EDIT_LINKS = re.compile(
    r"^(Endre|Avlys|Legg til tiltak|Legg til deltaker|Kall inn til møte|Skriv referat|Fjern|Evaluer|Forny)"
)


@pytest.fixture
def ella(seeded) -> Person:
    child = Person.objects.get(given_name="Ella", family_name="Andersen", national_id__isnull=False)
    assert not RelayLog.objects.filter(subject=child).exists(), "Ella must be a demo child without a log"
    return child


@pytest.fixture
def consent_pdf(tmp_path):
    path = tmp_path / "samtykke-ella.pdf"
    path.write_bytes(minimal_pdf("Samtykke Ella Andersen"))
    return path


def expect_message(page, text: str) -> None:
    expect(page.get_by_role("status")).to_contain_text(text)


def expect_heading(page, text: "str | re.Pattern[str]") -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def switch_user(page, live_server, name: str) -> None:
    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_url("**/logget-ut/**")
    login_as(page, live_server, name)
    check_a11y(page)  # each reader's start page


def find_child(page, national_id: str) -> None:
    """From the start page: «Ny stafettlogg», the child's national ID, to the consent form."""
    page.get_by_role("region", name="Mine logger", exact=True).get_by_role(
        "link", name="Ny stafettlogg ved Haugen skole"
    ).click()
    expect_heading(page, "Ny stafettlogg ved Haugen skole")
    check_a11y(page)
    page.get_by_label("Barnets fødselsnummer eller D-nummer").fill(national_id)
    page.get_by_role("button", name="Finn barnet").click()
    expect_heading(page, f"Ny stafettlogg for {CHILD}")


def fill_consent(page, document) -> None:
    services = page.get_by_role("group", name=re.compile("^Tjenester som kan delta"))
    services.get_by_label("Skole", exact=True).check()
    services.get_by_label("PPT", exact=True).check()
    signed = page.get_by_role("group", name=re.compile("^Signert av"))
    signed.get_by_label("Thea Andersen").check()
    signed.get_by_label("Kristian Andersen").check()
    page.get_by_label("Signert samtykkeskjema").set_input_files(document)


def add_measure(page, goal: str, what: str, category: str, responsible: str, check=False) -> None:
    today = timezone.localdate()
    page.get_by_role("link", name=f"Legg til tiltak for målet {goal}").click()
    expect_heading(page, "Nytt tiltak")
    if check:
        check_a11y(page)
    page.get_by_label("Tiltak", exact=True).fill(what)
    page.get_by_label("Kategori").select_option(label=category)
    page.get_by_label("Ansvarlig").select_option(label=responsible)
    page.get_by_label("Frist").fill((today + timedelta(days=14)).isoformat())
    page.get_by_label("Evalueres").fill((today + timedelta(days=42)).isoformat())
    page.get_by_role("button", name="Lagre").click()
    expect_message(page, "Tiltaket er lagt til.")


def measure_block(page, what: str):
    return page.get_by_role("region", name="Mål og tiltak", exact=True).locator(".measure").filter(has_text=what)


def test_holder_writes_the_log_readers_see_what_they_may(page, live_server, ella, consent_pdf):
    today = timezone.localdate()

    # --- The contact teacher opens a log with the guardians' signed consent ------------------
    login_as(page, live_server, HOLDER)
    check_a11y(page)
    find_child(page, ella.national_id)
    check_a11y(page)
    fill_consent(page, consent_pdf)
    page.get_by_label("Mal").select_option(label="Skole")
    page.get_by_label("Hvem tok initiativet").fill("Kontaktlærer")
    page.get_by_label("Hva er bekymringen?").fill("Ella sier lite i timene og trekker seg unna i friminuttene.")
    page.get_by_role("button", name="Opprett stafettlogg").click()
    expect_message(page, f"Stafettloggen for {CHILD} er opprettet.")
    expect_heading(page, f"Stafettlogg for {CHILD}")
    log = RelayLog.objects.get(subject=ella)
    log_url = page.url
    assert log_url == f"{live_server.url}/logg/{log.code}/"
    consent = page.get_by_role("region", name="Samtykke", exact=True)
    expect(consent).to_contain_text("Signert av: Kristian Andersen, Thea Andersen.")
    expect(consent).to_contain_text("Tjenester: PPT, Skole.")
    expect(consent.get_by_role("link", name=re.compile("^Last ned signert samtykke"))).to_be_visible()
    check_a11y(page)

    # --- … adds PPT as a participant --------------------------------------------------------
    page.get_by_role("region", name="Deltakere", exact=True).get_by_role("link", name="Legg til deltaker").click()
    expect_heading(page, "Legg til deltaker")
    check_a11y(page)
    page.get_by_label("Person og tjenestested").select_option(
        label="Siri Holm – PP-rådgiver, PPT for Fjordvik og Nabodal"
    )
    page.get_by_role("button", name="Legg til").click()
    expect_message(page, "Siri Holm er lagt til som deltaker. De foresatte blir spurt om de godkjenner")
    expect(page.get_by_role("region", name="Deltakere", exact=True)).to_contain_text(
        "Siri Holm – PPT for Fjordvik og Nabodal"
    )

    # --- … writes a goal for school and one for home, with a measure each ---------------------
    for arena, goal in [("Barnehage/skole", SCHOOL_GOAL), ("Hjem og fritid", HOME_GOAL)]:
        page.get_by_label("Arena").select_option(label=arena)
        page.get_by_label("Mål", exact=True).fill(goal)
        page.get_by_role("button", name="Legg til mål").click()
        expect_message(page, "Målet er lagt til.")
    goals = page.get_by_role("region", name="Mål og tiltak", exact=True)
    expect(goals.get_by_role("heading", level=3)).to_have_text(
        [f"Barnehage/skole: {SCHOOL_GOAL}", f"Hjem og fritid: {HOME_GOAL}", "Nytt mål"]
    )
    add_measure(
        page, SCHOOL_GOAL, SCHOOL_MEASURE, "Sosial kompetanse og vennskap", "Ola Strand (stafettholder)", check=True
    )
    add_measure(page, HOME_GOAL, HOME_MEASURE, "Foreldrestøtte og hjem", "Thea Andersen (foresatt)")
    expect(measure_block(page, HOME_MEASURE)).to_contain_text("Ansvarlig: Thea Andersen (foresatt)")
    edit_url = page.get_by_role("link", name=f"Endre tiltaket {SCHOOL_MEASURE}").get_attribute("href")
    assert edit_url and edit_url.endswith("/endre/")

    # --- … calls a meeting and writes the minutes ----------------------------------------------
    page.get_by_role("region", name="Møter", exact=True).get_by_role("link", name="Kall inn til møte").click()
    expect_heading(page, "Kall inn til møte")
    check_a11y(page)
    page.get_by_label("Dato og klokkeslett").fill(f"{today.isoformat()}T08:00")
    page.get_by_label("Sted").fill("Haugen skole, møterom 2")
    page.get_by_role("button", name="Lagre").click()
    expect_message(page, f"Møtet {today:%d.%m.%Y} er lagt inn.")
    meetings = page.get_by_role("region", name="Møter", exact=True)
    expect(meetings.get_by_role("heading", name=re.compile("^Stafettmøte"))).to_be_visible()

    meetings.get_by_role("link", name=re.compile("^Skriv referat")).click()
    expect_heading(page, re.compile("^Referat fra stafettmøte"))
    check_a11y(page)
    attendees = page.get_by_role("group", name=re.compile("^Til stede"))
    for name in [HOLDER, GUARDIAN, PARTICIPANT]:
        attendees.get_by_label(name).check()
    page.get_by_label("Kort referat").fill(MINUTES)
    page.get_by_label("Neste møte").fill((today + timedelta(days=42)).isoformat())
    page.get_by_role("group", name="Deltok barnet/ungdommen i møtet?").get_by_label("Delvis").check()
    page.get_by_role("button", name="Lagre referat").click()
    expect_message(page, "Referatet er lagret.")
    expect(meetings).to_contain_text(f"Referat: {MINUTES}")
    expect(meetings).to_contain_text("Til stede:")
    expect(meetings).to_contain_text("Barnet/ungdommen deltok: Delvis")

    # --- … calls the next meeting, moves it, and then cancels it with a reason -------------------
    page.get_by_role("region", name="Møter", exact=True).get_by_role("link", name="Kall inn til møte").click()
    next_day = today + timedelta(days=42)
    page.get_by_label("Dato og klokkeslett").fill(f"{next_day.isoformat()}T09:00")
    page.get_by_label("Sted").fill("Haugen skole, møterom 3")
    page.get_by_role("button", name="Lagre").click()
    meetings.get_by_role("link", name=re.compile("^Endre eller flytt")).click()
    expect_heading(page, "Endre eller flytte stafettmøte")
    check_a11y(page)
    page.get_by_label("Dato og klokkeslett").fill(f"{next_day.isoformat()}T13:00")
    page.get_by_role("button", name="Lagre endringen").click()
    expect_message(page, "Møtet er endret.")
    expect(meetings).to_contain_text("kl. 13:00")
    meetings.get_by_role("link", name=re.compile("^Avlys")).click()
    expect_heading(page, re.compile("^Avlyse stafettmøte"))
    check_a11y(page)
    page.get_by_label("Hvorfor avlyses møtet?").fill("Vi venter til etter vinterferien.")
    page.get_by_role("button", name="Ja, avlys møtet").click()
    expect_message(page, "Møtet er avlyst.")
    expect(meetings).to_contain_text("Vi venter til etter vinterferien.")
    expect(meetings.get_by_role("heading", name=re.compile(r"\(avlyst\)$"))).to_have_count(1)

    # --- … and evaluates the school measure with the evaluation form ---------------------------
    page.get_by_role("link", name=f"Evaluer tiltaket {SCHOOL_MEASURE}").click()
    expect_heading(page, "Evaluer tiltaket")
    check_a11y(page)
    page.get_by_role("group", name="Er tiltaket gjennomført?").get_by_label("Ja").check()
    page.get_by_label("Hvordan oppleves effekten for barnet/ungdommen?").fill(EFFECT)
    page.get_by_label("… for foresatte?").fill("Hjemme forteller hun om gruppa.")
    page.get_by_role("group", name=re.compile("^Bør tiltaket fortsette")).get_by_label("Fortsette").check()
    page.get_by_role("button", name="Lagre evalueringen").click()
    expect_message(page, "Evalueringen er lagret.")
    expect(measure_block(page, SCHOOL_MEASURE)).to_contain_text("av Ola Strand: gjennomført ja, fortsette.")
    check_a11y(page)

    # --- Both guardians approve the new participant (seeds/001 §6); until then she sees nothing --
    for guardian in [GUARDIAN, OTHER_GUARDIAN]:
        switch_user(page, live_server, guardian)
        waiting = page.get_by_role("region", name="Nye deltakere som venter på svar fra deg")
        waiting.get_by_role("link", name=re.compile(f"^{PARTICIPANT}")).click()
        expect_heading(page, f"Ny deltaker i stafettloggen for {CHILD}")
        check_a11y(page)
        page.get_by_role("button", name=f"Ja, {PARTICIPANT.split()[0]} kan være med").click()
        expect_message(page, "Takk. Svaret ditt er registrert.")

    # --- The PPT adviser reads the plan, but may not change it ---------------------------------
    switch_user(page, live_server, PARTICIPANT)
    page.get_by_role("region", name="Mine logger", exact=True).get_by_role("link", name=CHILD).click()
    expect_heading(page, f"Stafettlogg for {CHILD}")
    goals = page.get_by_role("region", name="Mål og tiltak", exact=True)
    expect(goals).to_contain_text(SCHOOL_GOAL)
    expect(goals).to_contain_text(HOME_MEASURE)
    expect(goals).to_contain_text(EFFECT)
    expect(page.get_by_role("region", name="Møter", exact=True)).to_contain_text(MINUTES)
    expect(page.get_by_role("main").get_by_role("link", name=EDIT_LINKS)).to_have_count(0)
    expect(page.get_by_role("button", name="Legg til mål")).to_have_count(0)
    expect(page.get_by_role("link", name="Hvem har sett loggen")).to_have_count(0)
    check_a11y(page)
    response = page.goto(live_server.url + edit_url)
    assert response is not None and response.status == 403
    expect_heading(page, "Du har ikke tilgang til dette")
    check_a11y(page)

    # --- A teacher at another school cannot even tell the log exists ---------------------------
    switch_user(page, live_server, OUTSIDER)
    expect(page.get_by_role("main")).not_to_contain_text(CHILD)
    response = page.goto(log_url)
    assert response is not None and response.status == 404
    expect_heading(page, "Fant ikke siden")
    expect(page.get_by_role("main")).not_to_contain_text(CHILD)
    check_a11y(page)

    # --- The guardian sees everything, and who has seen the log ---------------------------------
    switch_user(page, live_server, GUARDIAN)
    page.get_by_role("region", name="Dine barn", exact=True).get_by_role("link", name="Stafettloggen for Ella").click()
    expect_heading(page, f"Stafettlogg for {CHILD}")
    expect(page.get_by_role("region", name="Oversikt", exact=True)).to_contain_text("Ella sier lite i timene")
    goals = page.get_by_role("region", name="Mål og tiltak", exact=True)
    for text in [SCHOOL_GOAL, HOME_GOAL, SCHOOL_MEASURE, HOME_MEASURE, EFFECT, "Hjemme forteller hun om gruppa."]:
        expect(goals).to_contain_text(text)
    meetings = page.get_by_role("region", name="Møter", exact=True)
    expect(meetings).to_contain_text(MINUTES)
    expect(meetings).to_contain_text("Haugen skole, møterom 2")
    expect(page.get_by_role("region", name="Deltakere", exact=True)).to_contain_text("Siri Holm")
    # Guardians have the last word in evaluations and may evaluate every measure, but plan nothing.
    expect(page.get_by_role("link", name=f"Evaluer tiltaket {HOME_MEASURE}")).to_be_visible()
    expect(page.get_by_role("link", name=f"Endre tiltaket {SCHOOL_MEASURE}")).to_have_count(0)
    check_a11y(page)

    page.get_by_role("navigation", name="I denne loggen").get_by_role("link", name="Hvem har sett loggen").click()
    expect_heading(page, "Hvem har sett og endret loggen")
    rows = page.get_by_role("table", name="Tilgangslogg").get_by_role("row")
    expect(rows.filter(has_text=PARTICIPANT).filter(has_text="Så loggen")).not_to_have_count(0)
    expect(rows.filter(has_text=HOLDER).filter(has_text="Opprettet loggen")).to_have_count(1)
    expect(rows.filter(has_text=HOLDER).filter(has_text="Evaluerte tiltak")).to_have_count(1)
    expect(rows.filter(has_text=HOLDER).filter(has_text="Skrev referat")).to_have_count(1)
    expect(rows.filter(has_text=GUARDIAN).filter(has_text="Så loggen")).not_to_have_count(0)
    # The outsider got 404 and read nothing, so she is not in the list.
    expect(rows.filter(has_text=OUTSIDER)).to_have_count(0)
    check_a11y(page)


def test_renamed_non_pdf_consent_is_refused_and_no_log_is_created(page, live_server, ella, tmp_path):
    fake = tmp_path / "samtykke.pdf"
    fake.write_bytes(b"Dette er ikke en PDF, bare tekst med feil filnavn.\n" * 20)

    login_as(page, live_server, HOLDER)
    find_child(page, ella.national_id)
    fill_consent(page, fake)
    page.get_by_role("button", name="Opprett stafettlogg").click()

    expect_heading(page, f"Ny stafettlogg for {CHILD}")
    document = page.get_by_label("Signert samtykkeskjema")
    expect(document).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field-error")).to_have_text(
        ["Filen må være PDF, JPG, PNG. Skann eller ta bilde av det signerte skjemaet og prøv igjen."]
    )
    # The message is tied to the field, so a screen reader reads it with the file input.
    expect(document).to_have_accessible_description(re.compile("Filen må være PDF"))
    check_a11y(page)
    assert not RelayLog.objects.filter(subject=ella).exists()

    page.get_by_role("link", name="Avbryt").click()
    expect(page.get_by_role("region", name="Mine logger", exact=True)).not_to_contain_text(CHILD)
