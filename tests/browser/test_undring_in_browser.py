"""Level 0 «undring» (issue 6) clicked through in a real browser, as a kindergarten teacher would.

Kari writes a private reflection note from «Mine undringer», records the undringssamtale,
concludes it is a concern and concretises it, and goes on to level 1: she finds Noah by
national ID, the open-log form carries her concern, she attaches the signed consent, and the
new log shows the concern while the note is gone. The two other endings — suspected violence
or abuse, and «ikke bekymring» — each destroy the note too. Every page is checked with axe-core.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_a11y, login_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ABOUT = "Noah, Blåbær"
CONCERN = "Noah sier nesten ingenting i samlingsstund og leker alene i frileken, hver dag siden høstferien."


@pytest.fixture
def noah(seeded):
    """A demo child at Solsikken barnehage without a stafettlogg, and his guardian's name."""
    from stafett.logs.actions import guardians_of
    from stafett.logs.models import RelayLog
    from stafett.people.models import Person

    child = Person.objects.get(given_name="Noah", family_name="Johansen", national_id__isnull=False)
    assert not RelayLog.objects.filter(subject=child).exists()
    return child, [g.full_name for g in guardians_of(child)]


@pytest.fixture
def kari_note(seeded):
    """Kari's note with a filled reflection (made in the database, for the shorter scenarios)."""
    from stafett.people.models import Person, Unit
    from stafett.undring import actions
    from stafett.undring.actions import Reflection

    return actions.create_note(
        actor=Person.objects.get(email="kari.lunde@fjordvik.example"),
        unit=Unit.objects.get(name="Solsikken barnehage"),
        reflection=Reflection(
            about=ABOUT,
            why="Noah har trukket seg unna de andre barna de siste ukene.",
            ratings={"folelser": 4, "hjemmet": 3},
            texts={"folelser": "Gråter ofte ved levering og er vanskelig å trøste."},
        ),
    )


BROKEN_FRAGMENT_LINKS_JS = """() => [...document.querySelectorAll('a[href*="#"]')]
  .filter(a => a.pathname === location.pathname && a.hash.length > 1
               && !document.getElementById(decodeURIComponent(a.hash.slice(1))))
  .map(a => a.getAttribute('href'))"""


def check_page(page) -> None:
    """axe-core, and no link that points at a missing anchor on the same page (it does nothing)."""
    check_a11y(page)
    assert page.evaluate(BROKEN_FRAGMENT_LINKS_JS) == [], f"links to missing anchors on {page.url}"


def rating(n: int) -> str:
    from stafett.undring.models import URO_SCALE

    return f"{n} – {URO_SCALE[n]}"


def expect_message(page, text: str) -> None:
    expect(page.get_by_role("status")).to_contain_text(text)


def expect_h1(page, text: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(text)


def expect_current_step(page, text: str) -> None:
    steps = page.locator("ol.steps > li")
    expect(steps).to_have_count(4)
    expect(page.locator("ol.steps > li[aria-current=step]")).to_have_text(re.compile(f"^{re.escape(text)}"))


def open_my_notes(page) -> None:
    page.get_by_role("link", name=re.compile(r"^Mine undringer")).click()
    expect_h1(page, "Mine undringer (nivå 0)")


def open_note(page, about: str) -> None:
    page.get_by_role("link", name=about, exact=True).click()
    expect_h1(page, f"Undring: {about}")


def clarify_section(page):
    return page.get_by_role("region", name="3. Avklar: er det grunn til bekymring?")


def expect_note_gone(page, about: str) -> None:
    expect_h1(page, "Mine undringer (nivå 0)")
    expect(page.get_by_role("main")).to_contain_text("Du har ingen åpne undringer.")
    expect(page.get_by_role("link", name=about)).to_have_count(0)


def test_from_undring_to_a_level_one_log(page, live_server, noah):
    from stafett.lib.demo_pdf import minimal_pdf

    child, guardian_names = noah
    login_as(page, live_server, "Kari Lunde")

    # --- Mine undringer → Ny undring ---------------------------------------------------------
    open_my_notes(page)
    expect(page.get_by_role("main")).to_contain_text("Du har ingen åpne undringer.")
    check_page(page)
    page.get_by_role("link", name="Ny undring ved Solsikken barnehage").click()
    expect_h1(page, "Ny undring ved Solsikken barnehage")
    check_page(page)

    # Saving without saying who it is about: the error is on the field, the page stays accessible.
    page.get_by_role("button", name="Lagre").click()
    about = page.get_by_role("textbox", name="Hvem gjelder undringen?")
    expect(about).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Skriv hvem undringen gjelder, for eksempel fornavn og avdeling.")).to_be_visible()
    check_page(page)

    # --- The reflection: about, why, two observations with their 1–7 ratings -----------------
    about.fill(ABOUT)
    page.get_by_role("textbox", name="Beskriv med dine egne ord hvorfor du undrer deg").fill(
        "Noah har trukket seg unna de andre barna de siste ukene."
    )
    page.get_by_role("textbox", name="Barnets følelsesmessige utvikling").fill(
        "Gråter ofte ved levering og er vanskelig å trøste."
    )
    page.get_by_role("combobox", name="Min grad av uro (1–7): barnets følelsesmessige utvikling").select_option(
        label=rating(4)
    )
    page.get_by_role("textbox", name="Barnets evne til å inngå i sosiale relasjoner").fill(
        "Leker alene i frileken; går unna når andre barn kommer bort."
    )
    page.get_by_role(
        "combobox", name="Min grad av uro (1–7): barnets evne til å inngå i sosiale relasjoner"
    ).select_option(label=rating(5))
    page.get_by_role("button", name="Lagre").click()
    expect_message(page, "Undringen er lagret. Bare du kan lese den.")

    # --- The note page: the steps, the reflection, what comes next ---------------------------
    expect_h1(page, f"Undring: {ABOUT}")
    expect_current_step(page, "Konkretiser undringen")
    observations = page.get_by_role("table", name="Observasjoner og grad av uro (1–7)")
    emotional = observations.get_by_role("row").filter(has_text="Barnets følelsesmessige utvikling")
    expect(emotional.get_by_role("cell")).to_have_text(["Gråter ofte ved levering og er vanskelig å trøste.", "4"])
    social = observations.get_by_role("row").filter(has_text="sosiale relasjoner")
    expect(social.get_by_role("cell")).to_have_text(
        ["Leker alene i frileken; går unna når andre barn kommer bort.", "5"]
    )
    # Questions left empty show a dash, not an empty cell.
    expect(observations.get_by_role("row").filter(has_text="Forhold ved hjemmet").get_by_role("cell")).to_have_text(
        ["–", "–"]
    )
    check_page(page)

    # --- The undringssamtale -------------------------------------------------------------------
    page.get_by_role("link", name="Skriv inn undringssamtalen").click()
    expect_h1(page, f"Undringssamtale: {ABOUT}")
    check_page(page)
    page.get_by_role("textbox", name="Hvem snakket du med (eller skal du snakke med)?").fill("Mor, ved henting")
    page.get_by_label(re.compile(r"^Når")).fill("2025-01-15")
    page.get_by_role("textbox", name="Hva kom fram?").fill("Mor har sett det samme hjemme og er også bekymret.")
    page.get_by_role("button", name="Lagre").click()
    expect_message(page, "Undringssamtalen er lagret.")
    expect_current_step(page, "Avklar")
    expect(page.get_by_role("region", name="2. Del undringen")).to_contain_text(
        "Samtale med Mor, ved henting, 15.1.2025."
    )
    check_page(page)

    # --- Ja, bekymring: concretise it ----------------------------------------------------------
    clarify_section(page).get_by_role("link", name="Ja, bekymring: konkretiser den").click()
    expect_h1(page, f"Konkretiser bekymringen: {ABOUT}")
    check_page(page)
    categories = page.get_by_role("group", name="Hva gjelder bekymringen?")
    categories.get_by_role("checkbox", name="Språk").check()
    categories.get_by_role("checkbox", name="Sosiale forhold").check()
    page.get_by_role("textbox", name="Bekymringen, konkret").fill(CONCERN)
    page.get_by_role("button", name="Lagre").click()
    expect_message(page, "Bekymringen er konkretisert. Neste steg er å åpne en stafettlogg på nivå 1.")
    expect_current_step(page, "Bekymring")
    expect(clarify_section(page)).to_contain_text(CONCERN)
    check_page(page)

    # --- Level 1: find the child, open the log with the guardian's consent ----------------------
    clarify_section(page).get_by_role("button", name="Gå videre til nivå 1: åpne stafettlogg").click()
    expect_h1(page, "Ny stafettlogg ved Solsikken barnehage")
    check_page(page)
    page.get_by_role("textbox", name="Barnets fødselsnummer eller D-nummer").fill(child.national_id)
    page.get_by_role("button", name="Finn barnet").click()
    expect_h1(page, "Ny stafettlogg for Noah Johansen")
    expect(page.get_by_role("note").filter(has_text="hentet fra undringen din")).to_contain_text(ABOUT)
    concern_field = page.get_by_role("textbox", name="Hva er bekymringen?")
    expect(concern_field).to_have_value(re.compile(re.escape(CONCERN)))
    expect(page.get_by_role("textbox", name="Hvem tok initiativet")).to_have_value("Egen undring (BTI nivå 0)")
    check_page(page)

    services = page.get_by_role("group", name="Tjenester som kan delta")
    services.get_by_role("checkbox", name="Barnehage", exact=True).check()
    services.get_by_role("checkbox", name="Helsestasjon", exact=True).check()
    signed_by = page.get_by_role("group", name="Signert av")
    for name in guardian_names:
        signed_by.get_by_role("checkbox", name=name).check()
    page.get_by_label("Signert samtykkeskjema").set_input_files(
        {"name": "samtykke.pdf", "mimeType": "application/pdf", "buffer": minimal_pdf()}
    )
    page.get_by_role("button", name="Opprett stafettlogg").click()

    # --- The log carries the concern; the note is destroyed ------------------------------------
    expect_message(page, "Stafettloggen for Noah Johansen er opprettet.")
    expect_message(page, "Undringsnotatet er slettet; bekymringen står nå i loggen.")
    expect_h1(page, "Stafettlogg for Noah Johansen")
    expect(page.get_by_role("main")).to_contain_text(CONCERN)
    check_page(page)

    # The abuse path on the log page: the duty to report and child welfare, before shielding.
    page.get_by_role("link", name="Mistanke om vold eller overgrep").click()
    expect_h1(page, "Mistanke om vold eller overgrep")
    expect(page.get_by_role("main")).to_contain_text("Gjelder stafettloggen for Noah Johansen.")
    expect(page.get_by_role("note")).to_contain_text("opplysningsplikt til barnevernet")
    expect(page.get_by_role("button", name="Skjerm loggen for de foresatte nå")).to_be_visible()
    check_page(page)

    page.goto(f"{live_server.url}/")
    open_my_notes(page)
    expect_note_gone(page, ABOUT)

    from stafett.undring.models import ClosedNoteCount, ConcernNote, Outcome

    assert not ConcernNote.objects.exists()
    assert ClosedNoteCount.objects.get(outcome=Outcome.LEVEL_ONE).count == 1


def test_suspected_abuse_from_a_note(page, live_server, kari_note):
    login_as(page, live_server, "Kari Lunde")
    expect(page.get_by_role("link", name=re.compile(r"^Mine undringer"))).to_have_text(
        "Mine undringer (nivå 0) – 1 åpen"
    )
    open_my_notes(page)
    open_note(page, ABOUT)

    page.get_by_role("link", name="Mistanke om vold eller overgrep").click()
    expect_h1(page, "Mistanke om vold eller overgrep")
    duty = page.get_by_role("note")
    expect(duty).to_contain_text("Ta kontakt med barnevernet direkte, i dag.")
    expect(duty).to_contain_text("Ikke snakk med foreldrene om mistanken")
    expect(duty).to_contain_text("opplysningsplikt til barnevernet")
    expect(duty).to_contain_text("barnevernsloven § 13-2")
    child_welfare = page.get_by_role("region", name="Barnevernet")
    expect(child_welfare.get_by_role("listitem").first).to_contain_text("Barneverntjenesten i Fjordvik og Nabodal")
    expect(child_welfare).to_contain_text("politiet på 112")
    # What she has written is there to report from.
    expect(page.get_by_role("region", name="Det du har skrevet")).to_contain_text(
        "Gråter ofte ved levering og er vanskelig å trøste."
    )
    check_page(page)

    page.get_by_role("button", name="Jeg har meldt til barnevernet: avslutt undringen").click()
    expect_message(page, "Undringen er avsluttet som meldt til barnevernet, og notatet er slettet.")
    expect_note_gone(page, ABOUT)
    check_page(page)

    from stafett.undring.models import ClosedNoteCount, ConcernNote, Outcome

    assert not ConcernNote.objects.exists()
    assert ClosedNoteCount.objects.get(outcome=Outcome.CHILD_WELFARE).count == 1


def test_no_concern_closes_the_note_after_a_warning(page, live_server, kari_note):
    login_as(page, live_server, "Kari Lunde")
    open_my_notes(page)
    open_note(page, ABOUT)

    clarify_section(page).get_by_role("link", name="Nei, ikke bekymring: avslutt undringen").click()
    expect_h1(page, f"Avslutt undringen om {ABOUT}?")
    expect(page.get_by_role("main")).to_contain_text("Det kan ikke angres.")
    check_page(page)

    # «Nei, gå tilbake» keeps the note.
    page.get_by_role("link", name="Nei, gå tilbake").click()
    expect_h1(page, f"Undring: {ABOUT}")
    clarify_section(page).get_by_role("link", name="Nei, ikke bekymring: avslutt undringen").click()

    page.get_by_role("button", name="Ja, avslutt og slett notatet").click()
    expect_message(page, "Undringen er avsluttet, og notatet er slettet for godt.")
    expect_note_gone(page, ABOUT)
    check_page(page)

    from stafett.undring.models import ClosedNoteCount, ConcernNote, Outcome

    assert not ConcernNote.objects.exists()
    assert ClosedNoteCount.objects.get(outcome=Outcome.NO_CONCERN).count == 1
