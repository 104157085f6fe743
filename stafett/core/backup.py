"""Backups that restore (issue 13 §9): `manage.py backup` and `manage.py restore`.

A backup is one folder, `stafett-<UTC time>/`, readable only by its owner:

- `database.sqlite3` — SQLite's online backup API (`sqlite3.Connection.backup`) copies the
  database in one step under one read lock; in WAL mode writers go on meanwhile and the copy
  is one consistent moment. Or `database.pgdump` — `pg_dump --format=custom`, run with a
  snapshot exported from a REPEATABLE READ transaction, so the dump, the row counts and the
  audit head in the manifest are the same moment however busy the app is.
- `filer.tar.gz` — the uploaded files (when stored on disk: FileSystemStorage) and the
  archive folder (settings.ARCHIVE_DIR). Files in an object store (S3) are not included:
  keeping them is the object store's job (versioning, replication), and the manifest says so.
- `manifest.json` — when, which database, the latest migration per app, every table's row
  count, the audit chain's verdict and head (stafett/audit/chain.py), a SHA-256 of each file,
  and in plain words what is not in the backup (first of all the field encryption key).

Restoring checks the manifest first (the files' hashes; a backup whose migrations this code
does not know is refused: upgrade first), refuses while the database looks in use unless
forced, replaces the database, puts the files back, and then compares: every table's row
count and the audit chain (walked again, head compared) must equal the manifest's.

SQLite: the database file is replaced whole — a copy is written beside it and renamed over it,
after the old write-ahead log is checkpointed (TRUNCATE) and before its `-wal`/`-shm` are
removed: a stale WAL left beside a new file would be replayed into it. The audit triggers come
with the file. PostgreSQL: `pg_restore --clean --if-exists --no-owner` as a SQL script, run by
psql in one transaction (all or nothing), after dropping tables the backup does not have (made
by newer migrations), so `migrate` can bring the restored database forward. `--clean` drops
and recreates the tables, the audit trigger and its function, and the grants of the two-role
setup (README «Revisjonslogg»); restore as the owner role, the app role may not drop tables.
"""

import fcntl
import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.loader import MigrationLoader

from stafett.audit.chain import verify
from stafett.lib.field_crypto import configured_keys

FORMAT = "stafett-backup-v1"
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"
FILES_TAR = "filer.tar.gz"
UPLOADS, ARCHIVE = "filer", "arkiv"  # names of the folders inside FILES_TAR
# Each SQLite connection holds a shared lock on this byte of the -shm file for as long as it is
# open (the "dead man switch", UNIX_SHM_DMS in SQLite's os_unix.c): if we cannot lock it, another
# process has the database open.
SQLITE_SHM_DMS = 128

NOT_INCLUDED = [
    "Nøkkelen for feltkryptering (STAFETT_FIELD_KEY / STAFETT_FIELD_KEY_FILE, i demo var/field.key) er IKKE med: "
    "ta vare på den for seg, et annet sted enn kopien. Uten den kan ingen lese fødselsnumrene i kopien.",
    "Hemmeligheter og innstillinger (SECRET_KEY, OIDC_*_CLIENT_SECRET, miljøvariablene) er ikke med.",
    "Arbeiderens kø (var/huey.sqlite3 eller Redis) er ikke med: varsler og arkivkopier som venter, ligger i "
    "databasen og sendes på nytt.",
]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, in plain Norwegian."""


# --- what a database holds --------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """What the manifest records about a database, and what a restore compares."""

    migrations: dict[str, str]
    row_counts: dict[str, int]
    audit: dict[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"migrations": self.migrations, "row_counts": self.row_counts, "audit": self.audit}


def describe(using: str = DEFAULT_DB_ALIAS) -> Snapshot:
    """The latest applied migration per app, every table's row count and the audit chain's verdict."""
    connection = connections[using]
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for table in tables:
            # Table names come from the database itself, quoted.
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        latest = dict(cursor.fetchall())  # later rows win: the last applied per app
    verdict = verify(using=using)
    audit = {
        "ok": verdict.ok,
        "count": verdict.count,
        "last_hash": verdict.last_hash,
        "broken_id": verdict.broken_id,
        "verdict": str(verdict),
    }
    return Snapshot(dict(sorted(latest.items())), counts, audit)


@dataclass
class Comparison:
    """A restored database against its manifest: `differences` empty means they agree."""

    tables: int
    audit_verdict: str
    differences: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


def compare(expected: dict[str, Any], actual: Snapshot) -> Comparison:
    """Compare the manifest's row counts and audit head with what the database holds now."""
    result = Comparison(tables=len(actual.row_counts), audit_verdict=actual.audit["verdict"])
    wanted: dict[str, int] = expected["row_counts"]
    for table in sorted(wanted.keys() | actual.row_counts.keys()):
        if table not in actual.row_counts:
            result.differences.append(f"Tabellen {table} mangler etter gjenopprettingen.")
        elif table not in wanted:
            result.differences.append(f"Tabellen {table} finnes ikke i sikkerhetskopien.")
        elif wanted[table] != actual.row_counts[table]:
            result.differences.append(
                f"Tabellen {table}: {wanted[table]} rader i sikkerhetskopien, {actual.row_counts[table]} nå."
            )
    before, now = expected["audit"], actual.audit
    if not now["ok"]:
        result.differences.append(f"Revisjonsloggen: {now['verdict']}")
    if (before["count"], before["last_hash"], before["broken_id"]) != (
        now["count"],
        now["last_hash"],
        now["broken_id"],
    ):
        result.differences.append(
            f"Revisjonsloggens hode er ikke det samme: {before['count']} rader (siste hash {before['last_hash']}) "
            f"i sikkerhetskopien, {now['count']} rader (siste hash {now['last_hash']}) nå."
        )
    return result


# --- files ------------------------------------------------------------------------------


def file_folders() -> tuple[list[tuple[str, Path]], list[str]]:
    """The folders of files a backup takes, by their name in the tar, and what it leaves out and why."""
    folders, left_out = [], []
    storage = storages["default"]
    if isinstance(storage, FileSystemStorage):
        folders.append((UPLOADS, Path(storage.location)))
    else:
        left_out.append(
            f"Opplastede filer ligger i et objektlager ({type(storage).__module__}.{type(storage).__name__}) og er "
            "ikke med: sikkerhetskopi av dem er objektlagerets jobb (versjonering, replikering)."
        )
    archive = Path(settings.ARCHIVE_DIR)
    if not any(archive.resolve().is_relative_to(path.resolve()) for _, path in folders):
        folders.append((ARCHIVE, archive))
    return folders, left_out


def _count_files(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()] if folder.is_dir() else []
    return len(files), sum(p.stat().st_size for p in files)


def _restore_folder(tar: tarfile.TarFile, name: str, destination: Path) -> None:
    """Unpack the tar's `name/` beside `destination`, then swap it in: the old folder is gone only
    once the new one is complete."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(4)
    staging = destination.parent / f".{destination.name}.restore-{token}"
    old = destination.parent / f".{destination.name}.old-{token}"
    staging.mkdir(mode=0o700)
    try:
        members = [m for m in tar.getmembers() if m.name == name or m.name.startswith(name + "/")]
        tar.extractall(staging, members=members, filter="data")
        unpacked = staging / name
        unpacked.mkdir(exist_ok=True)  # an empty folder in the backup
        if destination.exists():
            destination.rename(old)
        unpacked.rename(destination)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)


# --- helpers ----------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _sqlite_alias(path: Path) -> Iterator[str]:
    """A Django database alias for another SQLite file (the backup copy), so the audit chain is
    walked by the same code as always. Closed and forgotten afterwards."""
    alias = f"stafett_backup_{secrets.token_hex(4)}"
    config = {**connections[DEFAULT_DB_ALIAS].settings_dict, "NAME": str(path), "OPTIONS": {}}
    connections.settings[alias] = connections.configure_settings({DEFAULT_DB_ALIAS: config})[DEFAULT_DB_ALIAS]
    try:
        yield alias
    finally:
        with suppress(Exception):
            connections[alias].close()
        with suppress(Exception):
            del connections[alias]
        del connections.settings[alias]


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"Finner ikke {name}. Installer PostgreSQL-klienten (pakken postgresql-client, samme hovedversjon "
            "som databasetjeneren eller nyere)."
        )
    return path


def _pg_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    """The connection settings as libpq's environment variables: no password on a command line."""
    env = dict(os.environ)
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("NAME", "PGDATABASE"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if settings_dict.get(key):
            env[variable] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS") or {}
    for option in ("sslmode", "sslrootcert", "sslcert", "sslkey"):
        if options.get(option):
            env[f"PG{option.upper()}"] = str(options[option])
    env["PGOPTIONS"] = "-c client_min_messages=warning"  # no NOTICE per dropped object
    return env


def _run(command: list[str], env: dict[str, str], what: str, **kwargs: Any) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise BackupError(f"{what} feilet (kode {result.returncode}): {result.stderr.strip()[-2000:]}")


# --- backup -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Backup:
    path: Path
    manifest: dict[str, Any]


def create_backup(parent: Path, *, using: str = DEFAULT_DB_ALIAS, now: datetime | None = None) -> Backup:
    """Write a complete backup into a new folder under `parent`. The folder gets its final name only
    once everything (the manifest last) is written, so a half-made backup never looks whole."""
    now = now or datetime.now(UTC)
    connection = connections[using]
    if connection.vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Sikkerhetskopi av {connection.vendor} støttes ikke, bare SQLite og PostgreSQL.")
    parent.mkdir(parents=True, exist_ok=True)
    name = f"stafett-{now:%Y%m%d-%H%M%S}"
    final = parent / name
    if final.exists():
        raise BackupError(f"{final} finnes allerede.")
    work = parent / f".{name}.part"
    work.mkdir(mode=0o700)  # the backup holds everything about every child: owner only
    try:
        if connection.vendor == "sqlite":
            database_file, snapshot, server = _backup_sqlite(connection.settings_dict["NAME"], work / SQLITE_FILE)
        else:
            database_file, snapshot, server = _backup_postgres(using, work / POSTGRES_FILE)
        files = _backup_files(work / FILES_TAR)
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(timespec="seconds"),
            "vendor": connection.vendor,
            "server_version": server,
            "database_file": database_file,
            **snapshot.as_json(),
            "files": files,
            # Which keys could open the national ID numbers then (ids only, never a key): see check_keys().
            "field_key_ids": [key.key_id for key in configured_keys()],
            "not_included": files["not_included"] + NOT_INCLUDED,
            "sha256": {p.name: _sha256(p) for p in sorted(work.iterdir())},
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        for path in work.iterdir():
            path.chmod(0o600)
            _fsync(path)
        work.rename(final)
        _fsync(parent)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return Backup(final, manifest)


def _backup_sqlite(source: str, target: Path) -> tuple[str, Snapshot, str]:
    src = sqlite3.connect(source, timeout=20)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # all pages in one step: one read lock, one consistent moment
        dst.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
    finally:
        dst.close()
        src.close()
    with _sqlite_alias(target) as alias:  # the manifest describes the copy itself
        snapshot = describe(alias)
    return SQLITE_FILE, snapshot, sqlite3.sqlite_version


def _backup_postgres(using: str, target: Path) -> tuple[str, Snapshot, str]:
    connection = connections[using]
    if connection.in_atomic_block:
        raise BackupError("Sikkerhetskopien må tas utenfor en transaksjon.")
    pg_dump = _tool("pg_dump")
    with transaction.atomic(using=using), connection.cursor() as cursor:
        # The dump, the counts and the audit head see the same snapshot: pg_dump joins ours.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot_id, server = cursor.fetchone()
        _run(
            [pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot_id}", f"--file={target}"],
            _pg_env(connection.settings_dict),
            "pg_dump",
        )
        snapshot = describe(using)
    return POSTGRES_FILE, snapshot, server


def _backup_files(target: Path) -> dict[str, Any]:
    folders, left_out = file_folders()
    included = []
    with tarfile.open(target, "w:gz") as tar:
        for name, folder in folders:
            if folder.is_dir():
                tar.add(folder, arcname=name)
            else:
                tar.add(target.parent, arcname=name, recursive=False)  # an empty folder: restore empties it too
            count, size = _count_files(folder)
            included.append({"name": name, "source": str(folder), "files": count, "bytes": size})
    return {"included": included, "not_included": left_out}


# --- restore ----------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict[str, Any]:
    """The backup's manifest, once every file it names has the hash it was written with."""
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"Finner ikke {path}: er {folder} en sikkerhetskopi fra `manage.py backup`?")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise BackupError(f"Kan ikke lese {path}: {e}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} er ikke en sikkerhetskopi i formatet {FORMAT}.")
    for name, expected in manifest["sha256"].items():
        file = folder / name
        if not file.is_file():
            raise BackupError(f"Sikkerhetskopien er ikke hel: {name} mangler.")
        if _sha256(file) != expected:
            raise BackupError(f"Sikkerhetskopien er endret eller skadet: {name} har ikke den lagrede SHA-256.")
    return manifest


def check_migrations(manifest: dict[str, Any]) -> list[str]:
    """Refuse a backup made by newer code (a migration this code does not have); return a note for
    each app where the code is newer than the backup (`migrate` brings the database forward)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    unknown = [
        f"{app}.{name}" for app, name in manifest["migrations"].items() if (app, name) not in loader.disk_migrations
    ]
    if unknown:
        raise BackupError(
            "Sikkerhetskopien er laget av en nyere versjon av Stafett enn denne: migreringene "
            f"{', '.join(unknown)} finnes ikke her. Oppgrader Stafett først, og gjenopprett så."
        )
    newer = []
    for app in sorted({app for app, _ in loader.disk_migrations}):
        leaves = {name for _, name in loader.graph.leaf_nodes(app)}
        if manifest["migrations"].get(app) not in leaves:
            newer.append(app)
    return (
        [f"Koden har nyere migreringer enn sikkerhetskopien ({', '.join(newer)}): kjør `manage.py migrate`."]
        if newer
        else []
    )


def check_keys(manifest: dict[str, Any]) -> list[str]:
    """A warning when none of the field keys configured at backup time is configured now."""
    then, now = set(manifest.get("field_key_ids", [])), {key.key_id for key in configured_keys()}
    if then and not then & now:
        return [
            "Advarsel: ingen av nøklene for feltkryptering som var i bruk da kopien ble tatt "
            f"({', '.join(sorted(then))}), er satt opp nå ({', '.join(sorted(now))}). "
            "Uten den nøkkelen kan fødselsnumrene ikke leses: sett den i STAFETT_FIELD_KEY først."
        ]
    return []


def in_use(using: str = DEFAULT_DB_ALIAS) -> str | None:
    """Why the database looks in use by another process, or None."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            others = cursor.fetchone()[0]
        connection.close()
        return f"{others} andre tilkoblinger til databasen er åpne." if others else None
    connections.close_all()  # ours do not count, and must not hold locks on the file (see below)
    shm = Path(connection.settings_dict["NAME"] + "-shm")
    if not shm.exists():
        return None
    # POSIX locks are per process, and closing any descriptor of the file drops all of this
    # process's locks on it: safe only because this process has no connection to it now.
    try:
        with shm.open("r+b") as f:
            try:
                fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, SQLITE_SHM_DMS)
            except OSError:
                return f"En annen prosess har databasen åpen ({shm.name} er låst)."
            fcntl.lockf(f, fcntl.LOCK_UN, 1, SQLITE_SHM_DMS)
    except OSError as e:
        return f"Kan ikke se om databasen er i bruk ({shm}: {e.strerror})."
    return None


@dataclass
class Restored:
    comparison: Comparison
    files: list[str]
    notes: list[str]


def restore_backup(
    folder: Path,
    *,
    using: str = DEFAULT_DB_ALIAS,
    force: bool = False,
    confirm: Callable[[dict[str, Any], list[str]], bool] = lambda manifest, notes: True,
) -> Restored:
    """Check the backup, replace the database and the files with it, and compare the result with
    the manifest. `confirm` is asked (with the manifest and the notes for the operator) after every
    check and before any change."""
    manifest = read_manifest(folder)
    connection = connections[using]
    if manifest["vendor"] != connection.vendor:
        raise BackupError(
            f"Sikkerhetskopien er fra {manifest['vendor']}, men databasen nå er {connection.vendor}. "
            "Flytt mellom databasetyper med `dumpdata`/`loaddata`, ikke med gjenoppretting."
        )
    notes = check_migrations(manifest) + check_keys(manifest)
    if connection.vendor == "sqlite":
        _check_sqlite_copy(folder / manifest["database_file"])
    reason = in_use(using)
    if reason and not force:
        raise BackupError(f"{reason} Stopp appen og arbeideren først, eller bruk --force.")
    if not confirm(manifest, notes):
        raise BackupError("Avbrutt: ingenting er endret.")
    if connection.vendor == "sqlite":
        _restore_sqlite(folder / manifest["database_file"], Path(connection.settings_dict["NAME"]), force=force)
    else:
        _restore_postgres(folder / manifest["database_file"], using, manifest)
    files = _restore_files(folder, manifest)
    connections[using].close()
    comparison = compare(manifest, describe(using))
    return Restored(comparison, files, notes)


def _check_sqlite_copy(path: Path) -> None:
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = con.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as e:
        raise BackupError(f"Databasefila i sikkerhetskopien kan ikke leses: {e}") from None
    finally:
        con.close()
    if result != "ok":
        raise BackupError(f"Databasefila i sikkerhetskopien er skadet: {result}")


def _restore_sqlite(copy: Path, target: Path, *, force: bool) -> None:
    connections.close_all()
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(f".{target.name}.restore-{secrets.token_hex(4)}")
    try:
        shutil.copyfile(copy, staged)
        staged.chmod(target.stat().st_mode & 0o777 if target.exists() else 0o600)
        _fsync(staged)
        if target.exists():
            # Everything in the old WAL goes into the old file first, and the WAL is emptied, so
            # nothing of the old database can be replayed into the new file.
            con = sqlite3.connect(target, timeout=20)
            try:
                busy = con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            finally:
                con.close()
            if busy and not force:
                raise BackupError(
                    "Databasen er i bruk (loggen kunne ikke tømmes). Stopp appen først, eller bruk --force."
                )
        os.replace(staged, target)
    finally:
        staged.unlink(missing_ok=True)
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    _fsync(target.parent)


def _restore_postgres(dump: Path, using: str, manifest: dict[str, Any]) -> None:
    connection = connections[using]
    pg_restore, psql = _tool("pg_restore"), _tool("psql")
    with connection.cursor() as cursor:
        extra = sorted(set(connection.introspection.table_names(cursor)) - manifest["row_counts"].keys())
    env = _pg_env(connection.settings_dict)
    connection.close()
    drops = [f"DROP TABLE IF EXISTS public.{connection.ops.quote_name(t)} CASCADE;" for t in extra]
    with tempfile.TemporaryFile() as errors:
        script = subprocess.Popen(
            [pg_restore, "--clean", "--if-exists", "--no-owner", "--file=-", str(dump)],
            stdout=subprocess.PIPE,
            stderr=errors,
            env=env,
        )
        assert script.stdout is not None
        try:
            # One transaction for the drops and the whole script: a failure leaves the database as it was.
            command = [psql, "--no-psqlrc", "--quiet", "--no-password", "-v", "ON_ERROR_STOP=1", "--single-transaction"]
            command += ["--command=" + " ".join(drops)] if drops else []
            _run([*command, "--file=-"], env, "Gjenopprettingen (psql)", stdin=script.stdout)
        finally:
            script.stdout.close()
            script.wait()
        if script.returncode != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip()[-2000:]
            raise BackupError(f"pg_restore feilet (kode {script.returncode}): {message}")


def _restore_files(folder: Path, manifest: dict[str, Any]) -> list[str]:
    """Put back each folder the backup has, where this installation keeps it now; say what is not."""
    folders, left_out = file_folders()
    in_backup = {entry["name"]: entry for entry in manifest["files"]["included"]}
    said = list(left_out)
    tar_path = folder / FILES_TAR
    with tarfile.open(tar_path, "r:gz") as tar:
        for name, destination in folders:
            if name not in in_backup:
                said.append(f"{destination} er ikke i sikkerhetskopien og står urørt.")
                continue
            _restore_folder(tar, name, destination)
            said.append(f"{destination}: {in_backup[name]['files']} filer lagt tilbake.")
    return said
