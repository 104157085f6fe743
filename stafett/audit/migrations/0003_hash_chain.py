"""The hash chain (stafett/audit/chain.py): every row gets seq, prev_hash and hash.

Rows already written are chained here, in id order, with the same chain.digest() that seals
new rows and that verify_audit checks. The append-only trigger refuses the UPDATE that writes
their hashes, so the backfill drops the trigger and creates it again — all inside this
migration's one transaction. On PostgreSQL DROP TRIGGER holds an ACCESS EXCLUSIVE lock on the
table until commit, so no other session can write to it, or change a row, while the trigger is
away; if anything fails, the rollback leaves the trigger as it was. (The other way, a separate
chain table filled for the old rows, never lifts the trigger, but then old and new rows would
keep their hashes in different places and every verification would read two tables; lifting the
trigger once, under the owner's credentials and that lock, is the smaller exception.)

SQLite: adding or altering these columns makes Django rebuild the table (copy it into a new
one), and a rebuilt table has lost its triggers; both append-only triggers are created again at
the end of the migration (and at the end of unapplying it).

At 1M rows the backfill hashes in Python and updates in batches of 5,000 (executemany).
"""

import importlib

from django.db import migrations, models
import django.utils.timezone

from stafett.audit import chain

append_only = importlib.import_module("stafett.audit.migrations.0002_append_only")
BATCH = 5000
SQLITE_TRIGGERS = ("audit_no_update", "audit_no_delete")  # in the order of SQLITE_FORWARD
UPDATE = "UPDATE audit_auditevent SET seq = %s, prev_hash = %s, hash = %s WHERE id = %s"


def sqlite_triggers(apps, schema_editor):
    """The append-only triggers as in 0002, whether or not a rebuild took them away."""
    if schema_editor.connection.vendor != "sqlite":
        return
    for name, sql in zip(SQLITE_TRIGGERS, append_only.SQLITE_FORWARD, strict=True):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")
        schema_editor.execute(sql)


def backfill(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_no_change ON audit_auditevent")
    elif connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_no_update")  # put back by sqlite_triggers
    events = apps.get_model("audit", "AuditEvent").objects.using(connection.alias)
    fields = ("id", *chain.CONTENT_FIELDS)
    seq, prev, last_id = 0, chain.GENESIS, 0
    while True:
        # Batches by id, each read in full before it is written: never update under an open cursor.
        rows = list(events.filter(id__gt=last_id).order_by("id").values_list(*fields)[:BATCH])
        if not rows:
            break
        updates = []
        for row_id, *content in rows:
            seq += 1
            digest = chain.digest(seq, prev, *content)
            updates.append((seq, prev, digest, row_id))
            prev = digest
        with connection.cursor() as cursor:
            cursor.executemany(UPDATE, updates)
        last_id = rows[-1][0]
    if connection.vendor == "postgresql":
        schema_editor.execute(append_only.POSTGRES_FORWARD[1])  # CREATE TRIGGER audit_no_change


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [
        # Unapplying ends here: the rebuilds on the way back have dropped the SQLite triggers.
        migrations.RunPython(migrations.RunPython.noop, sqlite_triggers),
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, editable=False, verbose_name="tidspunkt"
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(editable=False, null=True, verbose_name="nummer i kjeden"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(editable=False, max_length=64, null=True, verbose_name="forrige hash"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(editable=False, max_length=64, null=True, verbose_name="hash"),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(editable=False, unique=True, verbose_name="nummer i kjeden"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(editable=False, max_length=64, verbose_name="forrige hash"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(editable=False, max_length=64, verbose_name="hash"),
        ),
        migrations.RunPython(sqlite_triggers, migrations.RunPython.noop),
    ]
