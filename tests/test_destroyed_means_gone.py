"""Issue 13 §6: a destroyed level-0 note leaves no text behind in the SQLite files — not in the
database pages (secure_delete) and not in the write-ahead log (checkpoint after the commit),
even while another connection is open. Runs the real app on a file database in a subprocess."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

MARKER = "MARKØR-UNDRING-7Q4Z9"

SCRIPT = f"""
import django, sqlite3
django.setup()
from django.conf import settings
from django.core.management import call_command
call_command("migrate", verbosity=0)
from stafett.people.models import Membership, Municipality, Person, Role, ServiceType, Unit
from stafett.undring import actions
from stafett.undring.models import ConcernNote, Outcome

m = Municipality.objects.create(name="Fjordvik kommune", number="9901")
unit = Unit.objects.create(municipality=m, name="Solsikken barnehage", service_type=ServiceType.BARNEHAGE)
kari = Person.objects.create(given_name="Kari", family_name="Lunde", email="kari@example.com")
Membership.objects.create(person=kari, unit=unit, role=Role.EMPLOYEE)
note = actions.create_note(actor=kari, unit=unit, reflection=actions.Reflection(about="{MARKER}", why="{MARKER} " * 40))
other = sqlite3.connect(settings.DATABASES["default"]["NAME"])  # another connection stays open
other.execute("PRAGMA user_version").fetchall()
actions.close_note(actor=kari, note=ConcernNote.objects.get(pk=note.pk), outcome=Outcome.NO_CONCERN)
import json
import pathlib
folder = pathlib.Path(settings.DATABASES["default"]["NAME"]).parent
# Read the files while both connections are still open (closing the last one would checkpoint anyway).
files = [p for p in folder.iterdir() if p.name.startswith("stafett.sqlite3")]
found = {{p.name: p.read_bytes().count("{MARKER}".encode()) for p in files}}
print(json.dumps(found))
"""


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite files; PostgreSQL is vacuumed by the daily job")
def test_a_destroyed_note_leaves_no_bytes_in_the_database_files(tmp_path):
    env = {
        **os.environ,
        "STAFETT_DEBUG": "true",
        "STAFETT_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "stafett.settings",
    }
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        env=env,
        cwd=Path(__file__).parent.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert "stafett.sqlite3" in found, found
    assert sum(found.values()) == 0, found
