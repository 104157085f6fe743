"""The hash chain that makes the audit trail tamper-evident (issue 13 §3).

Every row carries `seq` (its place in the chain, 1, 2, 3 … per installation), `prev_hash` (the
previous row's hash, GENESIS for the first) and `hash`: hex SHA-256 over a canonical
serialisation of the row's content together with `seq` and `prev_hash`. Editing a row behind
the app's back changes its content hash; deleting one leaves a gap in `seq` and a `prev_hash`
that points at nothing; re-hashing an edited row breaks the next row's link. `verify()` walks
the chain and names the first row where any of that shows.

The chain is a line, so rows are sealed one writer at a time: on PostgreSQL `seal()` takes a
transaction-level advisory lock, held until the writing transaction commits (several app
servers may write at once); on SQLite the write lock (transactions are BEGIN IMMEDIATE, see
settings.py) already serialises writers. The unique `seq` is the safety net: a second writer
that somehow read the same head fails with an IntegrityError instead of forking the chain.

What the chain cannot show on its own: someone with the owner's credentials may rewrite every
row from the edit onwards, or cut rows off the end. The daily check therefore logs the head
(count and last hash); compared with an earlier log line, a rewrite or a cut shows.

The canonical form is frozen: changing `canonical()` breaks every stored hash. A new form needs
a new version tag and a migration that re-seals.
"""

import hashlib
import json
import socket
import uuid
from collections.abc import Generator, Iterable, Sequence
from contextlib import closing, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models.functions import Cast
from django.utils import timezone, translation
from django.utils.functional import Promise

if TYPE_CHECKING:
    from stafett.audit.models import AuditEvent

VERSION = "stafett-audit-v1"
GENESIS = "0" * 64
# pg_advisory_xact_lock key: b"STAFETTA" as a signed 64-bit integer. Nothing else uses it.
LOCK_KEY = int.from_bytes(b"STAFETTA", "big", signed=True)
# The hashed content, in this order (see canonical()). id is not content: the order is seq.
CONTENT_FIELDS = (
    "at",
    "actor_code",
    "actor_name",
    "action",
    "object_type",
    "object_code",
    "scope_code",
    "ip",
    "details",
    "event_id",
)
CHUNK = 5000
# json.dumps(…, sort_keys=True, separators=(",", ":")) without building an encoder per row.
_encode = json.JSONEncoder(sort_keys=True, separators=(",", ":")).encode


def _uuid(value: Any) -> str | None:
    return None if value is None else str(value)


def _ip(value: str | None) -> str | None:
    """The address as bytes in hex, so the database's and Python's spelling of an IPv6 address
    (PostgreSQL's inet prints its own way; Python's changed in 3.13) never matter. An empty
    address is stored as NULL."""
    if not value:
        return None
    try:
        return socket.inet_pton(socket.AF_INET6 if ":" in value else socket.AF_INET, value).hex()
    except OSError:  # not an address (SQLite stores what it is given): hashed as written
        return value


def canonical(
    seq: int,
    prev_hash: str,
    at: datetime,
    actor_code: uuid.UUID | None,
    actor_name: str,
    action: str,
    object_type: str,
    object_code: str,
    scope_code: uuid.UUID | None,
    ip: str | None,
    details: Any,
    event_id: uuid.UUID,
) -> bytes:
    """One row as the bytes that are hashed: a JSON array, keys sorted (details too), no spaces,
    ASCII only. Values are as the database gives them back (see normalise())."""
    return _encode(
        [
            VERSION,
            seq,
            prev_hash,
            at.astimezone(UTC).isoformat(timespec="microseconds"),
            _uuid(actor_code),
            actor_name,
            action,
            object_type,
            object_code,
            _uuid(scope_code),
            _ip(ip),
            details,
            str(event_id),
        ]
    ).encode("ascii")


def digest(seq: int, prev_hash: str, *content: Any) -> str:
    """Hex SHA-256 of canonical(); `content` is the CONTENT_FIELDS values in order."""
    return hashlib.sha256(canonical(seq, prev_hash, *content)).hexdigest()


def normalise(event: "AuditEvent") -> None:
    """Give an unsaved row the values it will have when read back, so the hash made now is the
    hash the verification makes later: '1' not 1, UUID not str, an aware time, plain JSON."""
    meta = type(event)._meta
    for name in ("actor_code", "actor_name", "action", "object_type", "object_code", "scope_code", "ip", "event_id"):
        field = meta.get_field(name)
        assert isinstance(field, models.Field)
        setattr(event, field.attname, field.to_python(getattr(event, field.attname)))
    if not event.ip:
        event.ip = None
    at = event.at or timezone.now()
    event.at = timezone.make_aware(at) if timezone.is_naive(at) else at  # as Django would store it
    # Through JSON and back: tuples become lists, int keys strings, str enums plain strings.
    event.details = json.loads(json.dumps(event.details if event.details is not None else {}, default=_in_bokmal))


def _in_bokmal(value: Any) -> str:
    """A translatable label (a TextChoices label, gettext_lazy) is written as its bokmål source:
    the audit trail reads the same whatever language the actor's page was in (issue 10)."""
    if isinstance(value, Promise):
        with translation.override(None):
            return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def seal(events: Sequence["AuditEvent"], *, using: str) -> None:
    """Give new rows their place in the chain, in order. Call inside the transaction that inserts
    them (AuditEvent.save and bulk_create do): the lock must last until they are committed."""
    from stafett.audit.models import AuditEvent

    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("seal() must run inside the transaction that inserts the rows.")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
    head = AuditEvent.objects.using(using).order_by("-seq").values_list("seq", "hash").first()
    seq, prev = head if head is not None else (0, GENESIS)
    for event in events:
        normalise(event)
        seq += 1
        event.seq, event.prev_hash = seq, prev
        event.hash = prev = digest(seq, prev, *(getattr(event, name) for name in CONTENT_FIELDS))


# --- verification ------------------------------------------------------------------------

CONTENT_CHANGED = "innholdet er endret"
LINK_BROKEN = "lenken er brutt"
ROW_MISSING = "rad mangler"


@dataclass(frozen=True)
class Verdict:
    """What verify() found: `count` rows checked (up to the break), the head's hash, and for a
    broken chain the id of the first row that does not hold, why (one of the three reasons
    above) and an explanation."""

    count: int
    last_hash: str
    broken_id: int | None = None
    reason: str = ""
    explanation: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_id is None

    def __str__(self) -> str:
        if self.ok:
            return f"OK: revisjonsloggen er hel, {self.count} rader (siste hash {self.last_hash})."
        return f"BRUDD ved id {self.broken_id}: {self.reason}. {self.explanation}"


def _rows(using: str) -> Generator[tuple[Any, ...], None, None]:
    from stafett.audit.models import AuditEvent

    fields: tuple[str, ...] = ("id", "seq", "prev_hash", "hash", *CONTENT_FIELDS)
    rows = AuditEvent.objects.using(using).order_by("id")
    if connections[using].vendor == "postgresql":
        # uuid::text is exactly str(UUID); it spares building three UUID objects a row (a fifth of the walk).
        uuids = ("actor_code", "scope_code", "event_id")
        rows = rows.annotate(**{f"{name}_text": Cast(name, output_field=models.CharField()) for name in uuids})
        fields = tuple(f"{name}_text" if name in uuids else name for name in fields)
    yield from rows.values_list(*fields).iterator(chunk_size=CHUNK)


def check(rows: Iterable[tuple[Any, ...]]) -> Verdict:
    """Walk rows of (id, seq, prev_hash, hash, *CONTENT_FIELDS) in id order."""
    count, expected, prev = 0, 1, GENESIS
    for row in rows:
        row_id, seq, prev_hash, stored, *content = row
        if stored != digest(seq, prev_hash, *content):
            return Verdict(
                count,
                prev,
                row_id,
                CONTENT_CHANGED,
                f"Raden (nr. {seq} i kjeden) har ikke lenger innholdet den ble skrevet med.",
            )
        if seq > expected and prev_hash != prev:
            missing = f"nr. {expected}" if seq == expected + 1 else f"nr. {expected}–{seq - 1}"
            return Verdict(
                count, prev, row_id, ROW_MISSING, f"Rad {missing} i kjeden er borte; denne raden er nr. {seq}."
            )
        if seq != expected or prev_hash != prev:
            return Verdict(
                count,
                prev,
                row_id,
                LINK_BROKEN,
                f"Raden (nr. {seq}, ventet nr. {expected}) peker ikke på raden før: "
                "den raden er endret og har fått ny hash, eller denne er satt inn utenom kjeden.",
            )
        count, expected, prev = count + 1, seq + 1, stored
    return Verdict(count, prev)


def verify(using: str = DEFAULT_DB_ALIAS) -> Verdict:
    """Walk the whole chain, streamed (one query, rows fetched in chunks)."""
    # PostgreSQL streams through a server-side cursor, which needs a transaction (outside one,
    # Django declares it WITH HOLD and the server materialises all rows first). Not on SQLite:
    # its transactions take the write lock (BEGIN IMMEDIATE); one SELECT reads a stable snapshot.
    in_transaction = transaction.atomic(using=using) if connections[using].vendor == "postgresql" else nullcontext()
    with in_transaction, closing(_rows(using)) as rows:  # a break stops the walk: close the cursor now
        return check(rows)
