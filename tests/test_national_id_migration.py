"""Issue 13 §4: the data migration seals the numbers already stored, fills the blind index and
drops the plain column; archive copies already delivered lose the number, waiting ones keep it
encrypted (people 0007, archive 0003)."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from stafett.core.demo_data import synthetic_national_id
from stafett.people.models import Person

BEFORE = [("people", "0006_archive_after_meeting"), ("archive", "0002_archive_after_meeting")]
CHILD = synthetic_national_id(date(2019, 5, 30))
GUARDIAN = synthetic_national_id(date(1990, 6, 2))


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def migrate_to_latest():
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.fixture
def back_to_latest_afterwards(transactional_db):
    yield
    migrate_to_latest()  # whatever happened, later tests get today's schema


def test_the_migration_seals_stored_numbers_and_drops_the_plain_column(back_to_latest_afterwards):
    old = migrate(BEFORE)
    OldPerson, OldCopy = old.get_model("people", "Person"), old.get_model("archive", "ArchiveCopy")
    child = OldPerson.objects.create(given_name="Sara", family_name="Olsen", national_id=CHILD, password="!")
    OldPerson.objects.create(given_name="Marte", family_name="Olsen", national_id=GUARDIAN, password="!")
    OldPerson.objects.create(given_name="Kari", family_name="Lunde", national_id=None, password="!")
    common = {
        "log_code": child.code,
        "event": "avsluttet",
        "title": "t",
        "subject_name": "Sara Olsen",
        "unit_name": "u",
    }
    OldCopy.objects.create(**common, subject_national_id=CHILD, external_key="waiting", status="venter")
    OldCopy.objects.create(**common, subject_national_id=CHILD, external_key="delivered", status="levert")

    migrate_to_latest()

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM people_person")
        people = repr(cursor.fetchall())
        cursor.execute("SELECT external_key, subject_national_id FROM archive_archivecopy ORDER BY external_key")
        copies = dict(cursor.fetchall())
    assert CHILD not in people and GUARDIAN not in people
    assert copies["delivered"] == "" and copies["waiting"].startswith("v1.")
    assert Person.objects.by_national_id(CHILD).get().given_name == "Sara"
    assert Person.objects.by_national_id(GUARDIAN).get().national_id == GUARDIAN
    assert Person.objects.get(given_name="Kari").national_id is None
    from stafett.archive.models import ArchiveCopy

    assert ArchiveCopy.objects.get(external_key="waiting").subject_national_id == CHILD


def test_the_migration_can_be_reversed_to_plain_numbers(back_to_latest_afterwards):
    Person.objects.create(given_name="Sara", family_name="Olsen", national_id=CHILD, password="!")
    old = migrate(BEFORE)
    assert old.get_model("people", "Person").objects.get().national_id == CHILD
    migrate_to_latest()
    assert Person.objects.by_national_id(CHILD).get().given_name == "Sara"
