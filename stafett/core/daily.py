"""The daily job: yearly archive copies, reminders, and delivering what is due. Run by the worker
each morning (stafett/core/tasks.py) or by `manage.py run_daily` from cron."""

from dataclasses import dataclass
from datetime import date

from stafett.archive.copies import deliver_pending
from stafett.archive.receipts import check_receipts
from stafett.archive.yearly import archive_yearly
from stafett.core.audit_check import check_audit_chain
from stafett.core.bulk_reads import report_bulk_reads
from stafett.core.reminders import run_reminders
from stafett.lib.erase import vacuum_destroyed_tables


@dataclass(frozen=True)
class DailyResult:
    archive_copies_made: int
    archive_copies_delivered: int
    reminders_queued: int

    def __str__(self) -> str:
        return (
            f"{self.archive_copies_made} årlige arkivkopier laget, {self.archive_copies_delivered} arkivkopier levert, "
            f"{self.reminders_queued} påminnelser lagt i utboksen."
        )


def run_daily(today: date) -> DailyResult:
    check_audit_chain()  # first: a broken audit chain is told even if a later job fails
    made = archive_yearly(today)
    check_receipts()
    delivered = deliver_pending()
    reminders = run_reminders(today)
    report_bulk_reads()  # also hourly in the worker; here for installations that run only cron
    vacuum_destroyed_tables()  # PostgreSQL: dead copies of destroyed text go (lib/erase.py)
    return DailyResult(made, delivered, reminders)
