"""Key rotation for values encrypted at rest (lib/field_crypto.py): `manage.py rotate_field_key`.

Put the new key first in STAFETT_FIELD_KEY (keep the old ones after it), restart, run the
command, and the old keys can go once it reports nothing left under them. Every encrypted
column of every model is found by its field class, so a new encrypted field is rotated too.
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models.functions import Cast

from stafett.audit.models import AuditAction
from stafett.audit.record import record
from stafett.lib.field_crypto import (
    BlindIndexField,
    EncryptedTextField,
    blind_index,
    key_id_of,
    newest_key,
    open_sealed,
)
from stafett.people.models import Person

BATCH = 500


@dataclass(frozen=True)
class EncryptedColumn:
    model: type[models.Model]
    field: EncryptedTextField
    indexes: tuple[BlindIndexField, ...]

    @property
    def label(self) -> str:
        return f"{self.model._meta.label_lower}.{self.field.name}"


@dataclass
class Rotation:
    key_id: str
    resealed: dict[str, int] = field(default_factory=dict)
    reindexed: dict[str, int] = field(default_factory=dict)

    def __str__(self) -> str:
        lines = [f"Nyeste nøkkel: {self.key_id}."]
        for label, count in self.resealed.items():
            lines.append(
                f"{label}: {count} verdier kryptert på nytt, {self.reindexed[label]} indeksverdier bygget på nytt."
            )
        return "\n".join(lines)


def encrypted_columns() -> list[EncryptedColumn]:
    found = []
    for model in apps.get_models():
        fields = model._meta.get_fields()
        for f in fields:
            if isinstance(f, EncryptedTextField):
                indexes = tuple(i for i in fields if isinstance(i, BlindIndexField) and i.source == f.name)
                found.append(EncryptedColumn(model, f, indexes))
    return found


@transaction.atomic
def rotate_field_key(*, actor: Person | None = None) -> Rotation:
    """Re-encrypt every value not sealed with the newest key, and rebuild every blind index
    value not made with it. All or nothing: a value no configured key opens stops it all."""
    key = newest_key()
    rotation = Rotation(key_id=key.key_id)
    for column in encrypted_columns():
        resealed, reindexed = _rotate_column(column, key.key_id)
        rotation.resealed[column.label], rotation.reindexed[column.label] = resealed, reindexed
        record(
            actor=actor,
            action=AuditAction.FIELD_KEY_ROTATED,
            obj=ContentType.objects.get_for_model(column.model),
            details={
                "felt": column.label,
                "nøkkel_id": key.key_id,
                "kryptert_på_nytt": resealed,
                "indeks_bygget_på_nytt": reindexed,
            },
        )
    return rotation


def _rotate_column(column: EncryptedColumn, key_id: str) -> tuple[int, int]:
    model, enc = column.model, column.field
    # The stored text itself (the field would open it), locked against writers meanwhile.
    rows = (
        model._base_manager.select_for_update()
        .annotate(stored_text=Cast(enc.name, models.TextField()))
        .values_list("pk", "stored_text", *(i.name for i in column.indexes))
    )
    changed: list[models.Model] = []
    resealed = reindexed = 0
    for pk, stored, *current in rows:
        if not stored:
            continue
        plain = open_sealed(stored, purpose=enc.purpose)
        fresh = [blind_index(plain, purpose=i.purpose) for i in column.indexes]
        reseal = key_id_of(stored) != key_id
        reindex = fresh != list(current)
        if not (reseal or reindex):
            continue
        resealed += reseal
        reindexed += reindex
        obj = model(pk=pk)
        setattr(obj, enc.attname, plain)  # sealed again, with the newest key, as it is written
        for index, value in zip(column.indexes, fresh, strict=True):
            setattr(obj, index.attname, value)
        changed.append(obj)
    if changed:
        model._base_manager.bulk_update(changed, [enc.name, *(i.name for i in column.indexes)], batch_size=BATCH)
    return resealed, reindexed
