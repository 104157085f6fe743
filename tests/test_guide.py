"""The BTI action guide as data (seeds/004), where a log stands in it, and child welfare's deadlines."""

from dataclasses import replace
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from stafett import access
from stafett.access import Action
from stafett.audit.models import AuditEvent
from stafett.guide import actions as guide_actions
from stafett.guide.loader import load_guide
from stafett.guide.models import DecisionKind, GuideDecision, GuidePosition, GuideStep, GuideTimeline
from stafett.guide.source import DATA_FILE, guide, parse
from stafett.guide.timelines import add_months, deadlines
from stafett.logs import actions as log_actions
from stafett.logs.models import RelayLog
from stafett.people.models import Membership, Role, ServiceType, Unit
from tests.conftest import make_person
from tests.logs.conftest import *  # noqa: F403 - the log fixtures (log, make_consent, …), as tests/followup does

# What seeds/004 has, page by page: five steps for each service and level. Schools have
# no level-0 page; child welfare has its own levels 3.0–3.3.
EXPECTED_STEPS = {
    ("barnehage", "0"): 5,
    ("barnehage", "1"): 5,
    ("barnehage", "2"): 5,
    ("skole", "1"): 5,
    ("skole", "2"): 5,
    ("helsestasjon_skolehelse", "0"): 5,
    ("helsestasjon_skolehelse", "1"): 5,
    ("helsestasjon_skolehelse", "2"): 5,
    ("ressursteam", "0"): 5,
    ("ressursteam", "1"): 5,
    ("ressursteam", "2"): 5,
    ("forebyggende", "0"): 5,
    ("forebyggende", "1"): 5,
    ("forebyggende", "2"): 5,
    ("barnevern", "3.0"): 5,
    ("barnevern", "3.1"): 5,
    ("barnevern", "3.2"): 5,
    ("barnevern", "3.3"): 5,
}
TOOLBOX_PAGES = {
    "refleksjonsnotat",
    "konkretisering-av-bekymring",
    "samtykkeskjema",
    "gode-moter",
    "evalueringsskjema",
    "opprettholdende-faktorer",
    "tegn-og-signaler",
    "risiko-og-beskyttelsesfaktorer",
    "fem-trinn-fra-bekymring-til-melding",
}


def step(service: str, level: str, number: int) -> GuideStep:
    return GuideStep.objects.get(service=service, level=level, number=number)


# --- The data file ----------------------------------------------------------------------


def test_the_data_file_has_every_step_of_every_service_and_level_in_the_seed():
    data = parse(DATA_FILE)
    assert data.version == 1 and "seeds/004" in data.source
    found = {(lv.service, lv.level): len(lv.steps) for lv in data.levels}
    assert found == EXPECTED_STEPS
    for lv in data.levels:
        assert [s.number for s in lv.steps] == list(range(1, len(lv.steps) + 1))
        assert all(s.title and s.how for s in lv.steps), (lv.service, lv.level)


def test_step_titles_match_the_seed():
    levels = {(lv.service, lv.level): lv for lv in guide().levels}
    titles = {key: [s.title for s in lv.steps] for key, lv in levels.items()}
    assert titles[("barnevern", "3.3")] == [
        "Forberede sak",
        "Formøte",
        "Sak fremmes",
        "Tiltak iverksettes",
        "Videre oppfølging",
    ]
    assert titles[("barnehage", "0")] == ["Undring", "Konkretiser undring", "Del undring", "Avklar undring", "Avslutt"]
    assert titles[("skole", "2")][0] == "Etabler kontakt med annen tjeneste"
    assert titles[("helsestasjon_skolehelse", "1")][4] == (
        "Avklar om tiltak(ene) skal endres, videreføres eller avsluttes"
    )
    assert levels[("barnevern", "3.1")].title == "Fra undring til tiltak"
    assert levels[("barnevern", "3.3")].title == "Komplekse tiltak"
    investigation = levels[("barnevern", "3.1")].steps[1]
    assert "tre måneder" in investigation.how and "seks måneder" in investigation.how
    assert investigation.who == "Undersøkelsesteamet"
    assert levels[("barnehage", "1")].steps[0].who == "Pedagogisk leder og styrer"


def test_toolbox_pages_have_stable_slugs_that_steps_link_to():
    data = guide()
    assert set(data.toolbox) >= TOOLBOX_PAGES
    linked = {t.slug for lv in data.levels for s in lv.steps for t in s.tools if t.slug}
    assert linked <= set(data.toolbox)
    assert {"refleksjonsnotat", "gode-moter", "evalueringsskjema", "samtykkeskjema"} <= linked
    barnehage_1 = data.level("barnehage", "1")
    assert barnehage_1 is not None
    assert [t.slug for t in barnehage_1.steps[0].tools if t.slug] == [
        "konkretisering-av-bekymring",
        "refleksjonsskjema-rundt-bekymring",
        "tegn-og-signaler",
    ]


def test_the_migration_loaded_every_step_and_loading_again_changes_nothing(db):
    keys = {(s.service, s.level) for s in GuideStep.objects.all()}
    assert keys == set(EXPECTED_STEPS)
    assert GuideStep.objects.count() == sum(EXPECTED_STEPS.values())
    assert load_guide().created == 0
    assert GuideStep.objects.count() == sum(EXPECTED_STEPS.values())


def test_a_new_version_of_the_file_updates_steps_but_keeps_a_superusers_edit(cast):
    edited = step("skole", "1", 1)
    guide_actions.update_step(actor=cast.randi, step=edited, version=edited.version, changes={"how": "Vår egen tekst."})
    newer = replace(guide(), version=2)
    result = load_guide(data=newer)
    assert result.kept_edited == 1 and result.updated == sum(EXPECTED_STEPS.values()) - 1
    assert step("skole", "1", 1).how == "Vår egen tekst."
    assert step("skole", "1", 2).data_version == 2


# --- Superusers edit the guide ---------------------------------------------------------------


def test_a_superuser_edits_a_step_and_it_is_audited(client, cast):
    s = step("barnehage", "1", 3)
    client.force_login(cast.randi)
    url = reverse("guide:edit_step", args=[s.code])
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"title": s.title, "how": "Iverksett tiltak i barnehagen og hjemmet.", "who": s.who, "version": s.version}
    )
    assert response.status_code == 302
    s.refresh_from_db()
    assert s.how == "Iverksett tiltak i barnehagen og hjemmet."
    assert s.edited_by == cast.randi and s.edited_at is not None and s.version == 2
    event = AuditEvent.objects.about(s).get()
    assert event.action == "guide.step_changed" and event.actor_name == "Randi Nilsen"
    assert event.details["felt"] == ["how"]
    assert "Iverksett tiltak i barnehagen og hjemmet." in client.get(reverse("guide:index")).content.decode()


@pytest.mark.parametrize("who", ["kari", "berit", "trude", "silje", "outsider"])
def test_only_a_superuser_may_edit_the_guide(client, cast, who):
    s = step("barnehage", "1", 3)
    client.force_login(getattr(cast, who))
    url = reverse("guide:edit_step", args=[s.code])
    assert client.get(url).status_code == 403
    assert client.post(url, {"title": "x", "how": "x", "who": "", "version": s.version}).status_code == 403
    assert step("barnehage", "1", 3).title == s.title
    assert not access.can(getattr(cast, who), Action.MANAGE_GUIDE)


def test_a_stale_edit_of_a_step_is_refused(client, cast):
    s = step("skole", "2", 4)
    opened = s.version
    guide_actions.update_step(actor=cast.randi, step=s, version=opened, changes={"who": "Skolen"})
    client.force_login(cast.randi)
    response = client.post(
        reverse("guide:edit_step", args=[s.code]),
        {"title": s.title, "how": "Noe annet", "who": "Skolen", "version": opened},
    )
    assert response.status_code == 400
    assert "Noen andre har endret dette" in response.content.decode()
    assert step("skole", "2", 4).how != "Noe annet"


def test_staff_read_the_guide_and_its_toolbox_but_anonymous_must_sign_in(client, cast):
    client.force_login(cast.kari)
    page = client.get(reverse("guide:index")).content.decode()
    assert "Komplekse tiltak" in page and "Forberede sak" in page
    assert reverse("guide:edit_step", args=[step("skole", "1", 1).code]) not in page
    tool = client.get(reverse("guide:tool", args=["gode-moter"])).content.decode()
    assert "Gode møter" in tool and "nivå 1, steg 2" in tool
    assert client.get(reverse("guide:tool", args=["finnes-ikke"])).status_code == 404
    client.logout()
    assert client.get(reverse("guide:index")).status_code == 302


# --- A log's place in the guide --------------------------------------------------------------


def start_url(log: RelayLog) -> str:
    return reverse("guide:start", args=[log.code])


def decide_url(log: RelayLog, position: GuidePosition) -> str:
    return reverse("guide:decide", args=[log.code, position.code])


@pytest.fixture
def position(cast, log) -> GuidePosition:
    return guide_actions.start_level(actor=cast.kari, log=log, level="1")


def test_the_log_page_shows_the_level_step_what_who_and_tools(client, cast, log, position):
    client.force_login(cast.silje)  # guardians see everything in the log
    page = client.get(reverse("logs:detail", args=[log.code])).content.decode()
    assert "Nivå 1, steg 1: Definer problemstilling" in page
    assert "Pedagogisk leder og styrer" in page
    assert reverse("guide:tool", args=["konkretisering-av-bekymring"]) in page
    assert "Registrer beslutningen" not in page  # only the holder decides
    client.force_login(cast.kari)
    assert "Registrer beslutningen" in client.get(reverse("logs:detail", args=[log.code])).content.decode()


def test_only_the_holder_may_record_a_decision(client, cast, log, position):
    data = {"decision": "fortsett", "version": position.version, "note": ""}
    for who, status in [("nina", 403), ("silje", 403), ("berit", 404), ("outsider", 404)]:
        client.force_login(getattr(cast, who))
        assert client.post(decide_url(log, position), data).status_code == status, who
    client.force_login(cast.kari)
    assert client.get(decide_url(log, position)).status_code == 405
    assert not GuideDecision.objects.exists()
    assert client.post(decide_url(log, position), data).status_code == 302
    assert GuideDecision.objects.get().by == cast.kari


def test_only_the_holder_may_start_a_level(client, cast, log):
    client.force_login(cast.nina)
    assert client.post(start_url(log), {"level": "1"}).status_code == 403
    client.force_login(cast.outsider)
    assert client.post(start_url(log), {"level": "1"}).status_code == 404
    client.force_login(cast.kari)
    assert client.post(start_url(log), {"level": "1"}).status_code == 302
    assert GuidePosition.objects.get(log=log).level == "1"
    assert AuditEvent.objects.filter(scope_code=log.code, action="guide.started").exists()


def test_continuing_moves_to_the_next_step_and_decisions_appear_in_the_history(client, cast, log, position):
    client.force_login(cast.kari)
    response = client.post(
        decide_url(log, position), {"decision": "fortsett", "version": position.version, "note": "Enige i møtet"}
    )
    assert response.status_code == 302 and response["Location"].endswith("#veileder")
    position.refresh_from_db()
    assert position.step == 2
    page = client.get(reverse("logs:detail", args=[log.code])).content.decode()
    assert "Nivå 1, steg 2: A. Møte med den det gjelder. B. Beskriv mål og tiltak" in page
    assert "nivå 1, steg 1 (Definer problemstilling) – <strong>fortsett på dette nivået</strong>: Enige i møtet" in page
    event = AuditEvent.objects.filter(scope_code=log.code, action="guide.decision").get()
    assert event.details["beslutning"] == "fortsett" and event.actor_name == "Kari Lunde"
    access_log = client.get(reverse("logs:access_log", args=[log.code])).content.decode()
    assert "Registrerte en beslutning i BTI-veilederen" in access_log


def test_a_stale_decision_is_refused(client, cast, log, position):
    opened = position.version
    guide_actions.decide(actor=cast.kari, position=position, version=opened, decision=DecisionKind.CONTINUE)
    client.force_login(cast.kari)
    response = client.post(decide_url(log, position), {"decision": "fortsett", "version": opened})
    assert response.status_code == 400
    assert "Noen andre har endret dette" in response.content.decode()
    assert GuideDecision.objects.count() == 1
    assert GuidePosition.objects.get(pk=position.pk).step == 2


def test_after_the_last_step_continuing_starts_a_new_round_with_the_measures(cast, log, position):
    for _ in range(4):
        position.refresh_from_db()
        guide_actions.decide(
            actor=cast.kari, position=position, version=position.version, decision=DecisionKind.CONTINUE
        )
    position.refresh_from_db()
    assert position.step == 5
    guide_actions.decide(actor=cast.kari, position=position, version=position.version, decision=DecisionKind.CONTINUE)
    position.refresh_from_db()
    assert position.step == 3 and position.ended_at is None


def test_stop_ends_the_level(cast, log, position):
    guide_actions.decide(actor=cast.kari, position=position, version=position.version, decision=DecisionKind.STOP)
    position.refresh_from_db()
    assert position.ended_at is not None
    assert guide_actions.startable_levels(log) == ["1"]


def test_up_above_the_logs_level_sends_the_holder_to_the_level_change_that_asks_for_consent(
    client, cast, log, position, make_consent
):
    client.force_login(cast.kari)
    response = client.post(decide_url(log, position), {"decision": "opp", "version": position.version})
    assert response["Location"] == reverse("logs:edit_overview", args=[log.code])
    position.refresh_from_db()
    assert position.ended_at is None  # level 1 goes on until level 2 can start
    assert not GuidePosition.objects.filter(level="2").exists()
    assert RelayLog.objects.get(pk=log.pk).level == 1
    with pytest.raises(ValidationError):
        guide_actions.start_level(actor=cast.kari, log=log, level="2")
    # The existing consent rule still decides: level 2 needs consent for level 2.
    with pytest.raises(ValidationError):
        log_actions.update_overview(actor=cast.kari, log=log, version=log.version, changes={"level": 2})
    log_actions.renew_consent(actor=cast.kari, log=log, consent=make_consent(level=2))
    log = RelayLog.objects.get(pk=log.pk)
    log_actions.update_overview(actor=cast.kari, log=log, version=log.version, changes={"level": 2})
    assert guide_actions.startable_levels(RelayLog.objects.get(pk=log.pk)) == ["2"]
    client.post(start_url(log), {"level": "2"})
    # Levels run in parallel (seeds/004): 1 and 2 are both followed.
    assert sorted(GuidePosition.objects.filter(ended_at__isnull=True).values_list("level", flat=True)) == ["1", "2"]


def test_up_and_down_within_the_logs_level_move_between_levels(cast, log, position, make_consent):
    log_actions.renew_consent(actor=cast.kari, log=log, consent=make_consent(level=2))
    log = RelayLog.objects.get(pk=log.pk)
    log_actions.update_overview(actor=cast.kari, log=log, version=log.version, changes={"level": 2})
    position = GuidePosition.objects.get(pk=position.pk)
    result = guide_actions.decide(
        actor=cast.kari, position=position, version=position.version, decision=DecisionKind.UP, keep_level=True
    )
    assert result.started is not None and result.started.level == "2"
    assert GuidePosition.objects.get(pk=position.pk).ended_at is None  # kept in parallel
    upper = result.started
    result = guide_actions.decide(actor=cast.kari, position=upper, version=upper.version, decision=DecisionKind.DOWN)
    assert result.started is not None and result.started.pk == position.pk  # level 1 was already open
    assert GuidePosition.objects.get(pk=upper.pk).ended_at is not None
    with pytest.raises(ValidationError):
        guide_actions.decide(actor=cast.kari, position=position, version=position.version, decision=DecisionKind.DOWN)


def test_up_from_the_services_highest_level_points_to_child_welfare(client, cast, log, make_consent):
    log_actions.renew_consent(actor=cast.kari, log=log, consent=make_consent(level=2))
    log = RelayLog.objects.get(pk=log.pk)
    log_actions.update_overview(actor=cast.kari, log=log, version=log.version, changes={"level": 2})
    level_2 = guide_actions.start_level(actor=cast.kari, log=log, level="2")
    client.force_login(cast.kari)
    response = client.post(decide_url(log, level_2), {"decision": "opp", "version": level_2.version})
    assert response["Location"] == reverse("logs:edit_overview", args=[log.code])
    assert GuidePosition.objects.get(pk=level_2.pk).ended_at is not None
    assert not GuidePosition.objects.filter(level__startswith="3").exists()


def test_a_closed_log_takes_no_decisions(cast, log, position):
    log_actions.withdraw_consent(actor=cast.silje, log=log)
    position = GuidePosition.objects.select_related("log").get(pk=position.pk)
    with pytest.raises(PermissionDenied):
        guide_actions.decide(actor=cast.kari, position=position, version=position.version, decision=DecisionKind.STOP)


def test_deleting_the_content_deletes_the_guide_history(cast, log, position):
    guide_actions.decide(actor=cast.kari, position=position, version=position.version, decision=DecisionKind.CONTINUE)
    log_actions.delete_content(actor=cast.kari, log=RelayLog.objects.get(pk=log.pk))
    assert not GuideDecision.objects.exists() and not GuidePosition.objects.exists()


def test_a_log_from_a_service_without_guide_pages_shows_none(client, cast, make_consent):
    ppt_worker = make_person("Siri", "Holm", email="siri@example.com")
    Membership.objects.create(person=ppt_worker, unit=cast.ppt, role=Role.EMPLOYEE, title="PP-rådgiver")
    log = log_actions.open_log(
        actor=ppt_worker,
        subject=cast.emma,
        unit=cast.ppt,
        consent=make_consent(collected_at_unit=cast.ppt, services=["ppt"]),
    )
    assert guide_actions.startable_levels(log) == []
    client.force_login(ppt_worker)
    page = client.get(reverse("logs:detail", args=[log.code])).content.decode()
    assert "Veilederen har ingen egne steg for PPT" in page


# --- Child welfare's deadlines ------------------------------------------------------------------


def test_deadlines_are_counted_from_the_dates_on_the_log():
    timeline = GuideTimeline(report_received_on=date(2025, 1, 10), public_reporter=True)
    reply, investigation = deadlines(timeline, today=date(2025, 2, 3))
    assert reply.due == date(2025, 1, 31) and reply.overdue and "3 dager siden" in reply.state
    assert investigation.due == date(2025, 4, 10) and not investigation.overdue and investigation.days_left == 66

    timeline.reporter_informed_on = date(2025, 1, 28)
    timeline.investigation_extended = True
    reply, investigation = deadlines(timeline, today=date(2025, 2, 3))
    assert not reply.overdue and reply.state == "gjort 28.01.2025"
    assert investigation.due == date(2025, 7, 10)

    timeline.public_reporter = False
    timeline.measures_decided_on = date(2025, 2, 1)
    timeline.measures_evaluated_on = date(2025, 3, 15)
    found = deadlines(timeline, today=date(2025, 7, 1))
    assert [d.title for d in found] == ["Undersøkelsen ferdig", "Neste evaluering av hjelpetiltakene"]
    assert found[1].due == date(2025, 6, 15) and found[1].overdue
    assert deadlines(None, today=date(2025, 1, 1)) == []


def test_months_are_calendar_months():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)
    assert add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)
    assert add_months(date(2024, 12, 15), 3) == date(2025, 3, 15)


@pytest.fixture
def child_welfare(cast):
    unit = Unit.objects.create(
        municipality=cast.fjordvik, name="Barneverntjenesten i Fjordvik", service_type=ServiceType.BARNEVERN
    )
    elin = make_person("Elin", "Ruud", email="elin@example.com")
    Membership.objects.create(person=elin, unit=unit, role=Role.EMPLOYEE, title="saksbehandler")
    return unit, elin


def test_the_log_page_shows_child_welfares_deadlines_when_child_welfare_takes_part(
    client, cast, make_consent, child_welfare
):
    unit, elin = child_welfare
    log = log_actions.open_log(
        actor=cast.kari,
        subject=cast.emma,
        unit=cast.kindergarten,
        consent=make_consent(services=["barnehage", "barnevern", "helsestasjon"]),
    )
    detail = reverse("logs:detail", args=[log.code])
    client.force_login(cast.kari)
    assert "Barneverntjenestens frister" not in client.get(detail).content.decode()
    log_actions.add_participant(actor=cast.kari, log=log, person=elin, unit=unit)
    log_actions.add_participant(actor=cast.kari, log=log, person=cast.nina, unit=cast.health_station)
    assert "Ingen datoer er registrert ennå" in client.get(detail).content.decode()

    received = timezone.localdate() - timedelta(days=30)
    url = reverse("guide:timeline", args=[log.code])
    client.force_login(cast.nina)  # another service's participant reads the deadlines but does not write them
    assert client.post(url, {"report_received_on": received.isoformat(), "version": 1}).status_code == 403
    client.force_login(elin)  # child welfare records its own dates
    assert client.get(url).status_code == 200
    response = client.post(url, {"report_received_on": received.isoformat(), "public_reporter": "on", "version": 1})
    assert response.status_code == 302
    timeline = GuideTimeline.objects.get(log=log)
    assert timeline.report_received_on == received
    client.force_login(elin)
    page = client.get(detail).content.decode()
    assert "Svar til offentlig melder" in page and "fristen gikk ut for 9 dager siden" in page
    assert "Undersøkelsen ferdig" in page and f"{add_months(received, 3):%-d.%-m.%Y}" in page
    assert AuditEvent.objects.filter(scope_code=log.code, action="guide.timeline_changed").exists()


def test_timeline_dates_are_checked(client, cast, make_consent, child_welfare):
    log = log_actions.open_log(actor=cast.kari, subject=cast.emma, unit=cast.kindergarten, consent=make_consent())
    url = reverse("guide:timeline", args=[log.code])
    client.force_login(cast.kari)
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert client.post(url, {"report_received_on": tomorrow.isoformat(), "version": 1}).status_code == 400
    today = timezone.localdate()
    response = client.post(
        url,
        {
            "report_received_on": today.isoformat(),
            "reporter_informed_on": (today - timedelta(days=2)).isoformat(),
            "version": 1,
        },
    )
    assert response.status_code == 400
    assert "før meldingen ble mottatt" in response.content.decode()
    assert not GuideTimeline.objects.filter(report_received_on__isnull=False).exists()


def test_the_archive_printout_carries_the_guides_decisions(cast, log, position):
    import io

    from pypdf import PdfReader

    from stafett.archive.pdf import render_log_pdf

    guide_actions.decide(
        actor=cast.kari,
        position=position,
        version=position.version,
        decision=DecisionKind.CONTINUE,
        note="Foreldremøte holdt",
    )

    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(render_log_pdf(log))).pages)

    assert "BTI-veilederen" in text
    assert "Foreldremøte holdt" in text
