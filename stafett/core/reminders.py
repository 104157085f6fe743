"""The daily reminder job: everything due today about logs (stafett/logs/reminders.py) and
level-0 notes (stafett/undring/reminders.py), queued in one outbox batch. Each reminder is sent
once: its dedupe key names the thing and the occasion. A finished run is recorded
(core/models.py DailyRun): the next one knows what it may have missed (issue 14 §4)."""

from datetime import date

from stafett.core.models import DailyRun, last_successful_run
from stafett.logs.handover_reminders import remind_about_handovers
from stafett.logs.orphans import remind_about_orphans
from stafett.logs.reminders import remind_about_logs
from stafett.notify.models import Notification
from stafett.notify.outbox import batch
from stafett.undring.reminders import remind_about_notes


def run_reminders(today: date) -> int:
    """Queue every reminder due today; returns how many were queued (duplicates are skipped)."""
    before = Notification.objects.count()
    since = last_successful_run(today)
    with batch():
        remind_about_logs(today, since)
        remind_about_orphans(today)  # measures nobody is responsible for (issue 14 §2)
        remind_about_handovers(today)  # the holder and the leaders (issue 14 §5)
        remind_about_notes(today)
    DailyRun.objects.get_or_create(day=today)
    return Notification.objects.count() - before
