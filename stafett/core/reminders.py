"""The daily reminder job: everything due today about logs (stafett/logs/reminders.py) and
level-0 notes (stafett/undring/reminders.py), queued in one outbox batch. Each reminder is sent
once: its dedupe key names the thing and the occasion."""

from datetime import date

from stafett.logs.reminders import remind_about_logs
from stafett.notify.models import Notification
from stafett.notify.outbox import batch
from stafett.undring.reminders import remind_about_notes


def run_reminders(today: date) -> int:
    """Queue every reminder due today; returns how many were queued (duplicates are skipped)."""
    before = Notification.objects.count()
    with batch():
        remind_about_logs(today)
        remind_about_notes(today)
    return Notification.objects.count() - before
