# Issue 15 §8: why a guardian with parental responsibility did not sign a paper consent.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("logs", "0009_participant_family_approval"),
    ]

    operations = [
        migrations.AddField(
            model_name="consent",
            name="unsigned_reason",
            field=models.CharField(
                blank=True,
                choices=[
                    ("eneansvar", "Den som har signert, har foreldreansvaret alene"),
                    ("ikke_nadd", "Den andre foresatte kan ikke nås"),
                ],
                max_length=20,
                verbose_name="hvorfor ikke alle foresatte har signert",
            ),
        ),
        migrations.AddField(
            model_name="consent",
            name="unsigned_note",
            field=models.CharField(blank=True, max_length=300, verbose_name="forklaring"),
        ),
    ]
