# issue 15 §6: an archive copy when a log becomes an individual plan.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0003_subject_national_id_encrypted"),
    ]

    operations = [
        migrations.AlterField(
            model_name="archivecopy",
            name="event",
            field=models.CharField(
                choices=[
                    ("tjenestebytte", "Bytte av tjeneste"),
                    ("stafettholderbytte", "Bytte av stafettholder"),
                    ("samtykke_trukket", "Samtykke trukket"),
                    ("avsluttet", "Loggen avsluttet"),
                    ("mote", "Etter møte"),
                    ("aarlig", "Årlig arkivering (enkeltvedtak)"),
                    ("sletting", "Før sletting"),
                    ("individuell_plan", "Loggen ble individuell plan"),
                ],
                max_length=24,
            ),
        ),
    ]
