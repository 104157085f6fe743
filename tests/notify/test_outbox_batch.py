"""The daily job's bulk path (notify/outbox.py `batch`): inside a batch `queue` only collects, and
the rows are written with the recipients' preferences read once and one bulk insert that skips
what was queued before — the same rows the one-by-one path writes, in a fixed number of queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from stafett.notify.models import Channel, Kind, Notification, Preferences
from stafett.notify.outbox import batch, queue


def queue_many(people, keys):
    for key in keys:
        for person in people:
            queue(recipient=person, kind=Kind.DEADLINE_SOON, path="/logg/x/", dedupe_key=f"{key}:{person.id}")


def test_a_batch_writes_in_chunks_not_a_query_per_reminder(cast):
    people = [cast.kari, cast.silje, cast.nina]
    with CaptureQueriesContext(connection) as few, batch():
        queue_many(people, ["a"])
    with CaptureQueriesContext(connection) as many, batch():
        queue_many(people, [f"b{i}" for i in range(40)])
    assert Notification.objects.count() == 3 * 41
    # One preferences query and one insert for 3 rows; for 120 rows still one preferences query,
    # and the insert split only where the database limits a statement (SQLite: 999 parameters,
    # some 60 rows) — a handful of statements, never one per reminder.
    assert len(few) == 2
    inserts = [q for q in many.captured_queries if q["sql"].startswith("INSERT")]
    assert len(many) == 1 + len(inserts)
    assert len(inserts) < 120 / 20


def test_a_batch_skips_reminders_queued_before_or_twice_in_it(cast):
    queue(recipient=cast.kari, kind=Kind.DEADLINE_SOON, path="/logg/x/", dedupe_key="frist:x:før")
    with batch():
        queue(recipient=cast.kari, kind=Kind.DEADLINE_SOON, path="/logg/x/", dedupe_key="frist:x:før")
        queue(recipient=cast.kari, kind=Kind.DEADLINE_PASSED, path="/logg/x/", dedupe_key="frist:x:etter")
        queue(recipient=cast.kari, kind=Kind.DEADLINE_PASSED, path="/logg/x/", dedupe_key="frist:x:etter")
    assert sorted(Notification.objects.values_list("dedupe_key", flat=True)) == ["frist:x:etter", "frist:x:før"]


def test_a_batch_follows_each_persons_channels_like_one_by_one(cast):
    cast.kari.phone = "+4791234567"
    cast.kari.save()
    Preferences.objects.create(person=cast.kari, by_email=True, by_sms=True)
    with batch():
        queue(recipient=cast.kari, kind=Kind.DEADLINE_SOON, path="/logg/x/", dedupe_key="k")
        queue(recipient=cast.silje, kind=Kind.DEADLINE_SOON, path="/logg/x/", dedupe_key="s")
    rows = {(n.recipient_id, n.channel, n.address) for n in Notification.objects.all()}
    assert rows == {
        (cast.kari.id, Channel.EMAIL, cast.kari.email),
        (cast.kari.id, Channel.SMS, "+4791234567"),
        (cast.silje.id, Channel.EMAIL, cast.silje.email),
    }
