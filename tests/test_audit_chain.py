"""The audit trail is a hash chain: a change made past the app and the triggers still shows
(issue 13 §3, stafett/audit/chain.py)."""

import importlib
import re
import threading
import uuid
from datetime import UTC, date, datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor

from stafett.audit import chain
from stafett.audit.models import AppendOnlyError, AuditAction, AuditEvent
from stafett.audit.record import record
from stafett.core.daily import run_daily
from stafett.notify.models import Kind, Notification
from stafett.people.models import GuardianKind
from tests.conftest import make_person

append_only = importlib.import_module("stafett.audit.migrations.0002_append_only")
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL only: roles, advisory locks and parallel writers"
)


def behind_the_apps_back(sql: str, params: list[object] | None = None) -> None:
    """What the owner's credentials can do: lift the append-only triggers, change rows, put them back."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER audit_no_change ON audit_auditevent")
            cursor.execute(sql, params or [])
            cursor.execute(append_only.POSTGRES_FORWARD[1])
        else:
            cursor.execute("DROP TRIGGER audit_no_update")
            cursor.execute("DROP TRIGGER audit_no_delete")
            cursor.execute(sql, params or [])
            for statement in append_only.SQLITE_FORWARD:
                cursor.execute(statement)


def assert_triggers_refuse_changes(event_id: int) -> None:
    for sql in ("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", "DELETE FROM audit_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event_id])


@pytest.fixture
def events(cast) -> list[AuditEvent]:
    return [
        record(actor=cast.trude, action=AuditAction.PERSON_REGISTERED, obj=cast.emma, details={"navn": "Emma"}),
        record(actor=cast.berit, action=AuditAction.STAFF_ADDED, obj=cast.kari, details={"rolle": "ansatt"}),
        record(actor=None, action=AuditAction.LOGIN, obj=cast.silje, details={"metode": "citizen"}),
        record(actor=cast.kari, action=AuditAction.LOG_VIEWED, obj=cast.kari, scope_code=uuid.uuid4()),
    ]


def verify_audit() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def broken(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> str:
    """Run verify_audit as from the shell: it must exit with 1; returns what it wrote."""
    monkeypatch.setattr(connections, "close_all", lambda: None)  # keep the test's transaction open
    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["manage.py", "verify_audit"])
    assert exit_.value.code == 1
    return capsys.readouterr().err


# --- the chain ---------------------------------------------------------------------------------


def test_each_row_links_to_the_one_before(events):
    rows = list(AuditEvent.objects.order_by("id"))
    assert [r.seq for r in rows] == [1, 2, 3, 4]
    assert rows[0].prev_hash == chain.GENESIS
    assert [r.prev_hash for r in rows[1:]] == [r.hash for r in rows[:-1]]
    for r in rows:
        content = (getattr(r, name) for name in chain.CONTENT_FIELDS)
        assert re.fullmatch("[0-9a-f]{64}", r.hash) and r.hash == chain.digest(r.seq, r.prev_hash, *content)


def test_the_canonical_form_is_frozen():
    # Changing canonical() breaks every stored hash: a new form needs a new version and a re-seal.
    at = datetime(2026, 12, 1, 9, 30, 15, 123456, tzinfo=UTC)
    content = (
        at,
        uuid.UUID("11111111-1111-4111-8111-111111111111"),
        "Trude Lie",
        "person.registered",
        "people.person",
        "22222222-2222-4222-8222-222222222222",
        None,
        "10.1.2.3",
        {"navn": "Emma", "felt": ["a", "b"]},
        uuid.UUID("33333333-3333-4333-8333-333333333333"),
    )
    assert chain.canonical(1, chain.GENESIS, *content) == (
        b'["stafett-audit-v1",1,"' + b"0" * 64 + b'","2026-12-01T09:30:15.123456+00:00",'
        b'"11111111-1111-4111-8111-111111111111","Trude Lie","person.registered","people.person",'
        b'"22222222-2222-4222-8222-222222222222",null,"0a010203",{"felt":["a","b"],"navn":"Emma"},'
        b'"33333333-3333-4333-8333-333333333333"]'
    )
    assert (
        chain.digest(1, chain.GENESIS, *content) == "bae6f6fe26194ddf3514652be2e370c00054011220e8845b594127611d184151"
    )


def test_the_hash_made_on_writing_is_the_hash_of_what_the_database_gives_back(cast):
    # An IPv6 address written long, details with a tuple, an int key, a str enum and non-ASCII.
    from stafett.audit.context import current_ip

    token = current_ip.set("2001:0DB8:0000:0000:0000:0000:0000:0001")
    try:
        record(
            actor=cast.trude,
            action=AuditAction.GUARDIAN_ADDED,
            obj=cast.emma,
            details={"foresatt": "Silje Hansen Ærø", "type": GuardianKind.PARENT, 7: ("a", 1.5, None)},
        )
    finally:
        current_ip.reset(token)
    AuditEvent.objects.create(actor_name="Kari", action="gammel.handling", object_type="x", object_code=1, ip="")
    verdict = chain.verify()
    assert verdict.ok and verdict.count == 2
    assert AuditEvent.objects.get(seq=1).details["7"] == ["a", 1.5, None]


def test_bulk_create_chains_in_list_order(cast):
    record(actor=cast.trude, action=AuditAction.LOGIN, obj=cast.trude)
    AuditEvent.objects.bulk_create(
        [
            AuditEvent(actor_name="Bench", action="login", object_type="people.person", object_code=str(i))
            for i in range(7)
        ],
        batch_size=3,
    )
    record(actor=cast.trude, action=AuditAction.LOGOUT, obj=cast.trude)
    assert list(AuditEvent.objects.order_by("id").values_list("seq", flat=True)) == list(range(1, 10))
    assert chain.verify().ok
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_create([AuditEvent(actor_name="x", action="x")], ignore_conflicts=True)


def test_a_second_row_at_the_same_place_in_the_chain_is_refused(events):
    # The safety net under the lock: the chain can never fork.
    fork = AuditEvent(actor_name="x", action="x", object_type="x", object_code="x")
    chain.normalise(fork)
    fork.seq, fork.prev_hash, fork.hash = 4, events[2].hash, "0" * 64
    with pytest.raises(DatabaseError), transaction.atomic():
        super(AuditEvent, fork).save()


# --- verify_audit ------------------------------------------------------------------------------


def test_verify_audit_says_ok_with_the_count(events):
    out = verify_audit()
    assert out.startswith("OK") and "4 rader" in out and AuditEvent.objects.get(seq=4).hash in out


def test_verify_audit_on_an_empty_trail_is_ok(db):
    assert verify_audit().startswith("OK: revisjonsloggen er hel, 0 rader")


def test_verify_audit_finds_a_row_edited_behind_the_apps_back(events, capsys, monkeypatch):
    target = events[1]
    behind_the_apps_back("UPDATE audit_auditevent SET actor_name = %s WHERE id = %s", ["Noen Andre", target.id])
    assert AuditEvent.objects.get(id=target.id).actor_name == "Noen Andre"
    assert_triggers_refuse_changes(target.id)  # the triggers are back and show nothing
    err = broken(capsys, monkeypatch)
    assert f"ved id {target.id}: {chain.CONTENT_CHANGED}" in err
    assert chain.verify().broken_id == target.id


def test_verify_audit_finds_a_change_in_the_details_alone(events):
    details = '{"rolle": "leder"}'
    behind_the_apps_back("UPDATE audit_auditevent SET details = %s WHERE id = %s", [details, events[1].id])
    with pytest.raises(CommandError, match=f"id {events[1].id}: {chain.CONTENT_CHANGED}") as error:
        verify_audit()
    assert error.value.returncode == 1


def test_verify_audit_finds_a_row_deleted_in_the_middle(events, capsys, monkeypatch):
    behind_the_apps_back("DELETE FROM audit_auditevent WHERE id = %s", [events[1].id])
    assert AuditEvent.objects.count() == 3
    err = broken(capsys, monkeypatch)
    # The first row that does not hold is the one after the gap.
    assert f"ved id {events[2].id}: {chain.ROW_MISSING}" in err and "nr. 2 i kjeden er borte" in err


def test_verify_audit_finds_the_first_row_deleted(events):
    behind_the_apps_back("DELETE FROM audit_auditevent WHERE id = %s", [events[0].id])
    verdict = chain.verify()
    assert (verdict.broken_id, verdict.reason) == (events[1].id, chain.ROW_MISSING)


def test_verify_audit_finds_an_edit_that_was_given_a_new_hash(events, capsys, monkeypatch):
    # Someone who knows the scheme edits a row and re-hashes it: the row holds, the next link does not.
    target = AuditEvent.objects.get(id=events[1].id)
    target.actor_name = "Noen Andre"
    new_hash = chain.digest(target.seq, target.prev_hash, *(getattr(target, n) for n in chain.CONTENT_FIELDS))
    behind_the_apps_back(
        "UPDATE audit_auditevent SET actor_name = %s, hash = %s WHERE id = %s", ["Noen Andre", new_hash, target.id]
    )
    err = broken(capsys, monkeypatch)
    assert f"ved id {events[2].id}: {chain.LINK_BROKEN}" in err


def test_a_row_slipped_in_behind_the_apps_back_is_found(events):
    last = AuditEvent.objects.get(seq=4)
    behind_the_apps_back(
        "INSERT INTO audit_auditevent (at, actor_name, action, object_type, object_code, details, event_id,"
        " seq, prev_hash, hash) SELECT at, 'x', 'login', 'x', 'x', '{}', %s, seq + 1, hash, %s"
        " FROM audit_auditevent WHERE id = %s",
        [uuid.uuid4().hex, "f" * 64, last.id],
    )
    verdict = chain.verify()
    assert verdict.reason == chain.CONTENT_CHANGED and verdict.count == 4


# --- the daily job -----------------------------------------------------------------------------


def test_daily_job_tells_every_system_administrator_about_a_broken_chain(events, cast):
    behind_the_apps_back("UPDATE audit_auditevent SET action = 'log.viewed' WHERE id = %s", [events[0].id])
    run_daily(date(2026, 12, 1))
    told = Notification.objects.filter(kind=Kind.AUDIT_BROKEN)
    assert {n.recipient for n in told} == {cast.trude, cast.ola_admin}  # both municipalities' admins
    assert {n.path for n in told} == {"/"}
    run_daily(date(2026, 12, 2))  # the same break is told once
    assert Notification.objects.filter(kind=Kind.AUDIT_BROKEN).count() == told.count()


def test_daily_job_is_quiet_when_the_chain_holds(events):
    run_daily(date(2026, 12, 1))
    assert not Notification.objects.filter(kind=Kind.AUDIT_BROKEN).exists()


def test_verification_streams_in_one_query(events, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # the walk, plus a savepoint on PostgreSQL
        assert chain.verify().count == 4


# --- the migration -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_migration_chains_the_rows_written_before_it():
    executor = MigrationExecutor(connection)
    executor.migrate([("audit", "0002_append_only")])
    old = executor.loader.project_state([("audit", "0002_append_only")]).apps.get_model("audit", "AuditEvent")
    for i in range(7):
        old.objects.create(
            actor_name=f"Person {i}", action="login", object_type="people.person", object_code=str(i), ip="10.0.0.1"
        )
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    verdict = chain.verify()
    assert verdict.ok and verdict.count == 7
    assert list(AuditEvent.objects.order_by("id").values_list("seq", flat=True)) == list(range(1, 8))
    assert_triggers_refuse_changes(AuditEvent.objects.get(seq=3).id)  # the backfill put them back


# --- PostgreSQL: parallel writers and the app's role -------------------------------------------


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_writers_keep_one_chain():
    person = make_person("Parallell", "Skriver")
    errors: list[BaseException] = []

    def write() -> None:
        try:
            for _ in range(15):
                with transaction.atomic():
                    record(actor=person, action=AuditAction.LOG_VIEWED, obj=person)
        except BaseException as e:  # noqa: BLE001 - reported by the test below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    verdict = chain.verify()
    assert verdict.ok and verdict.count == 60


def readme_grants(role: str) -> list[str]:
    """The GRANT and REVOKE statements of README «Revisjonslogg», for `role` instead of stafett_app."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("### Revisjonslogg", 1)[1]
    block = section.split("```sql", 1)[1].split("```", 1)[0]
    statements = [s.strip() for s in block.split(";")]
    statements = [re.sub(r"--[^\n]*\n", "", s).strip() for s in statements]
    grants = [s for s in statements if s.startswith(("GRANT", "REVOKE"))]
    assert any("REVOKE UPDATE, DELETE, TRUNCATE ON audit_auditevent" in s for s in grants)
    return [s.replace("stafett_app", role) for s in grants]


@postgres_only
def test_the_app_role_may_insert_audit_rows_but_not_change_them(cast):
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            pytest.skip("the test database user cannot create roles")
    role = f"stafett_app_test_{uuid.uuid4().hex[:8]}"  # created in the test's transaction, rolled back with it
    first = record(actor=cast.trude, action=AuditAction.PERSON_REGISTERED, obj=cast.emma)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        for statement in readme_grants(role):
            cursor.execute(statement)
        cursor.execute(f"SET ROLE {role}")
    try:
        second = record(actor=cast.trude, action=AuditAction.LOGIN, obj=cast.trude)  # INSERT works
        assert second.seq == first.seq + 1 and chain.verify().ok
        refused = [
            ("UPDATE audit_auditevent SET action = 'x' WHERE id = %s", [first.id]),
            ("DELETE FROM audit_auditevent WHERE id = %s", [first.id]),
            ("TRUNCATE audit_auditevent", []),
            ("DROP TRIGGER audit_no_change ON audit_auditevent", []),
            ("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_no_change", []),
            ("ALTER TABLE audit_auditevent DROP COLUMN hash", []),
        ]
        for sql, params in refused:
            with (
                pytest.raises(DatabaseError, match="permission denied|must be owner"),
                transaction.atomic(),
                connection.cursor() as cursor,
            ):
                cursor.execute(sql, params)
        with transaction.atomic(), connection.cursor() as cursor:  # the app's other tables stay writable
            cursor.execute("UPDATE people_person SET email = email WHERE id = %s", [cast.kari.id])
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
    assert AuditEvent.objects.count() == 2
