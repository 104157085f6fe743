"""From stafettlogg to individuell plan, in place (seeds/003; issue 15 §6)."""

import io
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from stafett import access
from stafett.access import Action
from stafett.archive.models import ArchiveCopy, ArchiveEvent, DeliveryStatus
from stafett.audit.models import AuditEvent
from stafett.logs import actions
from stafett.logs.models import COORDINATOR_DUTIES, CloseReason, LogKind, PlanDecision, RelayLog
from stafett.notify.models import Kind, Notification
from stafett.people.models import Person
from stafett.stats.queries import Period, statistics

OWN_GOALS = "Jeg vil leke med de andre i friminuttet."


@pytest.fixture(autouse=True)
def archive_dir(settings, tmp_path):
    settings.ARCHIVE_DIR = tmp_path / "arkiv"
    return settings.ARCHIVE_DIR


def make_ip(cast, log, **kw):
    return actions.make_individual_plan(
        actor=cast.kari, log=log, guardians_consented_on=kw.pop("on", timezone.localdate()), **kw
    )


def page(client, person, log):
    client.force_login(person)
    response = client.get(reverse("logs:detail", args=[log.code]))
    assert response.status_code == 200
    return response.content.decode()


# --- The change ----------------------------------------------------------------------------


def test_holder_turns_the_log_into_an_individual_plan_and_becomes_coordinator(cast, log, client):
    goals, measures = log.goals.count(), log.measures.count()
    consented = timezone.localdate() - timedelta(days=3)
    make_ip(cast, log, on=consented, own_goals=OWN_GOALS)
    log.refresh_from_db()
    assert log.kind == LogKind.INDIVIDUAL_PLAN and log.is_individual_plan
    assert log.became_ip_on == timezone.localdate() and log.ip_consent_on == consented
    assert log.own_goals == OWN_GOALS
    # The plan keeps its history, goals and measures, and the same people keep the same access.
    assert log.goals.count() == goals and log.measures.count() == measures
    assert access.can(cast.kari, Action.EDIT_PLAN, log) and access.can(cast.nina, Action.VIEW_LOG, log)
    assert not access.can(cast.nina, Action.EDIT_PLAN, log)
    event = AuditEvent.objects.get(action="log.became_individual_plan")
    assert event.actor_name == "Kari Lunde" and event.scope_code == log.code
    text = page(client, cast.nina, log)
    assert "Individuell plan for Emma" in text and "Koordinator: <strong>Kari Lunde</strong>" in text
    assert "Ansvarsgruppe" in text and OWN_GOALS in text
    assert "Stafettholder:" not in text


def test_the_archive_gets_a_copy_when_the_log_becomes_an_individual_plan(
    cast, log, archive_dir, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        make_ip(cast, log, own_goals=OWN_GOALS)
    copy = ArchiveCopy.objects.get(event=ArchiveEvent.INDIVIDUAL_PLAN)
    assert copy.status == DeliveryStatus.DELIVERED and copy.log_code == log.code
    pdf = (archive_dir / f"{copy.external_key}.pdf").read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Individuell plan for Emma" in text and "Koordinator Kari Lunde" in text
    assert "friminuttet" in text and "Ansvarsgruppe" in text


def test_the_logs_readers_are_told_without_content_when_it_becomes_an_individual_plan(cast, log):
    Notification.objects.all().delete()
    make_ip(cast, log, own_goals=OWN_GOALS)
    told = Notification.objects.filter(kind=Kind.BECAME_INDIVIDUAL_PLAN)
    assert {n.recipient_id for n in told} == {cast.nina.id, cast.silje.id}
    assert {n.path for n in told} == {f"/logg/{log.code}/"}


def test_only_the_holder_may_turn_the_log_into_an_individual_plan(cast, log):
    with pytest.raises(PermissionDenied):
        actions.make_individual_plan(actor=cast.nina, log=log, guardians_consented_on=timezone.localdate())
    with pytest.raises(PermissionDenied):
        actions.make_individual_plan(actor=cast.silje, log=log, guardians_consented_on=timezone.localdate())
    with pytest.raises(Http404):
        actions.make_individual_plan(actor=cast.outsider, log=log, guardians_consented_on=timezone.localdate())
    assert access.POLICY[access.Target.LOG][Action.MAKE_INDIVIDUAL_PLAN] == frozenset({access.Relation.HOLDER})
    log.refresh_from_db()
    assert log.kind == LogKind.RELAY_LOG


def test_an_individual_plan_needs_the_guardians_written_consent(cast, log, client):
    client.force_login(cast.kari)
    url = reverse("logs:make_individual_plan", args=[log.code])
    response = client.post(url, {"consented_on": timezone.localdate().isoformat()})
    assert response.status_code == 400 and "samtykket skriftlig" in response.content.decode()
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(ValidationError, match="fram i tid"):
        make_ip(cast, log, on=tomorrow)
    log.refresh_from_db()
    assert log.kind == LogKind.RELAY_LOG and not ArchiveCopy.objects.filter(event=ArchiveEvent.INDIVIDUAL_PLAN)


def test_the_database_refuses_an_individual_plan_without_its_date_and_consent(cast, log):
    with pytest.raises(IntegrityError), transaction.atomic():
        RelayLog.objects.filter(pk=log.pk).update(kind=LogKind.INDIVIDUAL_PLAN)


def test_a_log_becomes_an_individual_plan_once_and_only_while_active(cast, log):
    make_ip(cast, log)
    with pytest.raises(ValidationError, match="allerede en individuell plan"):
        make_ip(cast, log)
    other = RelayLog.objects.get(pk=log.pk)
    RelayLog.objects.filter(pk=log.pk).update(kind=LogKind.RELAY_LOG, became_ip_on=None, ip_consent_on=None)
    actions.close_log(actor=cast.kari, log=other, reason=CloseReason.GOALS_MET)
    other.refresh_from_db()
    with pytest.raises(ValidationError, match="ikke aktiv"):
        make_ip(cast, other)


# --- The plan's own parts ------------------------------------------------------------------


def test_coordinator_writes_own_goals_and_decisions_and_each_is_audited(cast, log, client):
    make_ip(cast, log)
    client.force_login(cast.kari)
    response = client.post(reverse("logs:own_goals", args=[log.code]), {"text": OWN_GOALS})
    assert response.status_code == 302
    response = client.post(
        reverse("logs:add_decision", args=[log.code]),
        {"text": "Vedtak om spesialpedagogisk hjelp, 4 timer i uka", "decided_on": "2026-09-01"},
    )
    assert response.status_code == 302
    log.refresh_from_db()
    assert log.own_goals == OWN_GOALS
    decision = PlanDecision.objects.get(log=log)
    assert decision.decided_on == date(2026, 9, 1) and decision.recorded_by_name == "Kari Lunde"
    assert AuditEvent.objects.filter(action="ip.own_goals_updated", scope_code=log.code).count() == 1
    assert AuditEvent.objects.get(action="ip.decision_added").object_code == str(decision.code)
    assert "spesialpedagogisk hjelp" in page(client, cast.silje, log)


def test_coordinator_duties_are_shown_to_the_coordinator(cast, log, client):
    make_ip(cast, log)
    assert COORDINATOR_DUTIES[0] in page(client, cast.kari, log)
    assert COORDINATOR_DUTIES[0] not in page(client, cast.nina, log)


def test_own_goals_and_decisions_belong_to_an_individual_plan_only(cast, log):
    with pytest.raises(ValidationError, match="ikke en individuell plan"):
        actions.update_own_goals(actor=cast.kari, log=log, text=OWN_GOALS)
    with pytest.raises(ValidationError, match="ikke en individuell plan"):
        actions.add_plan_decision(actor=cast.kari, log=log, text="Vedtak", decided_on=timezone.localdate())


def test_only_the_coordinator_writes_the_plans_own_parts(cast, log):
    make_ip(cast, log)
    with pytest.raises(PermissionDenied):
        actions.update_own_goals(actor=cast.nina, log=log, text="Nei")
    with pytest.raises(PermissionDenied):
        actions.add_plan_decision(actor=cast.silje, log=log, text="Nei", decided_on=timezone.localdate())


def test_deleting_the_content_removes_own_goals_and_decisions(cast, log):
    make_ip(cast, log, own_goals=OWN_GOALS)
    actions.add_plan_decision(actor=cast.kari, log=log, text="Vedtak", decided_on=timezone.localdate())
    actions.delete_content(actor=cast.kari, log=log)
    log.refresh_from_db()
    assert log.own_goals == "" and not PlanDecision.objects.filter(log=log).exists()


# --- The views -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["make_individual_plan", "own_goals", "add_decision"])
def test_individual_plan_pages_refuse_outsiders_readers_and_wrong_methods(cast, log, client, name):
    url = reverse(f"logs:{name}", args=[log.code])
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404
    client.force_login(cast.nina)
    assert client.post(url, {}).status_code == 403
    client.force_login(cast.kari)
    assert client.put(url).status_code == 405


def test_holder_is_offered_the_change_and_a_participant_is_not(cast, log, client):
    url = reverse("logs:make_individual_plan", args=[log.code])
    link = f'href="{url}"'
    assert link in page(client, cast.kari, log)
    assert link not in page(client, cast.nina, log)
    client.force_login(cast.kari)
    response = client.post(url, {"guardians_consented": "on", "consented_on": timezone.localdate().isoformat()})
    assert response.status_code == 302 and response.url.endswith("#individuell-plan")
    assert link not in page(client, cast.kari, log)


# --- Statistics ----------------------------------------------------------------------------


def _ip_logs(cast, count, on):
    for n in range(count):
        child = Person.objects.create(given_name="Barn", family_name=f"Testesen{n}")
        RelayLog.objects.create(
            subject=child,
            unit=cast.kindergarten,
            holder=cast.kari,
            kind=LogKind.INDIVIDUAL_PLAN,
            became_ip_on=on,
            ip_consent_on=on,
        )


def test_statistics_count_logs_turned_into_an_individual_plan_apart_and_hide_small_counts(cast):
    year = date.today().year - 1
    period = Period(date(year, 1, 1), date(year, 12, 31))
    _ip_logs(cast, 3, date(year, 5, 2))
    table = statistics(cast.fjordvik, period).individual_plans
    assert next(r for r in table.rows if r.label == "Barnehage").cells[0].text == "under 5"
    _ip_logs(cast, 3, date(year, 6, 2))
    _ip_logs(cast, 4, date(year + 1, 1, 2))  # after the period
    table = statistics(cast.fjordvik, period).individual_plans
    assert next(r for r in table.rows if r.label == "Barnehage").cells[0].text == "6"
    assert table.totals[0].text == "6"
