"""Kindergarten → school (issue 4 §5, seeds/000) clicked through in a real browser.

The kindergarten holder starts the transition, notifies the school and adds the principal;
the principal signs in and adds the contact teacher; the holder calls overgangsmøte 1, and the
log shows the next step and what is missing — one measure each for the kindergarten, the
guardians, the SFO leader and the contact teacher — and the list shrinks as the measures are
added. Every new page on the way is checked with axe-core.
"""

import re
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import check_a11y, login_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MISSING_MEASURES = [
    "Barnehagen har ikke noe tiltak (avslutning av barnehagetiden).",
    "De foresatte har ikke noe tiltak (i ferien).",
    "SFO-lederen har ikke noe tiltak (ved SFO-start).",
    "Kontaktlæreren har ikke noe tiltak (første skoledag).",
]
MEASURES_STEP = "Minst ett tiltak hver for barnehagen, foresatte, SFO-leder og kontaktlærer"


@pytest.fixture
def noah_log(seeded):
    """Noah (demo child at Solsikken barnehage) gets a log with Kari as holder and an empty plan;
    the guardian's consent covers kindergarten, school and SFO. Everything after this is clicked."""
    from stafett.lib.demo_pdf import minimal_pdf
    from stafett.logs import actions
    from stafett.logs.actions import ConsentData
    from stafett.people.models import Person, Unit

    kari = Person.objects.get(email="kari.lunde@fjordvik.example")
    noah = Person.objects.get(given_name="Noah", family_name="Johansen", national_id__isnull=False)
    kindergarten = Unit.objects.get(name="Solsikken barnehage")
    consent = ConsentData(
        services=["barnehage", "skole", "sfo"],
        signatories=actions.guardians_of(noah),
        document=SimpleUploadedFile("samtykke.pdf", minimal_pdf(), content_type="application/pdf"),
        collected_at_unit=kindergarten,
    )
    return actions.open_log(actor=kari, subject=noah, unit=kindergarten, consent=consent)


def transition_section(page):
    return page.get_by_role("region", name=re.compile(r"^Overgang"))


def step(page, title: str):
    return transition_section(page).get_by_role("listitem").filter(has_text=title)


def expect_next_step(page, title: str) -> None:
    expect(transition_section(page).get_by_role("note")).to_contain_text(f"Neste steg: {title}")


def expect_message(page, text: str) -> None:
    expect(page.get_by_role("status")).to_contain_text(text)


def open_log_from_start_page(page, name: str) -> None:
    page.get_by_role("region", name="Mine logger").get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Stafettlogg for {name}")


def switch_user(page, live_server, name: str) -> None:
    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_url("**/logget-ut/**")
    login_as(page, live_server, name)


def add_measure(page, goal: str, what: str, responsible: str, deadline: date, evaluation: date, a11y=False) -> None:
    page.get_by_role("link", name=f"Legg til tiltak for målet {goal}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nytt tiltak")
    if a11y:
        check_a11y(page)
    page.get_by_label("Tiltak", exact=True).fill(what)
    page.get_by_label("Kategori").select_option(label="Tilrettelegging i barnehage/skole")
    page.get_by_label("Ansvarlig").select_option(label=responsible)
    page.get_by_label("Frist").fill(deadline.isoformat())
    page.get_by_label("Evalueres").fill(evaluation.isoformat())
    page.get_by_role("button", name="Lagre").click()
    expect_message(page, "Tiltaket er lagt til.")


def test_kindergarten_to_school_transition_through_the_ui(page, live_server, noah_log):
    today = timezone.localdate()
    school_start = date(today.year + (1 if today.month >= 8 else 0), 8, 17)

    # --- The kindergarten holder starts the transition ------------------------------------
    login_as(page, live_server, "Kari Lunde")
    open_log_from_start_page(page, "Noah Johansen")
    transition_section(page).get_by_role("link", name="Start overgang").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start overgang for Noah Johansen")
    check_a11y(page)

    # Submitting without a school or a date shows the errors on an accessible page.
    page.get_by_role("button", name="Start overgangen").click()
    expect(page.get_by_label("Skolestart")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Mottakende skole")).to_have_attribute("aria-invalid", "true")
    check_a11y(page)

    page.get_by_label("Overgang", exact=True).select_option(label="Fra barnehage til skole")
    page.get_by_label("Mottakende skole").select_option(label="Fjordvik skole")
    page.get_by_label("SFO").select_option(label="Fjordvik SFO")
    page.get_by_label("Skolestart").fill(school_start.isoformat())
    page.get_by_role("button", name="Start overgangen").click()
    expect_message(page, "Overgangen er startet.")
    expect(transition_section(page)).to_contain_text("Til Fjordvik skole og Fjordvik SFO.")
    expect_next_step(page, "Meld fra til skolen")
    expect(step(page, "Meld fra til skolen").get_by_role("listitem")).to_have_text(["Fjordvik skole er ikke varslet."])
    check_a11y(page)

    # --- … notifies the school and adds the principal (and the SFO leader) -----------------
    transition_section(page).get_by_role("button", name="Varsle Fjordvik skole").click()
    expect_message(page, "Fjordvik skole er varslet.")
    expect(step(page, "Meld fra til skolen")).to_contain_text("(ferdig)")
    expect_next_step(page, "Legg til rektor som deltaker")

    transition_section(page).get_by_role("link", name="Legg til rektor som deltaker").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Legg til deltaker")
    check_a11y(page)
    page.get_by_label("Person og tjenestested").select_option(label="Geir Moen – rektor, Fjordvik skole")
    page.get_by_role("button", name="Legg til").click()
    expect_message(page, "Geir Moen er lagt til som deltaker.")
    expect_next_step(page, "Legg til kontaktlæreren")
    # The holder could add the contact teacher too, but the routine leaves it to the principal.
    expect(step(page, "Legg til kontaktlæreren").get_by_role("listitem")).to_have_text(
        ["Rektor har ikke lagt til kontaktlæreren ennå."]
    )

    page.get_by_role("region", name="Deltakere").get_by_role("link", name="Legg til deltaker").click()
    page.get_by_label("Person og tjenestested").select_option(label="Sindre Vik – SFO-leder, Fjordvik SFO")
    page.get_by_role("button", name="Legg til").click()
    expect_message(page, "Sindre Vik er lagt til som deltaker.")

    # --- The principal sees the child is coming and adds the contact teacher ---------------
    switch_user(page, live_server, "Geir Moen")
    announced = page.get_by_role("region", name="Barn som skal begynne hos dere")
    expect(announced.get_by_role("listitem").filter(has_text="Noah Johansen")).to_contain_text(
        f"fra Solsikken barnehage, skolestart {school_start.day}.{school_start.month}.{school_start.year}"
    )
    check_a11y(page)
    open_log_from_start_page(page, "Noah Johansen")
    expect_next_step(page, "Legg til kontaktlæreren")
    # Only the holder plans; the principal gets no plan links in the routine.
    expect(transition_section(page).get_by_role("link", name="Kall inn til overgangsmøte 1")).to_have_count(0)
    check_a11y(page)

    transition_section(page).get_by_role("link", name="Legg til kontaktlærer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Legg til kontaktlærer for Noah Johansen")
    check_a11y(page)
    page.get_by_label("Kontaktlærer").select_option(label="Ingrid Berg")
    page.get_by_role("button", name="Legg til").click()
    expect_message(page, "Ingrid Berg er lagt til som kontaktlærer.")
    expect(transition_section(page)).to_contain_text("Kontaktlærer: Ingrid Berg.")
    expect(step(page, "Legg til kontaktlæreren")).to_contain_text("(ferdig)")

    # --- The holder calls overgangsmøte 1; the log shows what is missing -------------------
    switch_user(page, live_server, "Kari Lunde")
    open_log_from_start_page(page, "Noah Johansen")
    expect_next_step(page, "Overgangsmøte 1 før sommerferien")
    # Who does it, in running text: only the first letter is lowered, the acronym stays.
    expect(transition_section(page).get_by_role("note")).to_contain_text(
        "(stafettholder kaller inn foresatte, kontaktlærer og SFO-leder)"
    )
    transition_section(page).get_by_role("link", name="Kall inn til overgangsmøte 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kall inn til overgangsmøte 1")
    check_a11y(page)
    meeting_day = today + timedelta(days=21)
    page.get_by_label("Dato og klokkeslett").fill(f"{meeting_day.isoformat()}T14:00")
    page.get_by_label("Sted").fill("Solsikken barnehage, møterom")
    page.get_by_role("button", name="Kall inn").click()
    expect_message(page, "Overgangsmøte 1 er kalt inn.")
    expect(
        page.get_by_role("region", name="Møter").get_by_role("heading", name=re.compile("Overgangsmøte 1"))
    ).to_be_visible()
    expect_next_step(page, "Overgangsmøte 1 før sommerferien")
    expect(step(page, "Overgangsmøte 1 før sommerferien").get_by_role("listitem")).to_have_text(
        [f"Møtet er kalt inn til {meeting_day:%d.%m.%Y}; referatet mangler."]
    )
    measures_missing = step(page, MEASURES_STEP).get_by_role("listitem")
    expect(measures_missing).to_have_text(MISSING_MEASURES)
    check_a11y(page)

    # --- One measure each: the missing list shrinks ---------------------------------------
    goal = "Noah får en trygg start på skolen."
    page.get_by_label("Arena").select_option(label="Barnehage/skole")
    page.get_by_label("Mål", exact=True).fill(goal)
    page.get_by_role("button", name="Legg til mål").click()
    expect_message(page, "Målet er lagt til.")

    deadline, evaluation = today + timedelta(days=7), school_start + timedelta(days=10)
    for n, (responsible, what) in enumerate(
        [
            ("Kari Lunde (stafettholder)", "Besøke skolen med barnehagegruppa."),
            ("Camilla Johansen (foresatt)", "Gå skoleveien sammen i ferien."),
            ("Sindre Vik (Fjordvik SFO)", "Fast voksen den første uka på SFO."),
            ("Ingrid Berg (Fjordvik skole)", "Ta imot Noah ved porten første skoledag."),
        ],
        start=1,
    ):
        add_measure(page, goal, what, responsible, deadline, evaluation, a11y=n == 1)
        expect(measures_missing).to_have_text(MISSING_MEASURES[n:])
    expect(step(page, MEASURES_STEP)).to_contain_text("(ferdig)")
    expect_next_step(page, "Overgangsmøte 1 før sommerferien")

    # --- Minutes from overgangsmøte 1: the next step is overgangsmøte 2 ---------------------
    transition_section(page).get_by_role("link", name="Skriv referat fra overgangsmøte 1").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Referat fra overgangsmøte 1")
    check_a11y(page)
    for name in ["Kari Lunde", "Camilla Johansen", "Ingrid Berg", "Sindre Vik"]:
        page.get_by_label(name).check()
    page.get_by_label("Kort referat").fill("Vi avtalte ett tiltak hver. Nytt møte to uker etter skolestart.")
    page.get_by_label("Neste møte").fill(evaluation.isoformat())
    page.get_by_role("button", name="Lagre referat").click()
    expect_message(page, "Referatet er lagret.")
    expect(step(page, "Overgangsmøte 1 før sommerferien")).to_contain_text("(ferdig)")
    expect_next_step(page, "Overgangsmøte 2 innen to uker etter skolestart")
    expect(transition_section(page).get_by_role("link", name="Kall inn til overgangsmøte 2")).to_be_visible()
    check_a11y(page)
