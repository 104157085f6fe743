"""/helse/ for the load balancer and /helse/full/ for monitoring (core/health.py): each cause of
a 503, the token rule, and that the worker's heartbeat and the daily audit check feed the page."""

import uuid
from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone

from stafett.archive.models import ArchiveCopy, ArchiveEvent, DeliveryStatus
from stafett.core import health
from stafett.core.models import DailyRun
from stafett.notify.models import Channel, Kind, Notification, Status

TOKEN = "overvaking-" + "k" * 32
AUTH = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def monitored(settings):
    """A token set and a worker that beat just now: the healthy starting point."""
    settings.HEALTH_TOKEN = TOKEN
    health.record_heartbeat()


def full(client, **headers):
    return client.get("/helse/full/", **(headers or AUTH))


def notification(*, status: str, age: timedelta) -> Notification:
    made = Notification.objects.create(
        address="ola@example.no",
        channel=Channel.EMAIL,
        kind=Kind.DEADLINE_SOON,
        path="/",
        status=status,
        next_attempt_at=timezone.now(),
    )
    Notification.objects.filter(pk=made.pk).update(created_at=timezone.now() - age)
    return made


def archive_copy(*, status: str) -> ArchiveCopy:
    return ArchiveCopy.objects.create(
        log_code=uuid.uuid4(),
        event=ArchiveEvent.CLOSED,
        title="Stafettlogg",
        subject_name="Syntetisk Barn",
        unit_name="Testskolen",
        html_snapshot="<p>logg</p>",
        external_key=f"test:{uuid.uuid4()}",
        status=status,
    )


# --- /helse/ -------------------------------------------------------------------------------


def test_load_balancer_check_is_ok_when_the_database_answers(client):
    response = client.get("/helse/")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_load_balancer_check_is_503_when_the_database_does_not_answer(client):
    with mock.patch("stafett.core.views.database_answers", side_effect=OperationalError("nede")):
        response = client.get("/helse/")
    assert response.status_code == 503


# --- the token -----------------------------------------------------------------------------


def test_full_check_does_not_exist_without_a_configured_token(client, settings):
    settings.HEALTH_TOKEN = ""
    assert full(client).status_code == 404


@pytest.mark.parametrize(
    "header",
    [None, "Bearer feil-token", f"Basic {TOKEN}", TOKEN, f"Bearer {TOKEN}x"],
    ids=["missing", "wrong", "wrong-scheme", "no-scheme", "longer"],
)
def test_full_check_refuses_without_the_right_bearer_token(client, monitored, header):
    response = client.get("/helse/full/", **({"HTTP_AUTHORIZATION": header} if header else {}))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert "checks" not in response.json()


def test_full_check_is_200_when_every_part_is_ok(client, monitored):
    response = full(client)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["checks"]) == set(health.CHECKS)
    assert all(check["ok"] for check in body["checks"].values())
    assert response["Cache-Control"] == "no-store"


# --- each cause of a 503 -------------------------------------------------------------------


def test_a_worker_without_a_recent_heartbeat_is_dead(client, monitored, settings):
    settings.HEALTH_WORKER_MINUTES = 10
    health.record_heartbeat(timezone.now() - timedelta(minutes=11))
    response = full(client)
    assert response.status_code == 503
    queue = response.json()["checks"]["queue"]
    assert queue["ok"] is False
    assert queue["worker_heartbeat_age_seconds"] >= 11 * 60


def test_a_heartbeat_within_the_limit_is_alive(client, monitored, settings):
    settings.HEALTH_WORKER_MINUTES = 10
    health.record_heartbeat(timezone.now() - timedelta(minutes=9))
    assert full(client).json()["checks"]["queue"]["ok"] is True


def test_a_worker_that_never_beat_is_dead(client, monitored):
    from django.core.cache import cache

    cache.delete(health.HEARTBEAT_KEY)
    response = full(client)
    assert response.status_code == 503
    assert response.json()["checks"]["queue"]["worker_heartbeat_at"] is None


def test_the_worker_task_writes_the_heartbeat(client, monitored):
    from django.core.cache import cache

    from stafett.core.tasks import worker_heartbeat

    cache.delete(health.HEARTBEAT_KEY)
    worker_heartbeat.call_local()
    assert full(client).json()["checks"]["queue"]["worker_heartbeat_age_seconds"] <= 5


def test_a_queue_store_that_does_not_answer_is_reported(client, monitored):
    with mock.patch("huey.contrib.djhuey.HUEY.pending_count", side_effect=ConnectionError("redis nede")):
        response = full(client)
    assert response.status_code == 503
    assert response.json()["checks"]["queue"] == {"ok": False, "error": "ConnectionError"}


def test_an_old_pending_notification_means_delivery_is_stuck(client, monitored, settings):
    settings.HEALTH_OUTBOX_MINUTES = 60
    notification(status=Status.PENDING, age=timedelta(minutes=5))
    notification(status=Status.PENDING, age=timedelta(minutes=61))
    response = full(client)
    assert response.status_code == 503
    outbox = response.json()["checks"]["outbox"]
    assert outbox["ok"] is False
    assert outbox["pending"] == 2
    assert outbox["oldest_pending_age_seconds"] >= 61 * 60


def test_recent_pending_notifications_are_normal(client, monitored):
    notification(status=Status.PENDING, age=timedelta(minutes=5))
    notification(status=Status.SENT, age=timedelta(days=3))
    response = full(client)
    assert response.status_code == 200
    assert response.json()["checks"]["outbox"]["pending"] == 1


def test_failed_notifications_of_the_last_day_are_counted_but_do_not_fail_the_check(client, monitored):
    notification(status=Status.FAILED, age=timedelta(hours=2))
    notification(status=Status.FAILED, age=timedelta(hours=25))
    response = full(client)
    assert response.status_code == 200
    assert response.json()["checks"]["notifications"] == {"ok": True, "failed_last_24h": 1}


def test_a_failed_archive_delivery_fails_the_check(client, monitored):
    archive_copy(status=DeliveryStatus.FAILED)
    archive_copy(status=DeliveryStatus.DELIVERED)
    response = full(client)
    assert response.status_code == 503
    archive = response.json()["checks"]["archive"]
    assert archive["ok"] is False
    assert archive["failed"] == 1
    assert archive["failed_last_24h"] == 1


def test_a_daily_job_that_missed_a_morning_fails_the_check(client, monitored):
    run = DailyRun.objects.create(day=timezone.localdate() - timedelta(days=2))
    DailyRun.objects.filter(pk=run.pk).update(finished_at=timezone.now() - timedelta(hours=27))
    response = full(client)
    assert response.status_code == 503
    assert response.json()["checks"]["daily_job"]["last_day"] == run.day.isoformat()


def test_a_daily_job_that_ran_this_morning_is_ok(client, monitored):
    DailyRun.objects.create(day=timezone.localdate())
    daily = full(client).json()["checks"]["daily_job"]
    assert daily["ok"] is True
    assert daily["last_day"] == timezone.localdate().isoformat()


def test_a_broken_audit_chain_fails_the_check(client, monitored):
    health.record_audit_verdict(ok=False, count=41)
    response = full(client)
    assert response.status_code == 503
    assert response.json()["checks"]["audit_chain"]["ok"] is False


def test_the_daily_audit_check_records_its_verdict_for_the_page(client, monitored):
    from stafett.core.audit_check import check_audit_chain

    verdict = check_audit_chain()
    audit = full(client).json()["checks"]["audit_chain"]
    assert audit["ok"] is verdict.ok is True
    assert audit["rows"] == verdict.count


def test_a_cache_that_does_not_answer_fails_the_check(client, monitored):
    with mock.patch("stafett.core.health.cache.get", side_effect=ConnectionError("redis nede")):
        response = full(client)
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == {"ok": False, "error": "ConnectionError"}


def test_a_failing_check_reports_the_error_class_not_its_message(client, monitored):
    secret = "postgres://stafett:hemmelig@db/stafett"
    with mock.patch("stafett.core.health.database_answers", side_effect=OperationalError(secret)):
        response = full(client)
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False, "error": "OperationalError"}
    assert "hemmelig" not in response.content.decode()
