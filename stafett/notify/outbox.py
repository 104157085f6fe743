"""Writing notifications (inside the action's transaction) and delivering them (the worker)."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from stafett.notify import channels
from stafett.notify.models import Channel, Notification, Preferences, Status
from stafett.people.models import Person

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8, 16 minutes … between tries."""
    return timedelta(minutes=2 ** max(attempts - 1, 0))


def preferences(person: Person) -> Preferences:
    return Preferences.objects.filter(person=person).first() or Preferences(person=person)


def queue(*, recipient: Person, kind: str, path: str, dedupe_key: str | None = None) -> list[Notification]:
    """Queue one notification per channel the person has chosen and can be reached on.
    Call inside the action's transaction: nothing is sent if the action rolls back."""
    prefs = preferences(recipient)
    targets = []
    if prefs.by_email and recipient.email:
        targets.append((Channel.EMAIL, recipient.email))
    if prefs.by_sms and recipient.phone:
        targets.append((Channel.SMS, recipient.phone))
    if not targets and recipient.phone:
        targets.append((Channel.SMS, recipient.phone))  # the only way to reach them
    made = []
    now = timezone.now()
    for channel, address in targets:
        notification = Notification(
            recipient=recipient,
            address=address,
            channel=channel,
            kind=kind,
            path=path,
            dedupe_key=dedupe_key,
            next_attempt_at=now,
        )
        if dedupe_key and Notification.objects.filter(dedupe_key=dedupe_key, channel=channel).exists():
            continue
        try:
            with transaction.atomic():
                notification.save()
        except IntegrityError:  # the same reminder, queued by a parallel run
            continue
        made.append(notification)
    if made:
        _wake_worker_soon()
    return made


_batched: ContextVar[list[int] | None] = ContextVar("stafett_outbox_batch", default=None)


@contextmanager
def batch() -> Iterator[None]:
    """For bulk jobs (the daily reminders): wake the worker once at the end, not per row."""
    made: list[int] = []
    token = _batched.set(made)
    try:
        yield
    finally:
        _batched.reset(token)
        if made:
            _wake_worker_after_commit()


def already_queued(keys: list[str]) -> set[str]:
    """Which of these dedupe keys have been queued before (in a few queries)."""
    found: set[str] = set()
    for i in range(0, len(keys), 500):
        rows = Notification.objects.filter(dedupe_key__in=keys[i : i + 500]).values_list("dedupe_key", flat=True)
        found.update(key for key in rows if key)
    return found


def _wake_worker_soon() -> None:
    batched = _batched.get()
    if batched is not None:
        batched.append(1)
        return
    _wake_worker_after_commit()


def _wake_worker_after_commit() -> None:
    """Once per transaction, however many notifications it writes."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(entry[1] is _wake_worker for entry in connection.run_on_commit):
        return
    transaction.on_commit(_wake_worker)


def _wake_worker() -> None:
    """Ask the worker to deliver now rather than at its next minute; if the queue is down,
    the periodic run delivers instead — the row is already committed."""
    from stafett.notify.tasks import deliver_now

    try:
        deliver_now()
    except Exception:  # noqa: BLE001 - the user's action has succeeded; delivery will follow
        log.warning("Could not wake the worker; the periodic run will deliver", exc_info=True)


def deliver_due(now: datetime | None = None, *, limit: int = 500) -> int:
    """Send what is due; safe to run from several workers at once. Returns how many were sent."""
    now = now or timezone.now()
    due = list(
        Notification.objects.filter(status=Status.PENDING, next_attempt_at__lte=now)
        .select_related("recipient")
        .order_by("next_attempt_at", "id")[:limit]
    )
    sent = 0
    for n in due:
        # Claim it: only one worker wins the conditional UPDATE (like healthchecks' sendalerts).
        claimed = Notification.objects.filter(pk=n.pk, status=Status.PENDING, attempts=n.attempts).update(
            attempts=F("attempts") + 1, next_attempt_at=now + backoff(n.attempts + 1)
        )
        if not claimed:
            continue
        try:
            if n.channel == Channel.EMAIL:
                name = n.recipient.given_name if n.recipient else ""
                channels.send_email(to=n.address, name=name, kind=n.kind, path=n.path)
            else:
                channels.send_sms(to=n.address, kind=n.kind, path=n.path)
        except Exception as e:  # noqa: BLE001 - any failure is retried with backoff, then reported
            log.warning("Notification %s failed: %s", n.code, e)
            failed = n.attempts + 1 >= MAX_ATTEMPTS
            Notification.objects.filter(pk=n.pk).update(
                status=Status.FAILED if failed else Status.PENDING, last_error=str(e)[:300]
            )
            continue
        Notification.objects.filter(pk=n.pk).update(status=Status.SENT, sent_at=timezone.now(), last_error="")
        sent += 1
    return sent


def pending_count() -> int:
    return Notification.objects.filter(Q(status=Status.PENDING)).count()
