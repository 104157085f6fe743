"""Issue 5 benchmark, not a test: an Oslo-sized municipality in a fresh database, then the daily
reminder job and the leader's overview page, timed.

    .venv/bin/python bench/oslo.py                  # SQLite in a temporary directory
    .venv/bin/python bench/oslo.py --database-url postgres://postgres@127.0.0.1:5432/stafett_bench
    .venv/bin/python bench/oslo.py --scale 0.05     # smoke check, well under a minute

At scale 1.0: about 150 units, 3,000 staff, 12,000 logs, 100,000 measures and 1,000,000 audit
rows (bench/oslo_data.py builds them). The figures are printed beside the targets — reminder
job under 30 s, leader page under 200 ms — and never fail the run. The PostgreSQL database is
dropped and created again, so its name must contain "bench"; it is dropped afterwards unless
--keep is given.
"""

import argparse
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REMINDER_TARGET_S = 30.0
PAGE_TARGET_MS = 200.0


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL database to drop and create (default: temporary SQLite)")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 is Oslo-sized; 0.05 is a smoke check")
    parser.add_argument("--requests", type=int, default=20, help="timed requests of the leader page")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards (to EXPLAIN queries)")
    return parser.parse_args(argv)


# --- the database --------------------------------------------------------------------


def _postgres_admin(url: str) -> tuple[Any, str]:
    """A connection to the server's maintenance database, and the bench database's name."""
    import dj_database_url
    import psycopg

    cfg = dj_database_url.parse(url)
    name = str(cfg["NAME"])
    if "bench" not in name:
        raise SystemExit(f"The database {name!r} would be dropped; use a name with 'bench' in it.")
    conn = psycopg.connect(
        host=cfg.get("HOST") or None,
        port=cfg.get("PORT") or None,
        user=cfg.get("USER") or None,
        password=cfg.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )
    return conn, name


def recreate_postgres(url: str, *, create: bool = True) -> None:
    from psycopg import sql

    conn, name = _postgres_admin(url)
    with conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if create:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django(database_url: str, var_dir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "stafett.settings"
    os.environ["STAFETT_DEBUG"] = "true"
    os.environ["DATABASE_URL"] = database_url
    # huey's queue file and uploads go to the temporary directory, not the repository's var/;
    # queued deliveries stay queued (nothing is sent).
    os.environ["STAFETT_VAR_DIR"] = str(var_dir)
    os.environ["STAFETT_TASKS_IMMEDIATE"] = "false"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- measuring -------------------------------------------------------------------------


class QueryCounter:
    """Counts every SQL statement (connection.execute_wrapper); unlike connection.queries it has no cap."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


@dataclass(frozen=True)
class Timed:
    seconds: float
    cpu_seconds: float  # this process only: tells a busy machine from slow code
    queries: int
    result: Any


def timed(fn: Callable[[], Any]) -> Timed:
    from django.db import connection

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    return Timed(seconds, cpu, counter.count, result)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def migrate() -> Timed:
    from django.core.management import call_command

    return timed(lambda: call_command("migrate", verbosity=0, interactive=False))


def build(scale: float) -> Timed:
    from oslo_data import OsloBuilder, Sizes  # after django.setup(): it imports the models

    builder = OsloBuilder(Sizes.at(scale))
    return timed(builder.build)


def settle() -> Timed:
    """PostgreSQL: VACUUM ANALYZE, as autovacuum would have done long before a real database held
    this much. SQLite keeps no planner statistics unless asked, and the app does not ask."""
    from django.db import connection

    def vacuum() -> None:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")

    return timed(vacuum)


def reminder_runs() -> tuple[Timed, Timed]:
    from django.utils import timezone

    from stafett.core.reminders import run_reminders

    today = timezone.localdate()
    first = timed(lambda: run_reminders(today))
    second = timed(lambda: run_reminders(today))  # everything is queued already: nothing new
    return first, second


@dataclass(frozen=True)
class PageFigures:
    unit_name: str
    open_logs: int
    path: str
    status: int
    times_ms: list[float]
    cpu_ms: list[float]
    queries: int


def leader_page(requests: int) -> PageFigures:
    """GET /tjenestested/<code>/oversikt/ as the leader of the unit with the most open logs."""
    from django.db.models import Count
    from django.test import Client

    from stafett.followup.overview import OPEN_STATUSES
    from stafett.logs.models import RelayLog
    from stafett.people.models import Membership, Role, Unit

    busiest = (
        RelayLog.objects.filter(status__in=OPEN_STATUSES)
        .values("unit")
        .annotate(n=Count("id"))
        .order_by("-n", "unit")
        .first()
    )
    assert busiest is not None, "no open logs were built"
    unit = Unit.objects.get(pk=busiest["unit"])
    leader = Membership.objects.active().filter(unit=unit, role=Role.LEADER).select_related("person").first()
    assert leader is not None, f"{unit} has no leader"
    client = Client(headers={"host": "localhost"})  # DEBUG allows localhost; no test-runner instrumentation
    client.force_login(leader.person)
    path = f"/tjenestested/{unit.code}/oversikt/"
    for _ in range(3):  # warm-up: templates, URL resolver, database caches
        client.get(path)
    times, cpu, status, queries = [], [], 0, 0
    for _ in range(requests):
        t = timed(lambda: client.get(path))
        times.append(t.seconds * 1000)
        cpu.append(t.cpu_seconds * 1000)
        status, queries = t.result.status_code, t.queries
    return PageFigures(unit.name, busiest["n"], path, status, times, cpu, queries)


# --- the report ------------------------------------------------------------------------


def table_counts() -> dict[str, int]:
    from stafett.audit.models import AuditEvent
    from stafett.logs.models import Evaluation, Handover, HandoverStatus, Measure, Meeting, Participant, RelayLog
    from stafett.people.models import Membership, Person, Role, Unit

    return {
        "units": Unit.objects.count(),
        "staff memberships": Membership.objects.count(),
        "leaders": Membership.objects.active().filter(role=Role.LEADER).count(),
        "persons": Person.objects.count(),
        "logs": RelayLog.objects.count(),
        "participants": Participant.objects.count(),
        "measures": Measure.objects.count(),
        "evaluations": Evaluation.objects.count(),
        "meetings": Meeting.objects.count(),
        "pending handovers": Handover.objects.filter(status=HandoverStatus.PROPOSED).count(),
        "audit rows": AuditEvent.objects.count(),
    }


def database_label() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        v = connection.pg_version
        return f"PostgreSQL {v // 10000}.{v % 10000}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version} (WAL)"


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


def report(scale: float, setup: tuple[Timed, Timed, Timed], runs: tuple[Timed, Timed], page: PageFigures) -> None:
    from django.utils import timezone

    migrated, built, settled = setup
    counts = table_counts()
    median = statistics.median(page.times_ms)
    load = " ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nStafett benchmark, Oslo-sized municipality at scale {scale:g} — {timezone.localdate():%Y-%m-%d}")
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, {database_label()}"
    )
    print("Data: " + ", ".join(f"{n:,} {name}" for name, n in counts.items()))
    print(f"Load average:   {load} (other work on the machine slows the wall-clock figures; CPU is this process)")
    print(
        f"Build:          migrate {migrated.seconds:.1f} s, data {built.seconds:.1f} s "
        f"(CPU {built.cpu_seconds:.1f} s), vacuum/analyze {settled.seconds:.1f} s"
    )
    for label, run in zip(("Reminder job:", "  second run:"), runs, strict=True):
        print(
            f"{label:<15} {run.seconds:.2f} s (CPU {run.cpu_seconds:.2f} s), {run.result:,} queued, {run.queries:,} "
            f"queries   [target < {REMINDER_TARGET_S:.0f} s: {verdict(run.seconds < REMINDER_TARGET_S)}]"
        )
    print(f"Leader page:    {page.unit_name} ({page.open_logs:,} open logs), HTTP {page.status}, {page.path}")
    print(
        f"  median {median:.1f} ms (CPU {statistics.median(page.cpu_ms):.1f} ms; min {min(page.times_ms):.1f}, "
        f"max {max(page.times_ms):.1f}) over {len(page.times_ms)} requests, {page.queries} queries a page"
        f"   [target < {PAGE_TARGET_MS:.0f} ms: {verdict(median < PAGE_TARGET_MS)}]"
    )
    print(f"Peak RSS:       {peak_rss_mb():.0f} MB (this process; the database server not included)")


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    if args.database_url and not args.database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("--database-url takes a PostgreSQL URL; SQLite always runs in a temporary directory.")
    var_dir = Path(tempfile.mkdtemp(prefix="stafett-bench-"))
    url = args.database_url or f"sqlite:///{var_dir / 'bench.sqlite3'}"
    django_ready = False
    try:
        if args.database_url:
            recreate_postgres(url)
        setup_django(url, var_dir)
        django_ready = True
        print(f"Building at scale {args.scale:g} in {url} …", flush=True)
        migrated = migrate()
        built = build(args.scale)
        settled = settle()
        print(f"Built in {built.seconds:.1f} s; running the reminder job …", flush=True)
        runs = reminder_runs()
        page = leader_page(args.requests)
        report(args.scale, (migrated, built, settled), runs, page)
    finally:
        if django_ready:
            from django.db import connections

            connections.close_all()
        if args.keep:
            print(f"Kept: {url}")
        elif args.database_url:
            recreate_postgres(url, create=False)
        if not (args.keep and not args.database_url):
            shutil.rmtree(var_dir, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1:])
