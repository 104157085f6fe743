"""The outbox's own task (huey): deliver soon after a commit that wrote notifications. The
schedule of periodic work is in stafett/core/tasks.py. The outbox table is the truth: tasks only
decide when to look at it, so a lost task or a dead worker loses nothing."""

from huey.contrib.djhuey import db_task

from stafett.notify.outbox import deliver_due


@db_task()
def deliver_now() -> int:
    """Queued after a commit that wrote notifications, so they go out within seconds."""
    return deliver_due()
