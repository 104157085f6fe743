"""Issue 13 §4: a raw dump of the demo database holds none of the demo's national ID numbers —
`sqlite3 .dump` (and the database files' bytes) on SQLite, `pg_dump` on PostgreSQL — and an
archive copy keeps the number only, encrypted, until the archive has it."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from stafett.archive.copies import deliver_pending
from stafett.archive.models import ArchiveCopy
from stafett.core.demo_data import seed_demo
from stafett.people.models import Person

ROOT = Path(__file__).resolve().parent.parent

SEED = """
import json, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from stafett.core.demo_data import seed_demo
from stafett.people.models import Person
seed_demo()
print(json.dumps([p.national_id for p in Person.objects.exclude(national_id=None)]))
"""


def assert_none_of(numbers: list[str], text: str) -> None:
    assert len(numbers) >= 20  # the demo's children and guardians, all with a number
    found = [n for n in numbers if n in text]
    assert not found, f"{len(found)} national ID numbers in plain text, e.g. {found[0][:6]} *****"


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite file; PostgreSQL is dumped with pg_dump below")
@pytest.mark.skipif(shutil.which("sqlite3") is None, reason="needs the sqlite3 command-line tool")
def test_a_dump_of_the_demo_database_holds_no_national_id_number_on_sqlite(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("STAFETT_", "DJANGO_", "DATABASE_URL"))}
    env |= {
        "STAFETT_DEBUG": "true",
        "STAFETT_DEMO": "true",
        "STAFETT_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "stafett.settings",
    }
    seeded = subprocess.run(
        [sys.executable, "-c", SEED], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert seeded.returncode == 0, seeded.stderr[-3000:]
    numbers = json.loads(seeded.stdout.strip().splitlines()[-1])
    database = tmp_path / "stafett.sqlite3"
    dump = subprocess.run(["sqlite3", str(database), ".dump"], capture_output=True, text=True, timeout=120)
    assert dump.returncode == 0 and "people_person" in dump.stdout, dump.stderr
    assert_none_of(numbers, dump.stdout)
    # What `strings` found in the issue: not in the file's bytes either, nor the write-ahead log's.
    files = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("stafett.sqlite3"))
    assert_none_of(numbers, files.decode("latin-1"))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump; SQLite is dumped with sqlite3 above")
@pytest.mark.django_db(transaction=True)
def test_a_dump_of_the_demo_database_holds_no_national_id_number_on_postgresql(tmp_path, settings):
    pg_dump = shutil.which("pg_dump")
    assert pg_dump, "pg_dump is needed for the PostgreSQL run"
    settings.ARCHIVE_DIR = tmp_path / "arkiv"
    seed_demo()
    numbers = [p.national_id for p in Person.objects.exclude(national_id=None)]
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    args = [pg_dump, "--no-owner", "--data-only", "-d", db["NAME"]]
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if db.get(key):
            args += [flag, str(db[key])]
    dump = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert dump.returncode == 0 and "people_person" in dump.stdout, dump.stderr
    assert_none_of(numbers, dump.stdout)


def test_an_archive_copy_keeps_the_number_encrypted_until_delivered_then_drops_it(cast, settings, tmp_path):
    settings.ARCHIVE_DIR = tmp_path / "arkiv"
    copy = ArchiveCopy.objects.create(
        log_code=cast.emma.code,
        event="avsluttet",
        title="Stafettlogg",
        subject_name=cast.emma.full_name,
        subject_national_id=cast.emma.national_id,
        unit_name="Solsikken barnehage",
        html_snapshot="<html><body><p>Stafettlogg</p></body></html>",
        external_key="stafett-test-2",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT subject_national_id FROM archive_archivecopy WHERE id = %s", [copy.pk])
        (stored,) = cursor.fetchone()
    assert stored.startswith("v1.") and cast.emma.national_id not in stored
    assert ArchiveCopy.objects.get().subject_national_id == cast.emma.national_id  # what delivery reads

    assert deliver_pending() == 1
    metadata = json.loads((tmp_path / "arkiv" / "stafett-test-2.json").read_text(encoding="utf-8"))
    assert metadata["person"]["fodselsnummer"] == cast.emma.national_id  # the archive files it by the number
    assert ArchiveCopy.objects.get().subject_national_id == ""  # and Stafett no longer keeps it
