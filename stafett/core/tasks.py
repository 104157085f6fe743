"""The worker's schedule (huey, `manage.py run_huey`): retries every minute and the daily job.
The outbox and archive tables are the truth; these tasks only decide when to look at them."""

import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from stafett.archive.copies import deliver_pending
from stafett.archive.receipts import check_receipts
from stafett.core.bulk_reads import report_bulk_reads
from stafett.core.daily import run_daily
from stafett.core.health import record_heartbeat
from stafett.notify.outbox import deliver_due

log = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="*"))
@lock_task("stafett-deliver")
def deliver_every_minute() -> None:
    """Retries (with backoff) and anything a crashed worker left behind."""
    deliver_due()
    check_receipts()  # Fiks Arkiv: receipts in, overdue copies back in the queue
    deliver_pending()


@db_periodic_task(crontab(minute="*"))
def worker_heartbeat() -> None:
    """/helse/full/ sees a live worker by this (core/health.py); its own task, so a slow
    delivery run does not look like a dead worker."""
    record_heartbeat()


@db_periodic_task(crontab(minute="5"))
@lock_task("stafett-bulk-reads")
def hourly() -> None:
    """Accounts that read many logs in the last hour are reported (core/bulk_reads.py)."""
    report_bulk_reads()


@db_periodic_task(crontab(hour="4", minute="15"))  # huey runs crontabs in UTC: early morning in Norway
@lock_task("stafett-daily")
def daily() -> None:
    result = run_daily(timezone.localdate())
    log.info("Daily job: %s", result)
