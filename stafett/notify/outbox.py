"""Writing notifications (inside the action's transaction) and delivering them (the worker)."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q
from django.utils import timezone, translation

from stafett.notify import channels
from stafett.notify.models import Channel, Notification, Preferences, Status, Unreachable
from stafett.people.language import language_for
from stafett.people.models import Person

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 6


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, 8, 16 minutes … between tries."""
    return timedelta(minutes=2 ** max(attempts - 1, 0))


def preferences(person: Person) -> Preferences:
    return Preferences.objects.filter(person=person).first() or Preferences(person=person)


def targets(person: Person, prefs: Preferences) -> list[tuple[str, str]]:
    """The channels and addresses a notification to the person goes to."""
    found: list[tuple[str, str]] = []
    if prefs.by_email and person.email:
        found.append((Channel.EMAIL, person.email))
    if prefs.by_sms and person.phone:
        found.append((Channel.SMS, person.phone))
    if not found and person.phone:
        found.append((Channel.SMS, person.phone))  # the only way to reach them
    return found


def unreachable(people: list[Person]) -> dict[int, Unreachable]:
    """Who of these cannot be reached, and why (issue 14 §1): no address at all, or every
    address they would be told on last ended in failure (MAX_ATTEMPTS tries) with nothing
    delivered there since. A few queries, whatever the number of people."""
    if not people:
        return {}
    prefs = {p.person_id: p for p in Preferences.objects.filter(person__in=[p.id for p in people])}
    addresses = {p.id: [a for _, a in targets(p, prefs.get(p.id) or Preferences(person=p))] for p in people}
    wanted = sorted({a for found in addresses.values() for a in found})
    last: dict[str, dict[str, int]] = {Status.SENT: {}, Status.FAILED: {}}
    for i in range(0, len(wanted), 500):
        rows = (
            Notification.objects.filter(address__in=wanted[i : i + 500], status__in=[Status.SENT, Status.FAILED])
            .values("address", "status")
            .annotate(last=Max("id"))
        )
        for row in rows:
            last[row["status"]][row["address"]] = row["last"]
    found: dict[int, Unreachable] = {}
    for person_id, own in addresses.items():
        if not own:
            found[person_id] = Unreachable.NO_CHANNEL
        elif all(last[Status.FAILED].get(a, 0) > last[Status.SENT].get(a, 0) for a in own):
            found[person_id] = Unreachable.CHANNEL_FAILED
    return found


def queue(
    *,
    recipient: Person,
    kind: str,
    path: str,
    dedupe_key: str | None = None,
    stands_in_for: Person | None = None,
    whose: str = "",
    why: str = "",
) -> list[Notification]:
    """Queue one notification per channel the person has chosen and can be reached on.
    Call inside the action's transaction: nothing is sent if the action rolls back.
    `stands_in_for`, `whose` and `why`: the person is told in someone else's place.
    Inside `batch()` the rows are written in bulk when the batch ends and nothing is returned."""
    pending = _batched.get()
    if pending is not None:
        pending.append(_Request(recipient, kind, path, dedupe_key, stands_in_for, whose, why))
        if len(pending) >= FLUSH_EVERY:
            _flush(pending)
        return []
    made = []
    now = timezone.now()
    for channel, address in targets(recipient, preferences(recipient)):
        notification = Notification(
            recipient=recipient,
            address=address,
            channel=channel,
            kind=kind,
            path=path,
            dedupe_key=dedupe_key,
            stands_in_for=stands_in_for,
            whose=whose,
            unreachable=why,
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
        _wake_worker_after_commit()
    return made


@dataclass(frozen=True)
class _Request:
    """One `queue` call inside a batch, written when the batch is flushed."""

    recipient: Person
    kind: str
    path: str
    dedupe_key: str | None
    stands_in_for: Person | None
    whose: str
    why: str


FLUSH_EVERY = 2000  # requests held in memory before they are written
_batched: ContextVar[list[_Request] | None] = ContextVar("stafett_outbox_batch", default=None)


@contextmanager
def batch() -> Iterator[None]:
    """For bulk jobs (the daily reminders): `queue` only collects; the rows are written in bulk —
    the recipients' preferences in one query a chunk, then one `bulk_create(ignore_conflicts=True)`
    on the dedupe key (the `notification_once` constraint skips what an earlier or a parallel run
    queued) — and the worker is woken once at the end, not per row."""
    pending: list[_Request] = []
    token = _batched.set(pending)
    try:
        yield
    finally:
        _batched.reset(token)
        written = _flush(pending)
        if written:
            _wake_worker_after_commit()


def _flush(pending: list[_Request]) -> bool:
    """Write the collected requests (and empty the list); True if there was anything to write."""
    if not pending:
        return False
    requests, pending[:] = list(pending), []
    person_ids = list({r.recipient.id for r in requests})
    prefs: dict[int, Preferences] = {}
    for i in range(0, len(person_ids), 500):
        prefs.update((p.person_id, p) for p in Preferences.objects.filter(person__in=person_ids[i : i + 500]))
    now = timezone.now()
    rows = [
        Notification(
            recipient=r.recipient,
            address=address,
            channel=channel,
            kind=r.kind,
            path=r.path,
            dedupe_key=r.dedupe_key,
            stands_in_for=r.stands_in_for,
            whose=r.whose,
            unreachable=r.why,
            next_attempt_at=now,
        )
        for r in requests
        for channel, address in targets(r.recipient, prefs.get(r.recipient.id) or Preferences(person=r.recipient))
    ]
    Notification.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return bool(rows)


def already_queued(keys: list[str]) -> set[str]:
    """Which of these dedupe keys have been queued before (in a few queries)."""
    found: set[str] = set()
    for i in range(0, len(keys), 500):
        rows = Notification.objects.filter(dedupe_key__in=keys[i : i + 500]).values_list("dedupe_key", flat=True)
        found.update(key for key in rows if key)
    return found


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


def _send(n: Notification) -> None:
    """One delivery attempt, in the recipient's language (issue 10)."""
    with translation.override(language_for(n.recipient)):
        if n.channel == Channel.EMAIL:
            name = n.recipient.given_name if n.recipient else ""
            channels.send_email(
                to=n.address, name=name, kind=n.kind, path=n.path, whose=n.whose, unreachable=n.unreachable
            )
        else:
            channels.send_sms(
                to=n.address,
                kind=n.kind,
                path=n.path,
                whose=n.whose,
                unreachable=n.unreachable,
                secret=n.secret or "",
            )


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
            _send(n)
        except Exception as e:  # noqa: BLE001 - any failure is retried with backoff, then reported
            log.warning("Notification %s failed: %s", n.code, e)
            failed = n.attempts + 1 >= MAX_ATTEMPTS
            Notification.objects.filter(pk=n.pk).update(
                status=Status.FAILED if failed else Status.PENDING,
                last_error=str(e)[:300],
                **({"secret": None} if failed else {}),
            )
            continue
        # A one-time code is not kept once it has gone (issue 15 §7).
        Notification.objects.filter(pk=n.pk).update(
            status=Status.SENT, sent_at=timezone.now(), last_error="", secret=None
        )
        sent += 1
    return sent


def pending_count() -> int:
    return Notification.objects.filter(Q(status=Status.PENDING)).count()


def queue_secret_sms(*, recipient: Person, address: str, kind: str, path: str, secret: str) -> Notification:
    """One SMS to an address checked in person (not the person's own preferences), carrying a
    one-time secret (issue 15 §7). Inside the action's transaction, like `queue`."""
    notification = Notification.objects.create(
        recipient=recipient,
        address=address,
        channel=Channel.SMS,
        kind=kind,
        path=path,
        secret=secret,
        next_attempt_at=timezone.now(),
    )
    _wake_worker_after_commit()
    return notification
