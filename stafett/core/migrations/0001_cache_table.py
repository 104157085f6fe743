"""The database cache's table (settings.CACHES without Redis): the rate-limit counters live there.

Made by migrate, so `make run`, the tests and every installation have it, whatever CACHES says
today: an installation that drops Redis later finds the table ready.
"""

from django.core.management import call_command
from django.db import migrations

CACHE_TABLE = "stafett_cache"  # settings.CACHES["default"]["LOCATION"]


def create(apps, schema_editor):
    call_command("createcachetable", CACHE_TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop(apps, schema_editor):
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(CACHE_TABLE)}")


class Migration(migrations.Migration):
    dependencies: list[tuple[str, str]] = []

    operations = [migrations.RunPython(create, drop)]
