"""Issue 13 §4: an archive copy keeps the subject's national ID number only until the archive
has it, and encrypted (lib/field_crypto.py). Copies already delivered drop it here."""

from django.db import migrations, models

import stafett.lib.field_crypto
from stafett.lib.field_crypto import open_sealed, seal

PURPOSE = "archive.archivecopy.subject_national_id"
DELIVERED = "levert"


def seal_numbers(apps, schema_editor):
    ArchiveCopy = apps.get_model("archive", "ArchiveCopy")
    waiting = ArchiveCopy.objects.exclude(subject_national_id="").exclude(status=DELIVERED)
    for pk, number in waiting.values_list("pk", "subject_national_id"):
        ArchiveCopy.objects.filter(pk=pk).update(subject_national_id_sealed=seal(number, purpose=PURPOSE))


def open_numbers(apps, schema_editor):
    ArchiveCopy = apps.get_model("archive", "ArchiveCopy")
    for pk, sealed in ArchiveCopy.objects.exclude(subject_national_id_sealed="").values_list(
        "pk", "subject_national_id_sealed"
    ):
        ArchiveCopy.objects.filter(pk=pk).update(subject_national_id=open_sealed(sealed, purpose=PURPOSE))


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0002_archive_after_meeting"),
    ]

    operations = [
        migrations.AddField(
            model_name="archivecopy",
            name="subject_national_id_sealed",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.RunPython(seal_numbers, open_numbers),
        migrations.RemoveField(model_name="archivecopy", name="subject_national_id"),
        migrations.RenameField(
            model_name="archivecopy", old_name="subject_national_id_sealed", new_name="subject_national_id"
        ),
        migrations.AlterField(
            model_name="archivecopy",
            name="subject_national_id",
            field=stafett.lib.field_crypto.EncryptedTextField(
                blank=True, purpose="archive.archivecopy.subject_national_id"
            ),
        ),
    ]
