"""Encryption at rest for single values (national ID numbers), and a blind index to find them.

A value is sealed with AES-256-GCM (authenticated: a changed byte is refused, never
decrypted to something else). The stored text is `v1.<key id>.<base64(nonce ‖ ciphertext)>`;
the key id names which key sealed it, so several keys can be configured at once: the
newest (first) seals, all open. The purpose (e.g. "people.person.national_id") is bound
in as associated data, so a value copied into another column does not open there.

Equality look-ups go through a keyed HMAC-SHA256 of the value (the blind index); its
key is derived from the same master key as the encryption key (HKDF, another label),
so neither derived key says anything about the other. A look-up asks for the index
under every configured key, so finding people keeps working between adding a new key
and `manage.py rotate_field_key` rebuilding the index.

Keys come from settings.FIELD_ENCRYPTION_KEYS (stafett/settings.py: STAFETT_FIELD_KEY
or STAFETT_FIELD_KEY_FILE, newest first; in debug and demo `var/field.key`).
"""

import base64
import binascii
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models.lookups import Exact

KEY_BYTES = 32
NONCE_BYTES = 12
VERSION = "v1"
_SEALED = re.compile(r"^v1\.([0-9a-f]{8})\.([A-Za-z0-9_-]+)$")


class FieldCryptoError(Exception):
    """A sealed value cannot be opened; the message says why, for the operator."""


@dataclass(frozen=True)
class FieldKey:
    key_id: str
    aead: AESGCM
    index_key: bytes


def parse_keys(text: str, *, source: str) -> list[bytes]:
    """Keys as configured: base64 (standard or URL-safe) of 32 bytes each, separated by
    commas, spaces or new lines, newest first. `#` starts a comment (in a key file)."""
    keys = []
    for line in text.splitlines():
        for item in re.split(r"[,\s]+", line.split("#", 1)[0]):
            if not item:
                continue
            try:
                raw = base64.b64decode(item.replace("-", "+").replace("_", "/") + "=" * (-len(item) % 4), validate=True)
            except (binascii.Error, ValueError):
                raise ImproperlyConfigured(f"{source}: a key is not base64.") from None
            if len(raw) != KEY_BYTES:
                raise ImproperlyConfigured(f"{source}: each key must be {KEY_BYTES} bytes (base64), not {len(raw)}.")
            keys.append(raw)
    return keys


def new_key() -> str:
    """A fresh key as the settings take it (URL-safe base64, 32 random bytes)."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode()


def local_key_file(path: Path) -> str:
    """The key in `path`, made on first use (debug and demo only: `make run` needs no setup)."""
    if path.exists():
        return path.read_text()
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written whole, then linked into place: two processes starting at once agree on one key.
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(
            f"# Stafett: local key for national ID numbers (debug/demo only). Back it up with the database.\n"
            f"{new_key()}\n"
        )
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    return path.read_text()


def _derive(master: bytes, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=label).derive(master)


@cache
def _keys_from(masters: tuple[bytes, ...]) -> tuple[FieldKey, ...]:
    return tuple(
        FieldKey(
            key_id=hashlib.sha256(b"stafett field key id\x00" + m).hexdigest()[:8],
            aead=AESGCM(_derive(m, b"stafett field encryption v1")),
            index_key=_derive(m, b"stafett blind index v1"),
        )
        for m in masters
    )


def configured_keys() -> tuple[FieldKey, ...]:
    masters = tuple(getattr(settings, "FIELD_ENCRYPTION_KEYS", ()))
    if not masters:
        raise ImproperlyConfigured("No field encryption key: set STAFETT_FIELD_KEY or STAFETT_FIELD_KEY_FILE.")
    return _keys_from(masters)


def newest_key() -> FieldKey:
    return configured_keys()[0]


def seal(plaintext: str, *, purpose: str) -> str:
    """Encrypt with the newest key; a new random nonce every time."""
    key = newest_key()
    nonce = os.urandom(NONCE_BYTES)
    sealed = key.aead.encrypt(nonce, plaintext.encode(), purpose.encode())
    return f"{VERSION}.{key.key_id}.{base64.urlsafe_b64encode(nonce + sealed).decode().rstrip('=')}"


def _parts(stored: str) -> tuple[str, str]:
    match = _SEALED.match(stored)
    if not match:
        raise FieldCryptoError("The stored value is not a sealed value (expected v1.<key id>.<data>).")
    return match.group(1), match.group(2)


def key_id_of(stored: str) -> str:
    return _parts(stored)[0]


def open_sealed(stored: str, *, purpose: str) -> str:
    """Decrypt a value sealed by seal(); refuses a changed value or a missing key, clearly."""
    kid, data = _parts(stored)
    key = next((k for k in configured_keys() if k.key_id == kid), None)
    if key is None:
        raise FieldCryptoError(
            f"The value ({purpose}) was sealed with key id {kid}, which is not among the configured keys "
            f"({', '.join(k.key_id for k in configured_keys())}). Add that key back to STAFETT_FIELD_KEY "
            "(after the newest), or restore the right key file."
        )
    try:
        raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
        return key.aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode()).decode()
    except (InvalidTag, ValueError, binascii.Error):
        raise FieldCryptoError(
            f"The value ({purpose}, key id {kid}) failed authentication: it has been changed, "
            "or it was copied from another column."
        ) from None


def blind_index(value: str, *, purpose: str, key: FieldKey | None = None) -> str:
    """Keyed HMAC-SHA256 of the value (newest key unless given), hex: equal values, equal index."""
    key = key or newest_key()
    return hmac.new(key.index_key, purpose.encode() + b"\x00" + value.encode(), hashlib.sha256).hexdigest()


def blind_indexes(value: str, *, purpose: str) -> list[str]:
    """The value's index under every configured key: what a look-up asks for."""
    return [blind_index(value, purpose=purpose, key=k) for k in configured_keys()]


# --- Model fields -------------------------------------------------------------------------


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """Plain text in Python, a sealed value in the database. Only `isnull` can be asked of
    it: equality goes through a BlindIndexField (a sealed value is different every time)."""

    description = "Text encrypted at rest (AES-GCM)"

    def __init__(self, *args: Any, purpose: str = "", **kwargs: Any) -> None:
        if not purpose:
            raise TypeError("EncryptedTextField needs a purpose, e.g. 'people.person.national_id'.")
        self.purpose = purpose
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["purpose"] = self.purpose
        return name, path, args, kwargs

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return open_sealed(value, purpose=self.purpose)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return seal(str(value), purpose=self.purpose)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "exact":
            return _NoneOnlyExact  # `field=None` is how Django spells isnull
        if lookup_name != "isnull":
            raise _refused(self, lookup_name)
        return super().get_lookup(lookup_name)


def _refused(field: models.Field, lookup_name: str) -> FieldCryptoError:  # type: ignore[type-arg]
    return FieldCryptoError(
        f"{field.name} is encrypted: look it up through its blind index "
        f"(e.g. Person.objects.by_national_id), not with __{lookup_name}."
    )


class _NoneOnlyExact(Exact):
    def __init__(self, lhs: Any, rhs: Any) -> None:
        if rhs is not None:
            raise _refused(lhs.target, "exact")
        super().__init__(lhs, rhs)


class BlindIndexField(models.CharField):  # type: ignore[type-arg]
    """The blind index of another field on the same model, worked out when the row is saved
    (like auto_now: no save path can forget it). NULL when the source is empty. Like auto_now,
    QuerySet.update() and bulk_update() skip it: they must set it themselves (core/field_keys.py)."""

    def __init__(self, *args: Any, source: str = "", purpose: str = "", **kwargs: Any) -> None:
        if not source or not purpose:
            raise TypeError("BlindIndexField needs the source field's name and a purpose.")
        self.source, self.purpose = source, purpose
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("null", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, purpose=self.purpose)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        value = getattr(model_instance, self.source)
        index = blind_index(value, purpose=self.purpose) if value else None
        setattr(model_instance, self.attname, index)
        return index
