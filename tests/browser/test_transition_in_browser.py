"""Kindergarten → school (issue 4 §5, seeds/000) clicked through in a real browser.

The kindergarten holder starts the transition, notifies the school and adds the principal;
the principal signs in and adds the contact teacher; the holder calls overgangsmøte 1, and the
log shows the next step and what is missing — one measure each for the kindergarten, the
guardians, the SFO leader and the contact teacher — and the list shrinks as the measures are
added. The second test goes on from there (the steps up to overgangsmøte 1 prepared with the
server-side actions): overgangsmøte 2 within two weeks after school start, the measures
evaluated, its minutes, and the baton handed to the contact teacher, who accepts it. The third
ends the routine the other way: the holder closes the log. Every new page on the way is
checked with axe-core.
"""

import re
from datetime import date, datetime, time, timedelta

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


def next_school_start() -> date:
    today = timezone.localdate()
    return date(today.year + (1 if today.month >= 8 else 0), 8, 17)


def test_kindergarten_to_school_transition_through_the_ui(page, live_server, noah_log):
    today = timezone.localdate()
    school_start = next_school_start()

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
    expect_message(page, "Geir Moen er lagt til som deltaker. De foresatte blir spurt")
    # The child goes to SFO: the routine asks for the SFO leader, and the link has them chosen.
    expect_next_step(page, "Legg til SFO-lederen som deltaker")
    transition_section(page).get_by_role("link", name="Legg til SFO-lederen som deltaker").click()
    expect(page.get_by_label("Person og tjenestested")).to_have_value(re.compile(r".+:.+"))
    expect(page.get_by_label("Person og tjenestested").locator("option:checked")).to_have_text(
        "Sindre Vik – SFO-leder, Fjordvik SFO"
    )
    page.get_by_role("button", name="Legg til").click()
    expect_message(page, "Sindre Vik er lagt til som deltaker. De foresatte blir spurt")
    expect_next_step(page, "Legg til kontaktlæreren")
    # The holder could add the contact teacher too, but the routine leaves it to the principal.
    expect(step(page, "Legg til kontaktlæreren").get_by_role("listitem")).to_have_text(
        ["Rektor har ikke lagt til kontaktlæreren ennå."]
    )
    # The February/March meeting the barnehagefaglig rådgiver calls is a step of its own.
    expect(step(page, "Overgangsmøte mellom barnehagen og skolen i februar/mars")).to_contain_text(
        re.compile(r"\((ikke gjort|på etterskudd)\)")
    )

    # --- The guardian approves both new participants (seeds/001 §6) -----------------------
    switch_user(page, live_server, "Camilla Johansen")
    for name in ["Geir Moen", "Sindre Vik"]:
        waiting = page.get_by_role("region", name="Nye deltakere som venter på svar fra deg")
        waiting.get_by_role("link", name=re.compile(f"^{name}")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Ny deltaker i stafettloggen for Noah Johansen")
        check_a11y(page)
        page.get_by_role("button", name=f"Ja, {name.split()[0]} kan være med").click()
        expect_message(page, "Takk. Svaret ditt er registrert.")
        page.goto(f"{live_server.url}/")

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
    page.get_by_role("group", name="Deltok barnet/ungdommen i møtet?").get_by_label("Nei").check()
    page.get_by_role("button", name="Lagre referat").click()
    expect_message(page, "Referatet er lagret.")
    expect(step(page, "Overgangsmøte 1 før sommerferien")).to_contain_text("(ferdig)")
    expect_next_step(page, "Overgangsmøte 2 innen to uker etter skolestart")
    expect(transition_section(page).get_by_role("link", name="Kall inn til overgangsmøte 2")).to_be_visible()
    check_a11y(page)


# --- From overgangsmøte 1 to the end of the routine -------------------------------------

MEETING_2_STEP = "Overgangsmøte 2 innen to uker etter skolestart"
FINISH_STEP = "Avslutt loggen, eller gi stafettpinnen til kontaktlæreren"
# Who is responsible for what, as in the first test: kindergarten, guardian, SFO, contact teacher.
MEASURES = [
    ("kindergarten", "Besøke skolen med barnehagegruppa."),
    ("guardian", "Gå skoleveien sammen i ferien."),
    ("sfo", "Fast voksen den første uka på SFO."),
    ("contact_teacher", "Ta imot Noah ved porten første skoledag."),
]


def at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def people_and_units():
    from stafett.logs.actions import guardians_of
    from stafett.people.models import Person, Unit

    school = Unit.objects.get(name="Fjordvik skole")
    sfo = Unit.objects.get(name="Fjordvik SFO")

    def staff(given: str, family: str, unit: Unit) -> Person:
        return Person.objects.get(given_name=given, family_name=family, memberships__unit=unit)

    noah = Person.objects.get(given_name="Noah", family_name="Johansen", national_id__isnull=False)
    kari = Person.objects.get(email="kari.lunde@fjordvik.example")
    (camilla,) = guardians_of(noah)
    people = {
        "kindergarten": kari,
        "guardian": camilla,
        "principal": staff("Geir", "Moen", school),
        "sfo": staff("Sindre", "Vik", sfo),
        "contact_teacher": staff("Ingrid", "Berg", school),
    }
    return people, school, sfo


def approved_by_family(participant) -> None:
    """Issue 15 §4: every guardian says yes to a new participant, as in the app."""
    from stafett.logs import actions
    from stafett.logs.actions.consent import required_signers
    from stafett.logs.models import ParticipantApproval

    for member in required_signers(participant.log):
        if participant.approval == ParticipantApproval.PENDING:
            participant = actions.answer_participant(
                actor=member, participant=participant, approve=True, authenticated_by="BankID (test)"
            )


def prepare_after_meeting_1(log, school_start: date):
    """What the first test clicks through, done with the server-side actions (tests/test_transition.py):
    the school is notified, the principal, the SFO leader and the contact teacher are participants,
    overgangsmøte 1 is held and everyone has a measure. Returns the transition and the measures."""
    from stafett.logs import actions, transitions
    from stafett.logs.actions import MeasureData
    from stafett.logs.models import Arena, MeasureCategory, TransitionKind

    people, school, sfo = people_and_units()
    kari = people["kindergarten"]
    t = actions.start_transition(
        actor=kari,
        log=log,
        kind=TransitionKind.KINDERGARTEN_TO_SCHOOL,
        to_unit=school,
        start_date=school_start,
        sfo_unit=sfo,
    )
    actions.notify_school(actor=kari, transition=t)
    approved_by_family(actions.add_participant(actor=kari, log=log, person=people["principal"], unit=school))
    approved_by_family(actions.add_participant(actor=kari, log=log, person=people["sfo"], unit=sfo))
    approved_by_family(
        actions.add_contact_teacher(actor=people["principal"], transition=t, teacher=people["contact_teacher"])
    )
    today = timezone.localdate()
    m1 = actions.schedule_transition_meeting(
        actor=kari, transition=t, number=1, starts_at=at(today + timedelta(days=21), 14), place="Solsikken barnehage"
    )
    goal = actions.add_goal(actor=kari, log=log, arena=Arena.SERVICE, text="Noah får en trygg start på skolen.")
    measures = {
        who: actions.add_measure(
            actor=kari,
            goal=goal,
            data=MeasureData(
                what,
                MeasureCategory.TILRETTELEGGING,
                people[who],
                today + timedelta(days=7),
                school_start + timedelta(days=10),
            ),
        )
        for who, what in MEASURES
    }
    actions.record_minutes(
        actor=kari,
        meeting=m1,
        version=m1.version,
        attendees=[kari, people["guardian"], people["contact_teacher"], people["sfo"]],
        minutes="Vi avtalte ett tiltak hver. Nytt møte to uker etter skolestart.",
        next_meeting_date=school_start + timedelta(days=7),
    )
    assert transitions.next_step(transitions.progress(t)).key == "meeting_2"
    return t, measures


def test_from_overgangsmote_2_to_the_contact_teacher_taking_the_baton(page, live_server, noah_log):
    from stafett.logs import actions, transitions
    from stafett.logs.actions import EvaluationData

    school_start = next_school_start()
    transition, measures = prepare_after_meeting_1(noah_log, school_start)
    people, _, _ = people_and_units()
    due = school_start + timedelta(days=14)

    # --- The holder calls overgangsmøte 2, within two weeks after school start ------------
    login_as(page, live_server, "Kari Lunde")
    open_log_from_start_page(page, "Noah Johansen")
    expect_next_step(page, MEETING_2_STEP)
    expect(transition_section(page).get_by_role("note")).to_contain_text(f"innen {due.day}. august {due.year}")
    expect(step(page, MEETING_2_STEP).get_by_role("listitem")).to_have_text(["Møtet er ikke kalt inn."])
    check_a11y(page)

    transition_section(page).get_by_role("link", name="Kall inn til overgangsmøte 2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Kall inn til overgangsmøte 2")
    expect(page.get_by_role("main")).to_contain_text(f"Innen to uker etter skolestart (17. august {school_start.year})")
    check_a11y(page)
    meeting_day = school_start + timedelta(days=7)
    page.get_by_label("Dato og klokkeslett").fill(f"{meeting_day.isoformat()}T14:00")
    page.get_by_label("Sted").fill("Fjordvik skole, møterom 2")
    page.get_by_role("button", name="Kall inn").click()
    expect_message(page, "Overgangsmøte 2 er kalt inn.")
    expect(
        page.get_by_role("region", name="Møter").get_by_role("heading", name=re.compile("Overgangsmøte 2"))
    ).to_be_visible()
    expect_next_step(page, MEETING_2_STEP)
    expect(step(page, MEETING_2_STEP).get_by_role("listitem")).to_have_text(
        [f"Møtet er kalt inn til {meeting_day:%d.%m.%Y}; referatet mangler."]
    )

    # --- In the meeting the measures are evaluated: the contact teacher's in the form ------
    teacher_measure = MEASURES[3][1]
    page.get_by_role("link", name=f"Evaluer tiltaket {teacher_measure}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Evaluer tiltaket")
    expect(page.get_by_role("main")).to_contain_text(f"{teacher_measure} – ansvarlig Ingrid Berg")
    check_a11y(page)
    # Submitting an empty form shows the errors on an accessible page.
    page.get_by_role("button", name="Lagre evalueringen").click()
    expect(page.get_by_role("group", name="Er tiltaket gjennomført?")).to_have_attribute(
        "aria-describedby", re.compile("_error")
    )
    check_a11y(page)
    page.get_by_role("group", name="Er tiltaket gjennomført?").get_by_label("Ja").check()
    page.get_by_label("Hvordan oppleves effekten for barnet/ungdommen?").fill("Noah gikk rett inn i klasserommet.")
    page.get_by_label("… for foresatte?").fill("Camilla syntes det var godt å bli møtt.")
    page.get_by_role("group", name="Bør tiltaket fortsette, justeres eller avsluttes?").get_by_label("Avslutte").check()
    page.get_by_role("button", name="Lagre evalueringen").click()
    expect_message(page, "Evalueringen er lagret.")
    goals = page.get_by_role("region", name="Mål og tiltak")
    expect(goals).to_contain_text(f"{teacher_measure} (avsluttet {timezone.localdate():%-d.%-m.%Y})")
    expect(goals).to_contain_text("av Kari Lunde: gjennomført ja, avslutte.")
    expect(goals).to_contain_text("Barnet: Noah gikk rett inn i klasserommet.")
    # A measure ended at overgangsmøte 2 still counts for the plan made in overgangsmøte 1.
    expect(step(page, MEASURES_STEP)).to_contain_text("(ferdig)")
    expect_next_step(page, MEETING_2_STEP)

    # The other three go through the same form; evaluated server-side here.
    for who, decision in [("kindergarten", "avslutte"), ("guardian", "avslutte"), ("sfo", "fortsette")]:
        actions.evaluate_measure(
            actor=people["kindergarten"],
            measure=measures[who],
            data=EvaluationData(carried_out=True, decision=decision, effect_child="Det gikk fint."),
        )
    page.reload()
    for _, what in MEASURES[:2]:
        expect(goals).to_contain_text(f"{what} (avsluttet {timezone.localdate():%-d.%-m.%Y})")
    expect(goals).to_contain_text("av Kari Lunde: gjennomført ja, fortsette.")
    expect(step(page, MEASURES_STEP)).to_contain_text("(ferdig)")

    # --- Minutes from overgangsmøte 2: the last step is the baton --------------------------
    transition_section(page).get_by_role("link", name="Skriv referat fra overgangsmøte 2").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Referat fra overgangsmøte 2 {meeting_day.day}. august {meeting_day.year}"
    )
    check_a11y(page)
    for name in ["Kari Lunde", "Camilla Johansen", "Ingrid Berg", "Sindre Vik"]:
        page.get_by_label(name).check()
    page.get_by_label("Kort referat").fill(
        "Tiltakene er evaluert. SFO fortsetter med fast voksen. Ingrid Berg blir stafettholder."
    )
    page.get_by_role("group", name="Deltok barnet/ungdommen i møtet?").get_by_label("Delvis").check()
    page.get_by_role("button", name="Lagre referat").click()
    expect_message(page, "Referatet er lagret.")
    expect(step(page, MEETING_2_STEP)).to_contain_text("(ferdig)")
    expect_next_step(page, FINISH_STEP)
    expect(step(page, FINISH_STEP).get_by_role("listitem")).to_have_text(
        ["Avslutt loggen, eller foreslå kontaktlæreren som ny stafettholder."]
    )
    check_a11y(page)

    # --- The holder proposes the contact teacher as the new holder ------------------------
    transition_section(page).get_by_role("link", name="foreslå kontaktlæreren som stafettholder").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Foreslå ny stafettholder")
    check_a11y(page)
    page.get_by_label("Ny stafettholder").select_option(label="Ingrid Berg – kontaktlærer, Fjordvik skole")
    page.get_by_label("Kommentar til den nye stafettholderen").fill("Som avtalt i overgangsmøte 2.")
    page.get_by_role("button", name="Send forslaget").click()
    expect_message(page, "Ingrid Berg er spurt om å overta. Til det er godtatt, er Kari Lunde stafettholder.")
    expect(page.get_by_role("note").filter(has_text="Ny stafettholder foreslått")).to_contain_text(
        "Kari Lunde har foreslått Ingrid Berg (Fjordvik skole)"
    )
    # The step waits for the answer and no longer offers a second proposal.
    expect_next_step(page, FINISH_STEP)
    expect(step(page, FINISH_STEP)).to_contain_text("Venter på svar fra Ingrid Berg.")
    expect(step(page, FINISH_STEP).get_by_role("link", name="foreslå kontaktlæreren som stafettholder")).to_have_count(
        0
    )
    check_a11y(page)

    # --- The contact teacher signs in and accepts ------------------------------------------
    switch_user(page, live_server, "Ingrid Berg")
    requests = page.get_by_role("region", name="Forespørsler om å bli stafettholder")
    # Until she accepts she sees what she needs to answer: the child's first name, not the plan (SPEC §3).
    expect(requests.get_by_role("listitem")).to_contain_text(["Noah – foreslått av Kari Lunde"])
    check_a11y(page)
    requests.get_by_role("link", name="Noah").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vil du overta stafettloggen for Noah?")
    expect(page.get_by_role("main")).to_contain_text("Kommentar: «Som avtalt i overgangsmøte 2.»")
    check_a11y(page)
    page.get_by_role("button", name="Ja, jeg overtar").click()
    expect_message(page, "Du er nå stafettholder for Noah Johansen.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Stafettlogg for Noah Johansen")
    expect(page.get_by_text("Stafettholder: Ingrid Berg, Fjordvik skole")).to_be_visible()
    participants = page.get_by_role("region", name="Deltakere").get_by_role("listitem")
    expect(participants.first).to_have_text("Ingrid Berg – stafettholder, Fjordvik skole")
    expect(participants.filter(has_text="Kari Lunde")).to_have_count(0)
    # The routine is finished: no next step on the log, and the school's announcement is gone.
    expect(transition_section(page).get_by_role("note")).to_have_count(0)
    check_a11y(page)
    transition.refresh_from_db()
    assert transition.completed_at is not None
    assert transition not in transitions.announced_to(people["principal"])


def test_overgangsmote_2_then_the_holder_closes_the_log(page, live_server, noah_log):
    from stafett.logs import actions

    school_start = next_school_start()
    transition, _ = prepare_after_meeting_1(noah_log, school_start)
    kari = people_and_units()[0]["kindergarten"]
    m2 = actions.schedule_transition_meeting(
        actor=kari, transition=transition, number=2, starts_at=at(school_start + timedelta(days=10), 9), place="Skolen"
    )
    actions.record_minutes(
        actor=kari, meeting=m2, version=m2.version, attendees=[kari], minutes="Målene er nådd.", next_meeting_date=None
    )

    login_as(page, live_server, "Kari Lunde")
    open_log_from_start_page(page, "Noah Johansen")
    expect_next_step(page, FINISH_STEP)
    transition_section(page).get_by_role("link", name="Avslutt loggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Avslutte stafettloggen for Noah Johansen?")
    check_a11y(page)
    page.get_by_role("group", name="Hvorfor avsluttes loggen?").get_by_label("Målene er nådd").check()
    page.get_by_role("button", name="Avslutt loggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stafettloggen for Noah Johansen er avsluttet")
    expect(page.get_by_role("main")).to_contain_text(
        "Noah Johansen har ikke lenger aktiv stafettlogg i Stafett (målene er nådd)."
    )
    check_a11y(page)
    page.get_by_role("link", name="Tilbake til loggen").click()
    expect(page.get_by_role("note").filter(has_text="Loggen ble avsluttet")).to_contain_text("målene er nådd")
    check_a11y(page)
    transition.refresh_from_db()
    assert transition.completed_at is not None
