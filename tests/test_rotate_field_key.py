"""Issue 13 §4: `manage.py rotate_field_key` re-encrypts every value with the newest key and
rebuilds the blind index, all or nothing, with an audit row per encrypted column."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from stafett.archive.models import ArchiveCopy
from stafett.audit.models import AuditAction, AuditEvent
from stafett.lib import field_crypto
from stafett.people.models import Person

NEW_KEY = field_crypto.parse_keys("q3d6V3CBF3yK5y2b1k6wkvNQk3iOZ2a3sM3mC1Yh0oE=", source="test")[0]


def raw(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {column} IS NOT NULL AND {column} <> '' ORDER BY id")  # noqa: S608 - this file's constants
        return [row[0] for row in cursor.fetchall()]


def rotate() -> str:
    out = io.StringIO()
    call_command("rotate_field_key", stdout=out)
    return out.getvalue()


@pytest.fixture
def pending_copy(cast):
    return ArchiveCopy.objects.create(
        log_code=cast.emma.code,
        event="avsluttet",
        title="Stafettlogg",
        subject_name=cast.emma.full_name,
        subject_national_id=cast.emma.national_id,
        unit_name="Solsikken barnehage",
        external_key="stafett-test-1",
    )


@pytest.fixture
def new_key_first(settings):
    old = list(settings.FIELD_ENCRYPTION_KEYS)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, *old]
    return settings, old


def test_rotation_reseals_every_value_with_the_newest_key_and_the_old_key_can_go(cast, pending_copy, new_key_first):
    settings, old = new_key_first
    numbers = {p.pk: p.national_id for p in Person.objects.exclude(national_id=None)}
    old_index = raw("people_person", "national_id_index")
    new_id = field_crypto.newest_key().key_id
    assert not any(v.startswith(f"v1.{new_id}.") for v in raw("people_person", "national_id"))

    output = rotate()

    assert all(v.startswith(f"v1.{new_id}.") for v in raw("people_person", "national_id"))
    assert all(v.startswith(f"v1.{new_id}.") for v in raw("archive_archivecopy", "subject_national_id"))
    assert set(raw("people_person", "national_id_index")).isdisjoint(old_index)  # the index key changed too
    assert f"people.person.national_id: {len(numbers)} verdier kryptert på nytt" in output
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]  # the old key is gone: everything still opens and is found
    assert {p.pk: p.national_id for p in Person.objects.exclude(national_id=None)} == numbers
    assert Person.objects.by_national_id(cast.emma.national_id).get() == cast.emma
    assert ArchiveCopy.objects.get().subject_national_id == cast.emma.national_id


def test_rotation_writes_an_audit_row_for_each_encrypted_column(cast, pending_copy, new_key_first):
    rotate()
    rows = AuditEvent.objects.filter(action=AuditAction.FIELD_KEY_ROTATED.value).order_by("id")
    details = {row.details["felt"]: row.details for row in rows}
    # notify.notification.secret: an assisted guardian's one-time code until its SMS is sent (issue 15 §7).
    assert set(details) == {
        "people.person.national_id",
        "archive.archivecopy.subject_national_id",
        "notify.notification.secret",
    }
    assert details["archive.archivecopy.subject_national_id"]["kryptert_på_nytt"] == 1
    assert all(d["nøkkel_id"] == field_crypto.newest_key().key_id for d in details.values())
    assert cast.emma.national_id not in str([row.details for row in rows])


def test_rotating_again_changes_nothing(cast, new_key_first):
    rotate()
    before = raw("people_person", "national_id")
    assert "0 verdier kryptert på nytt, 0 indeksverdier" in rotate()
    assert raw("people_person", "national_id") == before


def test_rotation_is_refused_whole_when_a_value_opens_with_no_configured_key(cast, settings):
    before = raw("people_person", "national_id")
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]  # the key the cast was sealed with is missing
    with pytest.raises(CommandError, match="Ingenting er endret.*not among the configured keys"):
        rotate()
    assert raw("people_person", "national_id") == before
    assert not AuditEvent.objects.filter(action=AuditAction.FIELD_KEY_ROTATED.value).exists()


def test_rotation_rebuilds_an_index_made_with_an_older_key_even_when_the_value_is_current(cast, new_key_first):
    settings, old = new_key_first
    rotate()
    # An index value left behind from the old key (e.g. written by a server not yet restarted).
    stale = field_crypto.blind_index(
        cast.emma.national_id, purpose="people.person.national_id", key=field_crypto._keys_from(tuple(old))[0]
    )
    with connection.cursor() as cursor:
        cursor.execute("UPDATE people_person SET national_id_index = %s WHERE id = %s", [stale, cast.emma.pk])
    assert "0 verdier kryptert på nytt, 1 indeksverdier bygget på nytt" in rotate()
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]
    assert Person.objects.by_national_id(cast.emma.national_id).get() == cast.emma


def test_new_key_prints_a_key_the_settings_accept(db):
    out = io.StringIO()
    call_command("rotate_field_key", "--new-key", stdout=out)
    assert len(field_crypto.parse_keys(out.getvalue(), source="test")) == 1
    assert not AuditEvent.objects.filter(action=AuditAction.FIELD_KEY_ROTATED.value).exists()
