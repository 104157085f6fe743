"""Issue 13 §4: national ID numbers are encrypted at rest (lib/field_crypto.py) and found only
through their blind index; a changed ciphertext or a wrong key is refused, never garbage."""

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection

from stafett.archive.models import ArchiveCopy
from stafett.core.demo_data import synthetic_national_id
from stafett.lib import field_crypto
from stafett.lib.field_crypto import FieldCryptoError
from stafett.people import actions
from stafett.people.actions import PersonData
from stafett.people.models import Person

ROOT = Path(__file__).resolve().parent.parent
OLD_KEY = field_crypto.parse_keys("Pw8GmeD0OZ0gxX9OXlY0a2m8M1cR3uDgrjNzxQpe4fM=", source="test")[0]
NEW_KEY = field_crypto.parse_keys("q3d6V3CBF3yK5y2b1k6wkvNQk3iOZ2a3sM3mC1Yh0oE=", source="test")[0]
NEW_CHILD = synthetic_national_id(date(2018, 4, 1))


def stored(person: Person) -> tuple[str, str]:
    """What the database itself holds for the person: (national_id, national_id_index)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT national_id, national_id_index FROM people_person WHERE id = %s", [person.pk])
        return cursor.fetchone()


def overwrite(person: Person, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE people_person SET national_id = %s WHERE id = %s", [value, person.pk])


def test_the_database_holds_a_sealed_number_and_a_blind_index_never_the_number(cast):
    sealed, index = stored(cast.emma)
    assert cast.emma.national_id not in sealed and cast.emma.national_id not in index
    assert sealed.startswith(f"v1.{field_crypto.newest_key().key_id}.")
    assert len(index) == 64
    assert Person.objects.get(pk=cast.emma.pk).national_id == cast.emma.national_id


def test_the_same_number_is_sealed_differently_every_time():
    a = field_crypto.seal(NEW_CHILD, purpose="people.person.national_id")
    b = field_crypto.seal(NEW_CHILD, purpose="people.person.national_id")
    assert a != b
    assert field_crypto.open_sealed(a, purpose="people.person.national_id") == NEW_CHILD


def test_a_person_is_found_by_number_through_the_blind_index(cast):
    assert Person.objects.by_national_id(cast.emma.national_id).get() == cast.emma
    assert Person.objects.by_national_id(cast.emma.national_id[:6] + " " + cast.emma.national_id[6:]).get() == cast.emma
    assert not Person.objects.by_national_id(NEW_CHILD).exists()
    assert not Person.objects.by_national_id("").exists()


def test_asking_the_encrypted_column_for_a_number_is_refused_not_silently_empty(cast):
    with pytest.raises(FieldCryptoError, match="by_national_id"):
        Person.objects.filter(national_id=cast.emma.national_id).exists()
    with pytest.raises(FieldCryptoError, match="by_national_id"):
        Person.objects.filter(national_id__startswith="14").exists()
    assert Person.objects.filter(national_id=None).exists()  # isnull still works: staff have no number
    assert Person.objects.filter(national_id__isnull=False).filter(pk=cast.emma.pk).exists()


def test_a_changed_ciphertext_is_refused_with_a_clear_error(cast):
    sealed, _ = stored(cast.emma)
    prefix, data = sealed.rsplit(".", 1)
    flipped = data[:-3] + ("A" if data[-3] != "A" else "B") + data[-2:]
    overwrite(cast.emma, f"{prefix}.{flipped}")
    with pytest.raises(FieldCryptoError, match="failed authentication"):
        Person.objects.get(pk=cast.emma.pk)


def test_a_ciphertext_copied_into_another_column_does_not_open_there(cast):
    sealed, _ = stored(cast.emma)
    ArchiveCopy.objects.create(
        log_code=cast.emma.code, event="avsluttet", title="t", subject_name="n", unit_name="u", external_key="k"
    )
    with connection.cursor() as cursor:
        cursor.execute("UPDATE archive_archivecopy SET subject_national_id = %s", [sealed])
    with pytest.raises(FieldCryptoError, match="another column"):
        ArchiveCopy.objects.get()


def test_a_wrong_key_gives_a_clear_error_not_garbage(cast, settings):
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY]  # not the key the cast was sealed with
    with pytest.raises(FieldCryptoError, match="not among the configured keys") as e:
        Person.objects.get(pk=cast.emma.pk)
    assert "STAFETT_FIELD_KEY" in str(e.value)
    assert cast.emma.national_id not in str(e.value)


def test_a_value_sealed_with_an_older_key_opens_and_is_found_while_both_are_configured(cast, settings):
    current = list(settings.FIELD_ENCRYPTION_KEYS)  # what the cast was sealed with
    settings.FIELD_ENCRYPTION_KEYS = [OLD_KEY, *current]
    data = PersonData(given_name="Mia", family_name="Berg", national_id=NEW_CHILD)
    person = actions.register_person(actor=cast.trude, data=data)
    settings.FIELD_ENCRYPTION_KEYS = [NEW_KEY, OLD_KEY, *current]  # a new key first, the old ones kept
    assert stored(person)[0].startswith(f"v1.{field_crypto.configured_keys()[1].key_id}.")
    assert Person.objects.get(pk=person.pk).national_id == NEW_CHILD
    assert Person.objects.by_national_id(NEW_CHILD).get() == person
    # …and the number cannot be registered again, though the new key gives it another index.
    with pytest.raises(ValidationError, match="allerede registrert"):
        actions.register_person(actor=cast.trude, data=data)


def test_keys_must_be_32_bytes_of_base64():
    with pytest.raises(ImproperlyConfigured, match="32 bytes"):
        field_crypto.parse_keys("c2hvcnQ=", source="STAFETT_FIELD_KEY")
    with pytest.raises(ImproperlyConfigured, match="not base64"):
        field_crypto.parse_keys("key!!", source="STAFETT_FIELD_KEY")
    two = field_crypto.parse_keys(f"# newest first\n{field_crypto.new_key()}\n{field_crypto.new_key()}, ", source="f")
    assert len(two) == 2 and two[0] != two[1]


# --- Settings: production needs a key, debug and demo make one in var/ ---------------------


def _settings_in_subprocess(var_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("STAFETT_", "DJANGO_", "DATABASE_URL"))}
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "from stafett.lib.field_crypto import newest_key; print(newest_key().key_id)"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "stafett.settings", "STAFETT_VAR_DIR": str(var_dir), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_refuses_to_start_without_a_field_key(tmp_path):
    result = _settings_in_subprocess(
        tmp_path, STAFETT_DEBUG="false", SECRET_KEY="a-production-secret-key-with-enough-entropy-0123456789abcdef"
    )
    assert result.returncode != 0
    assert "STAFETT_FIELD_KEY (or STAFETT_FIELD_KEY_FILE) must be set" in result.stderr
    assert not (tmp_path / "field.key").exists()


def test_production_reads_the_key_from_the_file_named_by_field_key_file(tmp_path):
    key_file = tmp_path / "secret"
    key_file.write_text(field_crypto.new_key() + "\n")
    result = _settings_in_subprocess(
        tmp_path,
        STAFETT_DEBUG="false",
        SECRET_KEY="a-production-secret-key-with-enough-entropy-0123456789abcdef",
        STAFETT_FIELD_KEY_FILE=str(key_file),
    )
    assert result.returncode == 0, result.stderr
    expected = field_crypto._keys_from(tuple(field_crypto.parse_keys(key_file.read_text(), source="f")))[0].key_id
    assert result.stdout.strip() == expected


def test_the_demo_makes_a_local_key_in_var_on_first_start_and_keeps_it(tmp_path):
    first = _settings_in_subprocess(tmp_path, STAFETT_DEBUG="true", STAFETT_DEMO="true")
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "field.key"
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    second = _settings_in_subprocess(tmp_path, STAFETT_DEBUG="true", STAFETT_DEMO="true")
    assert second.stdout.strip() == first.stdout.strip()
