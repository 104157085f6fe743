"""Issue 13 §4: national ID numbers encrypted at rest, found by a blind index.

Seals every number with the newest configured key (lib/field_crypto.py), fills the index,
and drops the plain column. On PostgreSQL the dropped column's bytes stay in the table's
pages until they are rewritten: run `VACUUM FULL people_person` after migrating an existing
installation (README «Sikkerhet»). SQLite rewrites the table here (secure_delete is on).
"""

from django.db import migrations, models

import stafett.lib.field_crypto
from stafett.lib.field_crypto import blind_index, open_sealed, seal

PURPOSE = "people.person.national_id"


def seal_numbers(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    for pk, number in Person.objects.exclude(national_id=None).exclude(national_id="").values_list("pk", "national_id"):
        Person.objects.filter(pk=pk).update(
            national_id_sealed=seal(number, purpose=PURPOSE), national_id_index=blind_index(number, purpose=PURPOSE)
        )


def open_numbers(apps, schema_editor):
    Person = apps.get_model("people", "Person")
    for pk, sealed in Person.objects.exclude(national_id_sealed=None).values_list("pk", "national_id_sealed"):
        Person.objects.filter(pk=pk).update(national_id=open_sealed(sealed, purpose=PURPOSE))


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0006_archive_after_meeting"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="national_id_sealed",
            field=models.TextField(null=True),
        ),
        migrations.AddField(
            model_name="person",
            name="national_id_index",
            field=models.CharField(max_length=64, null=True, editable=False),
        ),
        migrations.RunPython(seal_numbers, open_numbers),
        migrations.RemoveField(model_name="person", name="national_id"),
        migrations.RenameField(model_name="person", old_name="national_id_sealed", new_name="national_id"),
        migrations.AlterField(
            model_name="person",
            name="national_id",
            field=stafett.lib.field_crypto.EncryptedTextField(
                blank=True,
                db_comment="AES-GCM, lib/field_crypto.py",
                null=True,
                purpose="people.person.national_id",
                verbose_name="fødselsnummer",
            ),
        ),
        migrations.AlterField(
            model_name="person",
            name="national_id_index",
            field=stafett.lib.field_crypto.BlindIndexField(
                editable=False,
                max_length=64,
                null=True,
                purpose="people.person.national_id",
                source="national_id",
                unique=True,
            ),
        ),
    ]
