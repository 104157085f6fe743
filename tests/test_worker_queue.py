"""The worker's queue works on both paths: SQLite (make run, no server) and Redis (production).
A task is put on the queue and executed the way the consumer does, against the test database."""

import os
import socket

import pytest
from django.core import mail
from huey import RedisHuey, SqliteHuey

from stafett.notify.models import Kind, Notification, Status
from stafett.notify.outbox import deliver_due, queue

REDIS = ("127.0.0.1", 6379)


def redis_reachable() -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(REDIS) == 0


def sqlite_huey(tmp_path):
    return SqliteHuey("stafett-test", filename=str(tmp_path / "huey.sqlite3"))


def redis_huey(tmp_path):
    if not redis_reachable():
        if os.environ.get("CI") == "true":
            pytest.fail("Redis is not reachable on 127.0.0.1:6379 (CI must test the production queue)")
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    huey = RedisHuey(f"stafett-test-{tmp_path.name}", url=f"redis://{REDIS[0]}:{REDIS[1]}/15")
    huey.flush()
    return huey


@pytest.mark.parametrize("make_huey", [sqlite_huey, redis_huey], ids=["sqlite", "redis"])
def test_worker_queue_delivers_what_the_outbox_holds(make_huey, tmp_path, cast):
    huey = make_huey(tmp_path)
    deliver = huey.task()(deliver_due)
    (notification,) = queue(recipient=cast.kari, kind=Kind.NEW_MESSAGE, path="/")

    deliver()  # what the on-commit wake-up does
    assert huey.pending_count() == 1
    huey.execute(huey.dequeue())  # what the consumer does

    notification.refresh_from_db()
    assert notification.status == Status.SENT
    assert [m.to for m in mail.outbox] == [[cast.kari.email]]
    assert Notification.objects.filter(status=Status.PENDING).count() == 0
    huey.flush()
