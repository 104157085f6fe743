"""Load the BTI action guide's steps from data/veileder-v1.toml (seeds/004)."""

from django.db import migrations


def load(apps, schema_editor):
    from stafett.guide.loader import load_guide

    load_guide(apps.get_model("guide", "GuideStep"))


class Migration(migrations.Migration):
    dependencies = [("guide", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
