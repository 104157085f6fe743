"""Issue 5 in a real browser: the leader's overview, the holder's «Trenger oppfølging», the
«Varsler» page (also from the keyboard alone) and the municipality statistics, each checked
with axe-core.

The people come from the test cast (tests/conftest.py): Berit leads Solsikken barnehage, Kari
holds Emma's log there and Jonas's log, Nina (health station) takes part in Emma's log. Emma's
log is made overdue by moving the evaluation date of Nina's measure into the past; Jonas's log
needs nothing. The statistics test uses the seeded demo municipality instead.
"""

import re

import pytest
from playwright.sync_api import expect

from stafett.logs import actions
from stafett.logs.actions import ConsentData, MeasureData
from stafett.logs.models import Arena, Measure, MeasureCategory, Participant
from tests.browser.conftest import check_a11y, login_as, new_context
from tests.browser.test_layout_and_keyboard import NARROW, assert_no_horizontal_scroll
from tests.logs.conftest import SERVICES, in_days, pdf_upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OVERDUE_FLAG = "Evaluering forsinket (1 tiltak)"


def consent(cast, *signatories) -> ConsentData:
    return ConsentData(
        services=list(SERVICES),
        signatories=list(signatories),
        document=pdf_upload(),
        collected_at_unit=cast.kindergarten,
    )


@pytest.fixture
def log(cast):
    """Kari holds Emma's log at the kindergarten; Nina (health station) takes part and is
    responsible for one measure. Built here rather than with tests/logs' fixtures, whose autouse
    `media_root` would move uploads away from where the seeded demo snapshot keeps its files."""
    log = actions.open_log(
        actor=cast.kari, subject=cast.emma, unit=cast.kindergarten, consent=consent(cast, cast.silje)
    )
    actions.add_participant(actor=cast.kari, log=log, person=cast.nina, unit=cast.health_station)
    goal = actions.add_goal(actor=cast.kari, log=log, arena=Arena.OTHER, text="Emma får sjekket hørselen")
    measure = MeasureData(
        what="Hørselstest på helsestasjonen",
        category=MeasureCategory.HELSE,
        responsible=cast.nina,
        deadline=in_days(14),
        evaluation_date=in_days(21),
    )
    actions.add_measure(actor=cast.kari, goal=goal, data=measure)
    return log


@pytest.fixture
def overdue_log(cast, log):
    """Emma's log with one measure whose evaluation date has passed (the action refuses a past
    deadline, so the dates are moved in the database); Kari's log for Jonas stays on track."""
    actions.open_log(
        actor=cast.kari, subject=cast.jonas, unit=cast.kindergarten, consent=consent(cast, cast.silje, cast.jonas)
    )
    Measure.objects.filter(log=log, responsible=cast.nina).update(deadline=in_days(-10), evaluation_date=in_days(-3))
    return log


@pytest.fixture
def narrow_page(browser):
    context = new_context(browser, viewport=NARROW)
    page = context.new_page()
    yield page
    context.close()


def logs_table(page):
    return page.get_by_role("table", name=re.compile(r"^(Alle åpne logger|Logger som trenger oppfølging) \(\d+\)$"))


def body_rows(table):
    return table.locator("tbody").get_by_role("row")


def open_overview_from_start_page(page, live_server) -> None:
    login_as(page, live_server, "Berit Solheim")
    page.get_by_role("link", name=re.compile(r"^Stafettlogger ved Solsikken barnehage")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stafettlogger ved Solsikken barnehage")


# --- 1. The leader's overview ----------------------------------------------------


def test_leader_sees_the_overview_flags_and_filters_it(page, live_server, overdue_log):
    open_overview_from_start_page(page, live_server)
    check_a11y(page)

    table = logs_table(page)
    expect(table).to_have_accessible_name("Alle åpne logger (2)")
    rows = body_rows(table)
    expect(rows).to_have_count(2)
    emma = rows.filter(has_text="Emma Hansen")
    expect(emma).to_contain_text("Kari Lunde")  # the holder
    expect(emma.get_by_role("listitem")).to_have_text([OVERDUE_FLAG])
    expect(rows.filter(has_text="Jonas Hansen").get_by_role("cell").nth(6)).to_have_text("Nei")
    # The counts table: two active logs on level 1.
    counts = page.get_by_role("table", name="Åpne logger etter nivå og status")
    expect(counts.get_by_role("row", name=re.compile(r"^Aktive"))).to_contain_text("2")

    page.get_by_role("link", name="Vis bare de som trenger oppfølging (1)").click()
    expect(page).to_have_url(re.compile(r"\?vis=risiko$"))
    table = logs_table(page)
    expect(table).to_have_accessible_name("Logger som trenger oppfølging (1)")
    expect(body_rows(table)).to_have_count(1)
    expect(body_rows(table).first).to_contain_text("Emma Hansen")
    expect(body_rows(table).first).to_contain_text(OVERDUE_FLAG)
    check_a11y(page)

    page.get_by_role("link", name="Vis alle åpne logger").click()
    expect(logs_table(page)).to_have_accessible_name("Alle åpne logger (2)")


def test_overview_fits_a_320_pixel_screen(narrow_page, live_server, overdue_log):
    open_overview_from_start_page(narrow_page, live_server)
    assert_no_horizontal_scroll(narrow_page)
    # The wide table scrolls inside its own box, never the page.
    assert narrow_page.locator(".table-wrap").last.evaluate("e => getComputedStyle(e).overflowX") == "auto"
    narrow_page.get_by_role("link", name="Vis bare de som trenger oppfølging (1)").click()
    expect(logs_table(narrow_page)).to_have_accessible_name("Logger som trenger oppfølging (1)")
    assert_no_horizontal_scroll(narrow_page)


def test_overview_with_nothing_to_follow_up_fits_a_320_pixel_screen(narrow_page, live_server, log):
    """The filtered list can be empty: the table is still wide, and has nothing to focus."""
    open_overview_from_start_page(narrow_page, live_server)
    narrow_page.get_by_role("link", name="Vis bare de som trenger oppfølging (0)").click()
    expect(logs_table(narrow_page)).to_contain_text("Ingen logger trenger oppfølging nå.")
    assert_no_horizontal_scroll(narrow_page)
    # With no link inside, the box itself takes focus, so it can be scrolled from the keyboard.
    box = narrow_page.get_by_role("region", name="Logger som trenger oppfølging (0)")
    assert box.evaluate("e => e.scrollWidth > e.clientWidth"), "the table was expected to scroll at 320 px"
    narrow_page.get_by_role("link", name="Vis alle åpne logger").focus()
    tab_to(narrow_page, box)
    narrow_page.keyboard.press("ArrowRight")
    narrow_page.wait_for_function("e => e.scrollLeft > 0", arg=box.element_handle())


# --- 2. The holder's start page ---------------------------------------------------


def test_holder_sees_the_overdue_log_under_trenger_oppfolging(page, live_server, overdue_log):
    login_as(page, live_server, "Kari Lunde")
    section = page.get_by_role("region", name="Trenger oppfølging")
    expect(section.get_by_role("listitem").filter(has=page.get_by_role("link"))).to_have_count(1)
    expect(section.get_by_role("link")).to_have_text(["Emma Hansen"])  # not Jonas: his log is on track
    expect(section).to_contain_text(OVERDUE_FLAG)
    check_a11y(page)
    section.get_by_role("link", name="Emma Hansen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stafettlogg for Emma Hansen")


# --- 3. «Varsler» ------------------------------------------------------------------

EMMA_GROUP = "Som deltaker i stafettloggen for Emma (Solsikken barnehage)"

FOCUS_STYLE_JS = """e => {
  const s = getComputedStyle(e);
  return {visible: e.matches(':focus-visible'), outline: s.outlineStyle, width: parseFloat(s.outlineWidth)};
}"""


def tab_to(page, target, limit: int = 60) -> None:
    """Press Tab until `target` has focus, checking that every stop on the way shows it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.locator(":focus")
        style = focused.evaluate(FOCUS_STYLE_JS)
        assert style["visible"] and style["outline"] != "none" and style["width"] >= 2, (
            f"no visible focus on {focused.evaluate('e => e.outerHTML.slice(0, 120)')}: {style}"
        )
        if target.evaluate("e => e === document.activeElement"):
            return
    pytest.fail(f"{target} was not reached with {limit} presses of Tab")


def open_notifications(page, live_server, name: str) -> None:
    login_as(page, live_server, name)
    page.get_by_role("navigation").get_by_role("link", name="Varsler").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Varsler")


def test_participant_unticks_a_log_choice_with_the_keyboard_alone(page, live_server, cast, log):
    participant = Participant.objects.get(log=log, person=cast.nina)
    assert participant.notify_message
    before = (participant.notify_calendar, participant.notify_comment)
    open_notifications(page, live_server, "Nina Fossum")
    check_a11y(page)

    group = page.get_by_role("group", name=EMMA_GROUP)
    choice = group.get_by_role("checkbox", name="Ny melding")
    expect(choice).to_be_checked()
    page.get_by_role("heading", level=1).click()  # start tabbing from the content, as after the skip link
    for name in ("På e-post", "På SMS"):
        tab_to(page, page.get_by_role("checkbox", name=name, exact=True))
    tab_to(page, choice)
    page.keyboard.press("Space")
    expect(choice).not_to_be_checked()
    for other in ("Nytt møte i kalenderen", "Ny kommentar"):
        tab_to(page, group.get_by_role("checkbox", name=other))
    tab_to(page, page.get_by_role("button", name="Lagre"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("Varslene dine er lagret.")
    expect(page.get_by_role("group", name=EMMA_GROUP).get_by_role("checkbox", name="Ny melding")).not_to_be_checked()
    participant.refresh_from_db()
    assert not participant.notify_message
    assert (participant.notify_calendar, participant.notify_comment) == before  # the others are kept
    check_a11y(page)


def test_sms_without_a_phone_number_shows_an_error_tied_to_the_field(page, live_server, cast, log):
    assert not cast.nina.phone
    open_notifications(page, live_server, "Nina Fossum")
    page.get_by_role("checkbox", name="På SMS", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Lagre").click()

    expect(page.get_by_role("alert")).to_contain_text("Noe må rettes før vi kan lagre.")
    sms = page.get_by_role("checkbox", name="På SMS", exact=True)
    expect(sms).to_have_attribute("aria-invalid", "true")
    expect(sms).to_have_accessible_description(re.compile("Vi har ikke mobilnummeret ditt"))
    expect(sms).to_be_checked()  # the choice is kept, so it can be corrected
    expect(page.get_by_role("checkbox", name="På e-post", exact=True)).not_to_have_attribute("aria-invalid", "true")
    check_a11y(page)
    assert Participant.objects.get(log=log, person=cast.nina).notify_message  # nothing was saved


# --- 4. Statistics ---------------------------------------------------------------


def test_statistics_page_and_csv_for_a_system_administrator(page, live_server, seeded):
    login_as(page, live_server, "Trude Lie")
    page.get_by_role("link", name="Statistikk for kommunen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Statistikk for kommunen")
    check_a11y(page)

    csv_link = page.get_by_role("link", name="Last ned tallene som CSV-fil")
    response = page.request.get(csv_link.evaluate("a => a.href"))
    assert response.status == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers.get("content-disposition", "")
    assert response.text().lstrip("\ufeff").startswith("kommune;fra;til;tabell;kategori;kolonne;verdi")
