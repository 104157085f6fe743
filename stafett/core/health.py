"""The health checks behind /helse/ and /helse/full/ (core/views.py).

/helse/ is for the load balancer: the database answers, nothing else — it must stay cheap.
/helse/full/ is for monitoring: every part the installation needs, each a small JSON object
with `ok`; the page is 503 when any of them is not. Counts and times only — no names, codes or
addresses. Thresholds are settings (STAFETT_HEALTH_*, README «Drift»).

The worker proves it is alive by writing a heartbeat to the cache every minute
(core/tasks.py `worker_heartbeat`): the cache is shared by every app server and worker (Redis in
production), so any app server can tell whether some worker is consuming the queue.
"""

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Min
from django.utils import timezone

from stafett.archive.models import ArchiveCopy, DeliveryStatus
from stafett.core.models import DailyRun
from stafett.notify.models import Notification, Status

log = logging.getLogger(__name__)
HEARTBEAT_KEY = "stafett:health:worker-heartbeat"
AUDIT_CHAIN_KEY = "stafett:health:audit-chain"
CACHE_PROBE_KEY = "stafett:health:probe"
LAST_DAY = timedelta(hours=24)
# The daily job runs each morning; a run more than this long ago means a morning was missed.
DAILY_JOB_STALE_AFTER = timedelta(hours=26)

Check = dict[str, object]


def database_answers() -> float:
    """Milliseconds for `SELECT 1`; raises if the database does not answer."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return round((time.perf_counter() - started) * 1000, 1)


def record_heartbeat(now: datetime | None = None) -> None:
    """Called by the worker every minute."""
    cache.set(HEARTBEAT_KEY, (now or timezone.now()).isoformat(), timeout=None)


def record_audit_verdict(*, ok: bool, count: int, now: datetime | None = None) -> None:
    """Called by the daily audit-chain check: walking the chain is far too slow for a health
    check, so the page shows the last daily verdict. A cache that is down must not stop the daily
    job: the cache check on the page shows it."""
    verdict = {"ok": ok, "count": count, "checked_at": (now or timezone.now()).isoformat()}
    try:
        cache.set(AUDIT_CHAIN_KEY, verdict, timeout=None)
    except Exception:  # noqa: BLE001 - see above
        log.warning("Could not record the audit chain's verdict for the health check", exc_info=True)


def _age_seconds(then: datetime | None, now: datetime) -> int | None:
    return None if then is None else int((now - then).total_seconds())


def check_database(now: datetime) -> Check:
    return {"ok": True, "ms": database_answers()}


def check_cache(now: datetime) -> Check:
    value = now.isoformat()
    cache.set(CACHE_PROBE_KEY, value, timeout=60)
    return {"ok": cache.get(CACHE_PROBE_KEY) == value}


def check_queue(now: datetime) -> Check:
    """The queue's store answers (huey: SQLite file or Redis), and a worker has run its
    heartbeat task within STAFETT_HEALTH_WORKER_MINUTES."""
    from huey.contrib.djhuey import HUEY

    waiting = HUEY.pending_count()
    raw = cache.get(HEARTBEAT_KEY)
    beat = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    age = _age_seconds(beat, now)
    limit = settings.HEALTH_WORKER_MINUTES * 60
    return {
        "ok": age is not None and age <= limit,
        "tasks_waiting": waiting,
        "worker_heartbeat_at": beat.isoformat() if beat else None,
        "worker_heartbeat_age_seconds": age,
        "worker_heartbeat_limit_seconds": limit,
    }


def check_outbox(now: datetime) -> Check:
    """Notifications waiting to be sent: a pending one older than STAFETT_HEALTH_OUTBOX_MINUTES
    means delivery is stuck (the retries of one notification take about half an hour)."""
    pending = Notification.objects.filter(status=Status.PENDING)
    oldest = pending.aggregate(oldest=Min("created_at"))["oldest"]
    age = _age_seconds(oldest, now)
    limit = settings.HEALTH_OUTBOX_MINUTES * 60
    return {
        "ok": age is None or age <= limit,
        "pending": pending.count(),
        "oldest_pending_age_seconds": age,
        "oldest_pending_limit_seconds": limit,
    }


def check_notifications(now: datetime) -> Check:
    """Failed notifications in the last 24 hours: told, not a fault of the installation (one
    person's wrong number fails too) — the `ok` stays true; monitoring may alert on the count."""
    failed = Notification.objects.filter(status=Status.FAILED, created_at__gte=now - LAST_DAY).count()
    return {"ok": True, "failed_last_24h": failed}


def check_archive(now: datetime) -> Check:
    """Archive copies not archived (archive/health.py) and those that failed in the last 24 hours."""
    from stafett.archive.health import undelivered_summary

    found: Check = dict(undelivered_summary(now).as_dict())
    found["failed_last_24h"] = ArchiveCopy.objects.filter(
        status=DeliveryStatus.FAILED, created_at__gte=now - LAST_DAY
    ).count()
    return found


def check_daily_job(now: datetime) -> Check:
    """The last day the daily job finished. An installation where it has never run is not
    failed (a new one before its first morning); one whose last run is over 26 hours old is."""
    last = DailyRun.objects.order_by("-finished_at").first()
    if last is None:
        return {"ok": True, "last_day": None, "finished_at": None, "age_seconds": None}
    age = _age_seconds(last.finished_at, now)
    return {
        "ok": age is not None and age <= DAILY_JOB_STALE_AFTER.total_seconds(),
        "last_day": last.day.isoformat(),
        "finished_at": last.finished_at.isoformat(),
        "age_seconds": age,
    }


def check_audit_chain(now: datetime) -> Check:
    """The daily job's last walk of the audit chain (core/audit_check.py); none yet: unknown, ok."""
    verdict = cache.get(AUDIT_CHAIN_KEY)
    if not isinstance(verdict, dict):
        return {"ok": True, "checked_at": None, "rows": None}
    return {"ok": bool(verdict.get("ok")), "checked_at": verdict.get("checked_at"), "rows": verdict.get("count")}


CHECKS: dict[str, Callable[[datetime], Check]] = {
    "database": check_database,
    "cache": check_cache,
    "queue": check_queue,
    "outbox": check_outbox,
    "notifications": check_notifications,
    "archive": check_archive,
    "daily_job": check_daily_job,
    "audit_chain": check_audit_chain,
}


def full_report(now: datetime | None = None) -> tuple[bool, dict[str, Check]]:
    """Every check; one that raises is reported as not ok with the error's class (no message:
    it could carry a connection string)."""
    now = now or timezone.now()
    report: dict[str, Check] = {}
    for name, check in CHECKS.items():
        try:
            report[name] = check(now)
        except Exception as e:  # noqa: BLE001 - a broken part is what this page reports
            report[name] = {"ok": False, "error": type(e).__name__}
    return all(bool(found["ok"]) for found in report.values()), report
