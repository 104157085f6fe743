"""Issue 12 §3 benchmark, not a test: the heavy pages under closed-loop load, beside `/helse/`.

    .venv/bin/python bench/load.py                               # scale 1.0, SQLite, 16 clients, 30 s
    .venv/bin/python bench/load.py --scale 0.05 --seconds 5      # smoke check (CI), well under 90 s
    .venv/bin/python bench/load.py --clients 1 --seconds 20      # one client: the server time per page
    .venv/bin/python bench/load.py --database-url postgres://postgres@127.0.0.1:5432/load_bench

The scale-N municipality comes from bench/oslo.py's generator (bench/oslo_data.py) and is kept
under var/bench/, keyed by scale and database, so the next run reuses it (--rebuild builds it
again; a PostgreSQL database is dropped and created, so its name must contain "bench").

gunicorn serves it on 127.0.0.1 as production would: DEBUG off, static files collected, secure
cookies; the requests carry `X-Forwarded-Proto: https` as the TLS proxy in front would. The cast
signs in honestly, one real session per role, through the app's OpenID Connect login: a small
provider in this process (tests/oidc/fake_provider.py) answers discovery, JWKS and the token
endpoint, the app checks the signed ID token and finds the person by e-mail (staff) or national
ID (the guardian, ID-porten). Then --clients threads each send one request after another (closed
loop) for --seconds, cycling through the pages of issue 12's table and `/helse/` (the floor page,
measured in the same run: the ratio to it is the figure that holds on a noisy machine).
The server is stopped and the run ends by itself; nothing but 127.0.0.1 is ever asked.
"""

import argparse
import json
import os
import platform
import random
import secrets
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(ROOT))

import oslo  # noqa: E402 — bench/oslo.py: database set-up and the generator
from load_http import FLOOR, HOST, Browser, Login, Server, free_port, gunicorn, sign_in  # noqa: E402,F401

HTML_P95_TARGET_MS = 150.0
MIX_TARGET_RPS = 150.0
CITIZEN_ACR = "idporten-loa-high"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 is Oslo-sized; 0.05 is a smoke check")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long the clients send requests")
    parser.add_argument("--clients", type=int, default=16, help="closed-loop clients (threads)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn worker processes")
    parser.add_argument(
        "--database-url", help="PostgreSQL (name must contain 'bench'); default SQLite under var/bench/"
    )
    parser.add_argument("--rebuild", action="store_true", help="build the database again even if one is kept")
    args = parser.parse_args(argv)
    if args.database_url and not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("--database-url takes a PostgreSQL URL; SQLite is kept under var/bench/")
    if args.clients < 1 or args.seconds <= 0:
        parser.error("--clients must be at least 1 and --seconds more than 0")
    return args


# --- the database, built once per scale and database ---------------------------------


@dataclass(frozen=True)
class Place:
    """Where one scale-and-database combination is kept: the SQLite file (or the PostgreSQL URL),
    the field-encryption key the national IDs were written with, and the marker of a finished build."""

    var_dir: Path
    url: str
    postgres: bool

    @property
    def marker(self) -> Path:
        return self.var_dir / "built.json"


def place_for(scale: float, database_url: str | None) -> Place:
    if database_url:
        import dj_database_url

        name = str(dj_database_url.parse(database_url)["NAME"])
        var_dir = ROOT / "var" / "bench" / f"load-{name}"
        return Place(var_dir, database_url, True)
    var_dir = ROOT / "var" / "bench" / f"load-sqlite-scale-{scale:g}"
    return Place(var_dir, f"sqlite:///{var_dir / 'bench.sqlite3'}", False)


def kept(place: Place, scale: float) -> bool:
    try:
        built = json.loads(place.marker.read_text())
    except (OSError, ValueError):
        return False
    return bool(
        built.get("scale") == scale and built.get("url") == place.url and (place.var_dir / "field.key").exists()
    )


def prepare_database(place: Place, scale: float, rebuild: bool) -> str:
    """Reuse the kept database, or build it; returns what was done, for the report."""
    reuse = not rebuild and kept(place, scale)
    if not reuse:
        shutil.rmtree(place.var_dir, ignore_errors=True)
        if place.postgres:
            oslo.recreate_postgres(place.url)
    place.var_dir.mkdir(parents=True, exist_ok=True)
    oslo.setup_django(place.url, place.var_dir)  # DEBUG in this process only: the field key file
    start = time.perf_counter()
    oslo.migrate()  # a new migration since the build applies to the kept database too
    if reuse:
        return f"reused (built {json.loads(place.marker.read_text())['built']})"
    print(f"Building scale {scale:g} in {place.url} …", flush=True)
    oslo.build(scale)
    oslo.settle()
    from django.utils import timezone

    place.marker.write_text(json.dumps({"scale": scale, "url": place.url, "built": f"{timezone.localdate()}"}))
    return f"built in {time.perf_counter() - start:.0f} s"


# --- the cast -------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    label: str
    role: str  # "" for anonymous
    path: str


def _staff(person: Any) -> Login:
    return Login("staff", {"sub": f"load-{person.code}", "email": person.email, "email_verified": True})


def cast_and_pages() -> tuple[dict[str, Login], list[Page], dict[str, str]]:
    """The people of issue 12's table, found in the built data, and the pages each one asks for."""
    from django.db.models import Count, Q

    from stafett.followup.overview import OPEN_STATUSES
    from stafett.logs.models import Participant, RelayLog
    from stafett.people.models import Guardianship, Membership, Role

    admin = Membership.objects.active().filter(role=Role.SYSTEM_ADMIN).select_related("person").first()
    assert admin is not None, "the data has no system administrator"
    busiest = (
        RelayLog.objects.filter(status__in=OPEN_STATUSES)
        .values("unit")
        .annotate(n=Count("id"))
        .order_by("-n", "unit")
        .first()
    )
    assert busiest is not None, "no open logs were built"
    leader = (
        Membership.objects.active()
        .filter(unit=busiest["unit"], role=Role.LEADER)
        .select_related("person", "unit")
        .order_by("id")
        .first()
    )
    assert leader is not None, "the busiest unit has no leader"
    # The biggest open log with a guardian and an active participant: its holder, a guardian, a participant.
    big = (
        RelayLog.objects.filter(status__in=OPEN_STATUSES, subject__guardianships__isnull=False)
        .annotate(
            size=Count("measures", distinct=True),
            active=Count("participants", filter=Q(participants__removed_at__isnull=True), distinct=True),
        )
        .filter(active__gt=0)
        .order_by("-size", "id")
        .select_related("holder")
        .first()
    )
    assert big is not None, "no open log with a guardian and a participant"
    guardian = Guardianship.objects.filter(child=big.subject_id).select_related("guardian").order_by("id").first()
    in_big = Participant.objects.filter(log=big, removed_at__isnull=True).select_related("person").order_by("id")
    participant_of_big = in_big.first()
    assert guardian is not None and participant_of_big is not None
    # The participant start page and /varsler/ grow with the person's own logs: the busiest participant.
    busiest_participant = (
        Participant.objects.filter(removed_at__isnull=True, log__status__in=OPEN_STATUSES)
        .values("person")
        .annotate(n=Count("id"))
        .order_by("-n", "person")
        .first()
    )
    assert busiest_participant is not None
    from stafett.people.models import Person

    participant = Person.objects.get(pk=busiest_participant["person"])
    logins = {
        "admin": _staff(admin.person),
        "leader": _staff(leader.person),
        "holder": _staff(big.holder),
        "participant": _staff(participant),
        "participant of the log": _staff(participant_of_big.person),
        "guardian": Login(
            "citizen",
            {"sub": f"load-{guardian.guardian.code}", "pid": guardian.guardian.national_id, "acr": CITIZEN_ACR},
        ),
    }
    log = f"/logg/{big.code}/"
    pages = [
        Page("/helse/ (floor)", "", FLOOR),
        Page("/statistikk/ (system admin)", "admin", "/statistikk/"),
        Page("log PDF (biggest open log)", "holder", f"{log}utskrift.pdf"),
        Page("participant start page /", "participant", "/"),
        Page("participant /varsler/", "participant", "/varsler/"),
        Page("leader overview", "leader", f"/tjenestested/{leader.unit.code}/oversikt/"),
        Page("holder start page /", "holder", "/"),
        Page("log page as holder", "holder", log),
        Page("log page as guardian", "guardian", log),
        Page("log page as participant", "participant of the log", log),
    ]
    open_logs_of_participant = busiest_participant["n"]
    about = {
        "leader": f"{leader.unit.name}, {busiest['n']} open logs",
        "big log": f"{big.size} measures, {big.active} participants",
        "participant": f"in {open_logs_of_participant} open logs",
    }
    return logins, pages, about


# --- the server -----------------------------------------------------------------------


def server_environment(place: Place, issuer: str, client_secret: str, extra_logins: int) -> dict[str, str]:
    static = ROOT / "var" / "bench" / "static"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "stafett.settings",
        "PYTHONPATH": str(ROOT),
        "STAFETT_DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": place.url,
        "STAFETT_VAR_DIR": str(place.var_dir),
        "STAFETT_FIELD_KEY_FILE": str(place.var_dir / "field.key"),
        "STAFETT_STATIC_ROOT": str(static),
        "STAFETT_ALLOW_SYNTHETIC_IDS": "true",  # the built people have synthetic national IDs
        "STAFETT_TASKS_IMMEDIATE": "false",  # deliveries stay queued: nothing is sent
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "STAFETT_LIMIT_LOGIN_PER_IP": str(30 + extra_logins),
        "OIDC_STAFF_ISSUER": issuer,
        "OIDC_STAFF_CLIENT_ID": "stafett-load-staff",
        "OIDC_STAFF_CLIENT_SECRET": client_secret,
        "OIDC_CITIZEN_ISSUER": issuer,
        "OIDC_CITIZEN_CLIENT_ID": "stafett-load-citizen",
        "OIDC_CITIZEN_CLIENT_SECRET": client_secret,
        "OIDC_CITIZEN_ACR": CITIZEN_ACR,
    }
    env.pop("STAFETT_FIELD_KEY", None)
    env.pop("STAFETT_DEMO", None)
    return env


def static_fingerprint() -> str:
    """What collectstatic's output depends on: the app's static files and Django's version."""
    import hashlib

    import django

    digest = hashlib.sha256(django.__version__.encode())
    for path in sorted((ROOT / "stafett" / "static").rglob("*")):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(ROOT)}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def collectstatic(env: dict[str, str]) -> str:
    """Production serves static files through whitenoise's manifest: collected again when they change."""
    marker = Path(env["STAFETT_STATIC_ROOT"]) / ".load-fingerprint"
    fingerprint = static_fingerprint()
    if marker.exists() and marker.read_text() == fingerprint:
        return "static files kept"
    subprocess.run(  # noqa: S603 — our own command line
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--clear", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    marker.write_text(fingerprint)
    return "static files collected"


# --- the load -------------------------------------------------------------------------


@dataclass
class Tally:
    times_ms: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    first_error: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, page: Page, ms: float, ok: bool, size: int, error: str) -> None:
        with self.lock:
            self.times_ms.setdefault(page.label, []).append(ms)
            self.sizes[page.label] = max(self.sizes.get(page.label, 0), size)
            if not ok:
                self.errors[page.label] = self.errors.get(page.label, 0) + 1
                self.first_error.setdefault(page.label, error)


def client_loop(number: int, pages: list[Page], browsers: dict[str, Browser], stop_at: float, tally: Tally) -> None:
    order = pages[:]
    random.Random(12).shuffle(order)  # noqa: S311 — the order of pages, not security
    i = number  # each client starts elsewhere in the cycle: every page is asked for from the start
    while time.monotonic() < stop_at:
        page = order[i % len(order)]
        i += 1
        signed_in = browsers[page.role]
        browser = Browser(signed_in.port, dict(signed_in.cookies))  # the role's session; a copy per request
        start = time.perf_counter()
        try:
            answer = browser.get(page.path)
            ok, size, error = answer.status == 200, len(answer.body), f"HTTP {answer.status}"
        except OSError as e:
            ok, size, error = False, 0, f"{type(e).__name__}: {e}"
        tally.add(page, (time.perf_counter() - start) * 1000, ok, size, error)


def drive(pages: list[Page], browsers: dict[str, Browser], clients: int, seconds: float) -> tuple[Tally, float]:
    tally = Tally()
    stop_at = time.monotonic() + seconds
    threads = [
        threading.Thread(target=client_loop, args=(n, pages, browsers, stop_at, tally), daemon=True)
        for n in range(clients)
    ]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally, time.perf_counter() - start


def warm_up(pages: list[Page], browsers: dict[str, Browser], rounds: int = 1) -> None:
    """Each page a few times before the clock runs (templates, caches); a page that fails stops the run."""
    for _ in range(rounds):
        for page in pages:
            answer = browsers[page.role].get(page.path)
            if answer.status != 200:
                raise SystemExit(f"{page.label} ({page.path}) answered {answer.status}: {answer.body[:300]!r}")


# --- the report -----------------------------------------------------------------------


def percentile(sorted_ms: list[float], p: float) -> float:
    if not sorted_ms:
        return float("nan")
    k = (len(sorted_ms) - 1) * p / 100
    low = int(k)
    high = min(low + 1, len(sorted_ms) - 1)
    return sorted_ms[low] + (sorted_ms[high] - sorted_ms[low]) * (k - low)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def report(
    args: argparse.Namespace,
    place: Place,
    how: str,
    about: dict[str, str],
    pages: list[Page],
    tally: Tally,
    elapsed: float,
    load_before: str,
) -> None:
    from django.utils import timezone

    print(f"\nStafett load benchmark (issue 12) — {timezone.localtime():%Y-%m-%d %H:%M}")
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"{oslo.database_label()}; gunicorn {args.workers} workers, DEBUG off"
    )
    counts = oslo.table_counts()
    print(
        f"Data: scale {args.scale:g} ({how}): "
        + ", ".join(f"{counts[k]:,} {k}" for k in ("units", "logs", "measures", "audit rows"))
    )
    print("Cast: " + "; ".join(f"{k}: {v}" for k, v in about.items()))
    print(
        f"Load average: {load_before} before, {load_average()} after (1, 5, 15 min; other work on the machine counts)"
    )
    total = sum(len(v) for v in tally.times_ms.values())
    errors = sum(tally.errors.values())
    print(
        f"{args.clients} closed-loop clients for {elapsed:.1f} s: {total:,} requests, "
        f"{total / elapsed:.1f} requests/s, {errors} errors\n"
    )
    floor = sorted(tally.times_ms.get(pages[0].label, []))
    f50, f95 = percentile(floor, 50), percentile(floor, 95)
    header = "| page | requests | req/s | p50 ms | p95 ms | p99 ms | × /helse/ p50 | × /helse/ p95 | errors | KB |"
    print(header)
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for page in pages:
        times = sorted(tally.times_ms.get(page.label, []))
        p50, p95, p99 = (percentile(times, p) for p in (50, 95, 99))
        print(
            f"| {page.label} | {len(times):,} | {len(times) / elapsed:.1f} | {p50:.1f} | {p95:.1f} | {p99:.1f} "
            f"| ×{p50 / f50:.1f} | ×{p95 / f95:.1f} | {tally.errors.get(page.label, 0)} "
            f"| {tally.sizes.get(page.label, 0) / 1024:.0f} |"
        )
    for label, error in tally.first_error.items():
        print(f"  first error on {label}: {error}")
    html = [p for p in pages[1:] if not p.path.endswith(".pdf")]
    worst = max(html, key=lambda p: percentile(sorted(tally.times_ms.get(p.label, [0.0])), 95))
    worst_p95 = percentile(sorted(tally.times_ms.get(worst.label, [0.0])), 95)
    ok = "OK" if worst_p95 < HTML_P95_TARGET_MS else "MISSED"
    print(
        f"\nTargets (issue 12, at scale 1 with 16 clients): HTML p95 < {HTML_P95_TARGET_MS:.0f} ms — worst "
        f"{worst.label} {worst_p95:.0f} ms [{ok}]; mix ≥ {MIX_TARGET_RPS:.0f} requests/s — "
        f"{total / elapsed:.0f} [{'OK' if total / elapsed >= MIX_TARGET_RPS else 'MISSED'}]"
    )


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    place = place_for(args.scale, args.database_url)
    how = prepare_database(place, args.scale, args.rebuild)
    logins, pages, about = cast_and_pages()
    from django.db import connections

    connections.close_all()  # the server has the database to itself
    from tests.oidc.fake_provider import CLIENT_SECRET, FakeProvider

    provider = FakeProvider().start()
    try:
        env = server_environment(place, provider.issuer, CLIENT_SECRET, len(logins))
        static = collectstatic(env)
        print(f"Database {how}, {static} ({time.perf_counter() - started:.0f} s); starting gunicorn …", flush=True)
        log = place.var_dir / "gunicorn.log"
        with gunicorn(env, args.workers, log) as server:
            port = server.port
            browsers = {"": Browser(port)} | {role: sign_in(port, provider, login) for role, login in logins.items()}
            warm_up(pages, browsers)
            print(
                f"Ready after {time.perf_counter() - started:.0f} s; {args.clients} clients for {args.seconds:g} s …",
                flush=True,
            )
            load_before = load_average()
            tally, elapsed = drive(pages, browsers, args.clients, args.seconds)
        report(args, place, how, about, pages, tally, elapsed, load_before)
        print(f"Whole run {time.perf_counter() - started:.0f} s; server log {log}")
    finally:
        provider.stop()
        connections.close_all()


if __name__ == "__main__":
    main(sys.argv[1:])
