"""A form page that shows the log's content is a read of the log (SPEC §3): opening it writes a
`log.viewed` row naming the form, as the log page does; a refused or redirected GET writes none."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from stafett.audit.models import AuditEvent
from stafett.logs import actions


@pytest.fixture(autouse=True)
def archive_dir(settings, tmp_path):
    settings.ARCHIVE_DIR = tmp_path / "arkiv"  # becoming an individual plan makes an archive copy


@pytest.fixture
def plan_log(cast, log):
    """The `log`, with a meeting called, as an individual plan."""
    actions.schedule_meeting(
        actor=cast.kari, log=log, starts_at=timezone.now() + timedelta(days=7), place="Møterom", agenda="Mål"
    )
    return actions.make_individual_plan(actor=cast.kari, log=log, guardians_consented_on=timezone.localdate())


def form_pages(log) -> dict[str, str]:
    """Each GET form page about the log's content, by the name its access-log row gives it."""
    meeting = log.meetings.get()
    measure = log.measures.first()
    goal = measure.goal
    return {
        "mine egne mål": reverse("logs:own_goals", args=[log.code]),
        "nytt vedtak": reverse("logs:add_decision", args=[log.code]),
        "innkalling til møte": reverse("logs:schedule_meeting", args=[log.code]),
        "endre møte": reverse("logs:edit_meeting", args=[log.code, meeting.code]),
        "avlyse møte": reverse("logs:cancel_meeting", args=[log.code, meeting.code]),
        "referatskjema": reverse("logs:minutes", args=[log.code, meeting.code]),
        "endre tiltak": reverse("logs:edit_measure", args=[log.code, measure.code]),
        "nytt tiltak": reverse("logs:add_measure", args=[log.code, goal.code]),
        "endre mål": reverse("logs:edit_goal", args=[log.code, goal.code]),
        "evalueringsskjema": reverse("logs:evaluate", args=[log.code, measure.code]),
    }


def viewed(log) -> list[str]:
    rows = AuditEvent.objects.filter(action="log.viewed", scope_code=log.code).order_by("id")
    return [row.details.get("side", "") for row in rows]


def test_opening_each_edit_form_of_the_log_writes_an_access_log_row_naming_the_form(client, cast, plan_log):
    client.force_login(cast.kari)
    for what, url in form_pages(plan_log).items():
        before = viewed(plan_log)
        assert client.get(url).status_code == 200, url
        assert viewed(plan_log) == [*before, what], url
    event = AuditEvent.objects.filter(action="log.viewed", scope_code=plan_log.code).last()
    assert event.actor_code == cast.kari.code


def test_the_form_to_make_the_log_an_individual_plan_is_a_read_too(client, cast, log):
    client.force_login(cast.kari)
    assert client.get(reverse("logs:make_individual_plan", args=[log.code])).status_code == 200
    assert viewed(log) == ["gjøre om til individuell plan"]


def test_a_reader_refused_an_edit_form_leaves_no_access_log_row(client, cast, plan_log):
    client.force_login(cast.nina)  # a participant: reads the log, may not edit the plan
    for url in form_pages(plan_log).values():
        if "evaluer" in url:
            continue  # Nina may evaluate her own measure; the first measure is Silje's
        assert client.get(url).status_code == 403, url
    assert viewed(plan_log) == []


def test_a_cancelled_meetings_edit_page_redirects_and_is_no_read(client, cast, plan_log):
    meeting = plan_log.meetings.get()
    actions.cancel_meeting(actor=cast.kari, meeting=meeting, reason="Sykdom")
    client.force_login(cast.kari)
    response = client.get(reverse("logs:edit_meeting", args=[plan_log.code, meeting.code]))
    assert response.status_code == 302
    assert viewed(plan_log) == []


def test_saving_a_form_is_a_change_not_a_read(client, cast, plan_log):
    client.force_login(cast.kari)
    response = client.post(reverse("logs:own_goals", args=[plan_log.code]), {"text": "Jeg vil leke ute."})
    assert response.status_code == 302
    assert viewed(plan_log) == []
    assert AuditEvent.objects.filter(action="ip.own_goals_updated", scope_code=plan_log.code).exists()
