# issue 15 §6: a log becomes an individual plan in place.

import uuid

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("logs", "0011_family_log_requests"),
    ]

    operations = [
        migrations.AddField(
            model_name="relaylog",
            name="kind",
            field=models.CharField(
                choices=[("stafettlogg", "Stafettlogg"), ("individuell_plan", "Individuell plan")],
                default="stafettlogg",
                max_length=20,
                verbose_name="type",
            ),
        ),
        migrations.AddField(
            model_name="relaylog",
            name="became_ip_on",
            field=models.DateField(blank=True, null=True, verbose_name="ble individuell plan"),
        ),
        migrations.AddField(
            model_name="relaylog",
            name="ip_consent_on",
            field=models.DateField(blank=True, null=True, verbose_name="foresatte samtykket skriftlig til IP"),
        ),
        migrations.AddField(
            model_name="relaylog",
            name="own_goals",
            field=models.TextField(blank=True, max_length=2000, verbose_name="mine egne mål"),
        ),
        migrations.AddConstraint(
            model_name="relaylog",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("became_ip_on__isnull", True), ("ip_consent_on__isnull", True), ("kind", "stafettlogg")),
                    models.Q(
                        ("became_ip_on__isnull", False), ("ip_consent_on__isnull", False), ("kind", "individuell_plan")
                    ),
                    _connector="OR",
                ),
                name="individual_plan_has_date_and_consent",
            ),
        ),
        migrations.CreateModel(
            name="PlanDecision",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ("text", models.CharField(max_length=300, verbose_name="vedtak")),
                ("decided_on", models.DateField(verbose_name="vedtaksdato")),
                ("recorded_by_name", models.CharField(max_length=210)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "log",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="plan_decisions",
                        to="logs.relaylog",
                    ),
                ),
            ],
            options={
                "verbose_name": "vedtak",
                "verbose_name_plural": "vedtak",
                "ordering": ["decided_on", "id"],
            },
        ),
    ]
