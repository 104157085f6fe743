"""Issue 13 §9: backups that restore. The demo is seeded into a real database — a SQLite file, or
a scratch PostgreSQL database — in a subprocess running the real app; it is backed up with
`manage.py backup`, changed (rows deleted and edited, audit rows added, files added and removed),
restored with `manage.py restore`, and then every table's row count, the audit chain and the
files must be what they were when the backup was taken."""

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from stafett.core.backup import MANIFEST, BackupError, check_migrations, read_manifest
from tests.test_audit_chain import readme_grants

ROOT = Path(__file__).resolve().parent.parent

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite files; the PostgreSQL run has its own round trip below"
)
# These read a backup folder made by the SQLite fixture and never touch the test database: once is enough.
backup_folder_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="reads the SQLite run's backup folder")
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs DATABASE_URL on PostgreSQL")

# Measured by the test itself, not by stafett/core/backup.py: raw counts and the chain's own walk.
MEASURE = """
import django, json, pathlib
django.setup()
from django.conf import settings
from django.core.files.storage import storages
from django.core.management import call_command
from django.db import connection, transaction
from stafett.audit.chain import verify


def measure():
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    verdict = verify()
    folders = [pathlib.Path(storages["default"].location), pathlib.Path(settings.ARCHIVE_DIR)]
    files = sorted(str(p.relative_to(f.parent)) for f in folders for p in f.rglob("*") if p.is_file())
    return {"counts": counts, "audit": [verdict.ok, verdict.count, verdict.last_hash], "files": files}
"""

# Back up, change everything a restore must undo, restore, measure at each step.
ROUND_TRIP = (
    MEASURE
    + """
import sys
from django.core.files.base import ContentFile
from stafett.audit.models import AuditAction
from stafett.audit.record import record
from stafett.notify.models import Notification
from stafett.people.models import Person

parent = pathlib.Path(sys.argv[1])
before = measure()
call_command("backup", str(parent), verbosity=0)
(folder,) = parent.iterdir()
first = Person.objects.order_by("id").first()
Person.objects.filter(pk=first.pk).update(given_name="Endret")
Notification.objects.all().delete()
with transaction.atomic():
    for _ in range(3):
        record(actor=None, action=AuditAction.LOG_VIEWED, obj=first)
storages["default"].save("etterpå/ny.txt", ContentFile(b"lagt til etter kopien"))
for archived in list(pathlib.Path(settings.ARCHIVE_DIR).iterdir())[:2]:
    archived.unlink()
prepare = sys.argv[2] if len(sys.argv) > 2 else ""
if prepare:
    with connection.cursor() as cursor:
        cursor.execute(prepare)
changed = measure()
call_command("restore", str(folder), "--yes")
after = measure()
name = Person.objects.get(pk=first.pk).given_name
print(json.dumps({"before": before, "changed": changed, "after": after, "name": name, "folder": str(folder)}))
"""
)

SEED = """
import django
django.setup()
from django.core.management import call_command
from stafett.core.demo_data import seed_demo
call_command("migrate", verbosity=0)
seed_demo()
"""


def app_env(var_dir: Path, database_url: str | None = None) -> dict[str, str]:
    env = {
        **os.environ,
        "STAFETT_DEBUG": "true",
        "STAFETT_DEMO": "true",
        "STAFETT_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "stafett.settings",
    }
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def run(env: dict[str, str], *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=180, check=False
    )
    if check:
        assert result.returncode == 0, result.stderr[-3000:]
    return result


def last_json(result: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(result.stdout.strip().splitlines()[-1])


def assert_restored(found: dict[str, Any]) -> None:
    before, changed, after = found["before"], found["changed"], found["after"]
    assert changed["counts"] != before["counts"] and changed["audit"] != before["audit"]  # the change showed
    assert changed["files"] != before["files"]
    assert after["counts"] == before["counts"]  # every table, as it was
    assert after["audit"] == before["audit"] and after["audit"][0] is True  # the same whole chain
    assert after["files"] == before["files"]
    assert found["name"] != "Endret"
    manifest = json.loads((Path(found["folder"]) / MANIFEST).read_text())
    assert manifest["row_counts"] == before["counts"]
    assert [manifest["audit"]["ok"], manifest["audit"]["count"], manifest["audit"]["last_hash"]] == before["audit"]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A var folder with the demo seeded into SQLite, and one backup of it (made once per module)."""
    var = tmp_path_factory.mktemp("seeded") / "var"
    env = app_env(var)
    run(env, "-c", SEED)
    backups = var.parent / "kopier"
    run(env, "manage.py", "backup", str(backups))
    (folder,) = backups.iterdir()
    return var, folder


@sqlite_only
def test_a_restored_sqlite_backup_has_every_row_the_audit_chain_and_the_files_of_the_backup(seeded, tmp_path):
    var = tmp_path / "var"
    shutil.copytree(seeded[0], var)
    found = last_json(run(app_env(var), "-c", ROUND_TRIP, str(tmp_path / "kopier")))
    assert_restored(found)
    leftovers = [p.name for p in var.iterdir() if p.name.startswith(".")]
    assert leftovers == []  # no staged copy or old folder left behind


@sqlite_only
def test_restore_refuses_while_another_process_has_the_database_open(seeded, tmp_path):
    var = tmp_path / "var"
    shutil.copytree(seeded[0], var)
    database = var / "stafett.sqlite3"
    env = app_env(var)
    other = sqlite3.connect(database)  # this test's process: another process than the restore's
    try:
        other.execute("SELECT COUNT(*) FROM people_person").fetchall()
        untouched = database.read_bytes()
        refused = run(env, "manage.py", "restore", str(seeded[1]), "--yes", check=False)
        assert refused.returncode != 0
        assert "En annen prosess har databasen åpen" in refused.stderr
        assert database.read_bytes() == untouched
    finally:
        other.close()
    restored = run(env, "manage.py", "restore", str(seeded[1]), "--yes")
    assert "Ferdig: alle" in restored.stdout


@sqlite_only
def test_a_backup_taken_while_another_process_writes_is_one_consistent_moment(seeded, tmp_path):
    var = tmp_path / "var"
    shutil.copytree(seeded[0], var)
    writer = sqlite3.connect(var / "stafett.sqlite3", isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    try:
        committed = writer.execute("SELECT COUNT(*) FROM notify_notification").fetchone()[0]
        assert committed > 0
        writer.execute("BEGIN IMMEDIATE")  # the app in the middle of a write, holding the write lock
        writer.execute("DELETE FROM notify_notification")
        run(app_env(var), "manage.py", "backup", str(tmp_path / "kopier"))  # does not wait for the writer
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    (folder,) = (tmp_path / "kopier").iterdir()
    manifest = read_manifest(folder)
    copy = sqlite3.connect(folder / "database.sqlite3")
    try:
        in_copy = copy.execute("SELECT COUNT(*) FROM notify_notification").fetchone()[0]
        audit_rows = copy.execute("SELECT COUNT(*) FROM audit_auditevent").fetchone()[0]
    finally:
        copy.close()
    assert in_copy == committed == manifest["row_counts"]["notify_notification"]  # the uncommitted delete is not in it
    assert audit_rows == manifest["audit"]["count"] and manifest["audit"]["ok"]


@sqlite_only
def test_restore_asks_first_and_changes_nothing_without_a_yes(seeded, tmp_path):
    var = tmp_path / "var"
    shutil.copytree(seeded[0], var)
    database = var / "stafett.sqlite3"
    untouched = database.read_bytes()
    result = subprocess.run(
        [sys.executable, "manage.py", "restore", str(seeded[1])],
        env=app_env(var),
        cwd=ROOT,
        input="nei\n",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0 and "Skriv «ja»" in result.stdout
    assert "ingenting er endret" in result.stderr
    assert database.read_bytes() == untouched


@backup_folder_only
def test_a_backup_made_by_newer_code_is_refused(seeded):
    manifest = read_manifest(seeded[1])
    assert check_migrations(manifest) == []  # made by this code: nothing to say
    manifest["migrations"]["audit"] = "0099_from_the_future"
    with pytest.raises(BackupError, match=r"nyere versjon.*audit\.0099_from_the_future"):
        check_migrations(manifest)


@backup_folder_only
def test_a_backup_whose_migrations_are_older_says_to_migrate(seeded):
    manifest = read_manifest(seeded[1])
    manifest["migrations"]["audit"] = "0002_append_only"
    (note,) = check_migrations(manifest)
    assert "audit" in note and "migrate" in note


@backup_folder_only
def test_a_changed_backup_file_is_refused(seeded, tmp_path):
    folder = tmp_path / "kopi"
    shutil.copytree(seeded[1], folder)
    data = bytearray((folder / "database.sqlite3").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (folder / "database.sqlite3").write_bytes(bytes(data))
    with pytest.raises(BackupError, match="endret eller skadet: database.sqlite3"):
        read_manifest(folder)


@backup_folder_only
def test_the_backup_says_the_field_key_is_not_in_it_and_holds_no_key(seeded):
    manifest = read_manifest(seeded[1])
    assert any("IKKE med" in line and "STAFETT_FIELD_KEY" in line for line in manifest["not_included"])
    key = (seeded[0] / "field.key").read_text()
    secrets = [line.strip() for line in key.splitlines() if line.strip() and not line.startswith("#")]
    for path in seeded[1].iterdir():
        content = path.read_bytes()
        assert not any(secret.encode() in content for secret in secrets), path.name


@postgres_only
def test_a_restored_postgres_backup_has_every_row_the_audit_chain_and_the_two_roles(tmp_path):
    settings = connection.settings_dict
    host, port, user = settings["HOST"] or "127.0.0.1", str(settings["PORT"] or 5432), settings["USER"] or "postgres"
    name, role = f"backup_rt_{os.getpid()}", f"backup_rt_app_{os.getpid()}"
    pg = {**os.environ, "PGHOST": host, "PGPORT": port, "PGUSER": user}
    if settings.get("PASSWORD"):
        pg["PGPASSWORD"] = settings["PASSWORD"]

    def psql(sql: str, database: str = "postgres") -> str:
        done = subprocess.run(
            ["psql", "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-d", database, "-c", sql],
            env=pg,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    psql(f'DROP ROLE IF EXISTS "{role}"')
    psql(f'CREATE DATABASE "{name}"')
    psql(f'CREATE ROLE "{role}" NOLOGIN')
    try:
        password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
        env = app_env(tmp_path / "var", f"postgres://{user}{password}@{host}:{port}/{name}")
        run(env, "-c", SEED)
        for statement in readme_grants(role):  # the two-role setup of README «Revisjonslogg»
            psql(statement, name)
        # After the backup, a table as a newer migration would make it: the restore drops it.
        found = last_json(run(env, "-c", ROUND_TRIP, str(tmp_path / "kopier"), "CREATE TABLE newer_table (id int)"))
        assert "newer_table" in found["changed"]["counts"]
        assert_restored(found)
        privileges = psql(
            f"SELECT has_table_privilege('{role}', 'audit_auditevent', 'INSERT'), "
            f"has_table_privilege('{role}', 'audit_auditevent', 'UPDATE'), "
            f"has_table_privilege('{role}', 'audit_auditevent', 'DELETE'), "
            f"has_table_privilege('{role}', 'audit_auditevent', 'TRUNCATE'), "
            f"has_table_privilege('{role}', 'people_person', 'UPDATE')",
            name,
        )
        assert privileges == "t|f|f|f|t"
        assert psql("SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_no_change'", name) == "1"
        refused = subprocess.run(
            ["psql", "-X", "-d", name, "-c", "UPDATE audit_auditevent SET actor_name = 'x'"],
            env=pg,
            capture_output=True,
            text=True,
            check=False,
        )
        assert "append-only" in refused.stderr  # the trigger came back with the restore
    finally:
        psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        psql(f'DROP ROLE IF EXISTS "{role}"')
