"""In an individual plan the holder is «Koordinator» and the participants «Ansvarsgruppe»
(issue 15 §6) everywhere the holder is named: the log page, the start pages, the handover pages
and the leader's overview — all from RelayLog.holder_label / participant(s)_label."""

import pytest
from django.urls import reverse
from django.utils import timezone

from stafett.logs import actions


@pytest.fixture(autouse=True)
def archive_dir(settings, tmp_path):
    settings.ARCHIVE_DIR = tmp_path / "arkiv"


@pytest.fixture
def plan(cast, log):
    return actions.make_individual_plan(actor=cast.kari, log=log, guardians_consented_on=timezone.localdate())


def html(client, person, url):
    client.force_login(person)
    response = client.get(url)
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def test_start_pages_call_the_holder_of_an_individual_plan_koordinator(cast, plan, client):
    start = reverse("core:start")
    assert "Du er koordinator" in html(client, cast.kari, start)
    assert "I ansvarsgruppen · koordinator Kari Lunde" in html(client, cast.nina, start)
    assert "koordinator Kari Lunde" in html(client, cast.silje, start)


def test_start_page_still_says_stafettholder_for_a_relay_log(cast, log, client):
    assert "Du er stafettholder" in html(client, cast.kari, reverse("core:start"))
    assert "Deltaker · stafettholder Kari Lunde" in html(client, cast.nina, reverse("core:start"))


def test_handover_pages_call_the_holder_of_an_individual_plan_koordinator(cast, plan, client):
    page = html(client, cast.kari, reverse("logs:propose_handover", args=[plan.code]))
    assert "Foreslå ny koordinator" in page and "Foreslå ny stafettholder" not in page
    handover = actions.propose_handover(actor=cast.kari, log=plan, to=cast.nina, unit=cast.health_station)
    answer = html(client, cast.nina, reverse("logs:answer_handover", args=[handover.code]))
    assert "Koordinator nå" in answer and "blir koordinator etter Kari Lunde" in answer
    assert "koordinator for individuell plan" in html(client, cast.nina, reverse("core:start"))


def test_leader_overview_marks_the_koordinator(cast, plan, client):
    page = html(client, cast.berit, reverse("followup:unit_overview", args=[cast.kindergarten.code]))
    assert "Kari Lunde (koordinator)" in page and "Ny koordinator" in page


def test_log_page_calls_the_holder_koordinator_and_the_participants_ansvarsgruppe(cast, plan, client):
    page = html(client, cast.kari, reverse("logs:detail", args=[plan.code]))
    assert "Ansvarsgruppe" in page and "Koordinator, samtykke og avslutning" in page
