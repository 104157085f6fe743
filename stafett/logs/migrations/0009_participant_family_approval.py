"""Issue 15 §4: the family approves each new participant (seeds/001 §6).

Participants already in a log keep their access: they are «not needed» (the default)."""

import django.db.models.deletion
from django.db import migrations, models

import stafett.logs.models


class Migration(migrations.Migration):
    dependencies = [
        ("logs", "0008_meetings_change_and_child_attends"),
        ("people", "0008_municipality_family_approves_participants"),
    ]

    operations = [
        migrations.AddField(
            model_name="participant",
            name="approval",
            field=models.CharField(
                choices=[
                    ("ikke_nodvendig", "Ikke nødvendig"),
                    ("venter", "Venter på de foresatte"),
                    ("godkjent", "Godkjent av de foresatte"),
                    ("avslatt", "Avslått av de foresatte"),
                ],
                default="ikke_nodvendig",
                max_length=16,
                verbose_name="de foresattes godkjenning",
            ),
        ),
        migrations.AddField(
            model_name="participant",
            name="approval_document",
            field=models.FileField(
                blank=True,
                upload_to=stafett.logs.models.participant_approval_upload_path,
                verbose_name="signert godkjenning",
            ),
        ),
        migrations.AddField(
            model_name="participant",
            name="approval_document_content_type",
            field=models.CharField(blank=True, max_length=40),
        ),
        migrations.AddField(
            model_name="participant",
            name="approval_document_extension",
            field=models.CharField(blank=True, max_length=8),
        ),
        migrations.CreateModel(
            name="ParticipantAnswer",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("approved", models.BooleanField()),
                ("answered_at", models.DateTimeField(auto_now_add=True)),
                ("authenticated_by", models.CharField(max_length=120)),
                (
                    "participant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="answers", to="logs.participant"
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, related_name="+", to="people.person"
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("participant", "person"), name="one_answer_per_participant_signer")
                ],
            },
        ),
    ]
