"""Destroyed means gone (issue 13 §6): after a level-0 note is destroyed or a log's content is
deleted, no copy of the text may stay behind in the database files.

- SQLite runs with `PRAGMA secure_delete=ON` (settings.py): freed pages are overwritten with
  zeros. After the commit, `forget_deleted_rows()` checkpoints the write-ahead log and truncates
  it, so the old page images in the `-wal` file are gone too.
- PostgreSQL keeps dead row versions until VACUUM; the daily job vacuums the tables that hold
  destroyed text (`vacuum_destroyed_tables`). Plain VACUUM makes the space reusable; the text is
  overwritten as the table is written to. Run `VACUUM FULL` on these tables in a maintenance
  window for an immediate rewrite.
"""

from django.db import connection

# Tables whose rows are destroyed on purpose (undring notes, a log's content on demand).
DESTROYED_TABLES = (
    "undring_concernnote",
    "logs_goal",
    "logs_measure",
    "logs_evaluation",
    "logs_message",
    "logs_meeting",
    "logs_participant",
    "logs_consent",
    "logs_relaylog",
)


def forget_deleted_rows() -> None:
    """Call after the commit that destroyed content (transaction.on_commit)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def vacuum_destroyed_tables() -> None:
    """PostgreSQL: reclaim dead row versions of destroyed text (outside any transaction)."""
    if connection.vendor != "postgresql" or not connection.get_autocommit():
        return
    with connection.cursor() as cursor:
        for table in DESTROYED_TABLES:
            cursor.execute(f'VACUUM "{table}"')
