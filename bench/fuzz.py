"""Issue 13 §2 benchmark, not a test: bad input against a live server, counted by status class.
The goal is 0 answers of 5xx.

    .venv/bin/python bench/fuzz.py                      # 100,000 requests, SQLite in a temporary directory
    .venv/bin/python bench/fuzz.py --requests 20000 --workers 2
    .venv/bin/python bench/fuzz.py --database-url postgres://postgres@127.0.0.1:5432/fuzz_bench

A fresh database is migrated and filled with the demo (seed_demo, plus a level-0 note), then
`manage.py runserver --noreload` serves it (gunicorn when it is installed). Every person the
fuzz needs signs in through the demo login (`/demo/logg-inn/`) with a real CSRF token; each
request goes to one of the app's URLs, filled in with real objects, as a person who may use it
(tests/fuzz/targets.py), with bad input made by tests/fuzz/payloads.py — the same generators as
the suite's fuzz test. A request that stored something is followed by a look at the page it
leads to. The state drifts as a round goes on (logs are closed, consents withdrawn, as in use);
after each round (--round, 2,000 requests) the seeded database is put back, signed-in sessions
and all, so the next round finds open logs to write in again.

Sign-out and the demo login itself are left out of the random requests here (they would end the
bench's own sessions, and the demo login is rate limited per IP); the suite's fuzz test sends
them bad input too. The PostgreSQL database is dropped and created again, so its name must
contain "bench"; it is dropped afterwards unless --keep is given.
"""

import argparse
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LEFT_OUT = {"accounts:logout", "accounts:demo_login"}
SHOWN = 5  # 5xx shown in full


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100_000, help="requests to send (default 100,000)")
    parser.add_argument("--database-url", help="a PostgreSQL database to drop and create (default: temporary SQLite)")
    parser.add_argument("--workers", type=int, default=2, help="requests in flight at once")
    parser.add_argument("--round", type=int, default=2_000, help="requests before the database is put back")
    parser.add_argument("--seed", type=int, default=13, help="the run's random seed (the same seed, the same requests)")
    parser.add_argument("--keep", action="store_true", help="keep the database and the server's log afterwards")
    return parser.parse_args(argv)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def environment(database_url: str, var_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "stafett.settings",
        "STAFETT_DEBUG": "true",  # the demo login exists only in debug mode
        "STAFETT_DEMO": "true",
        "DATABASE_URL": database_url,
        "STAFETT_VAR_DIR": str(var_dir),
        "STAFETT_TASKS_IMMEDIATE": "false",  # deliveries stay queued: nothing is sent
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "PYTHONPATH": str(ROOT),
    }


def prepare(database_url: str, var_dir: Path) -> list[Any]:
    """Migrate, seed, and return the targets (in this process, on the server's database)."""
    os.environ.update(environment(database_url, var_dir))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from stafett.core.demo_data import seed_demo
    from tests.fuzz.targets import add_missing_objects, targets

    call_command("migrate", verbosity=0, interactive=False)
    call_command("createcachetable", verbosity=0)
    seed_demo()
    add_missing_objects()
    from django.db import connections

    found = [t for t in targets() if t.name not in LEFT_OUT]
    connections.close_all()
    return found


class Server:
    """`manage.py runserver --noreload` (gunicorn when installed) on the bench's database."""

    def __init__(self, database_url: str, var_dir: Path, log: Path) -> None:
        self.env = environment(database_url, var_dir)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        import requests

        gunicorn = shutil.which("gunicorn") or str(Path(sys.executable).parent / "gunicorn")
        if Path(gunicorn).exists():
            cmd = [gunicorn, "stafett.wsgi", "-b", f"127.0.0.1:{self.port}", "-w", "2", "--timeout", "120"]
        else:
            cmd = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{self.port}"]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603 — our own command line
                cmd, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        for _ in range(600):
            try:
                requests.get(f"{self.base}/helse/", timeout=2)
                return
            except requests.ConnectionError:
                if self.process.poll() is not None:
                    raise SystemExit(f"The server stopped; see {self.log}") from None
                time.sleep(0.2)
        raise SystemExit(f"The server did not answer; see {self.log}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=60)
        self.process = None


class Snapshot:
    """The seeded database with every session signed in, put back between rounds so the fuzz
    keeps finding open logs to write in (a round closes logs, withdraws consents, …). The server
    keeps running: it holds no connection between requests (CONN_MAX_AGE 0), and nothing is in
    flight between rounds. (Restarting it would pick up code edited meanwhile.)"""

    def __init__(self, database_url: str, tmp: Path) -> None:
        self.url, self.tmp = database_url, tmp

    def _sqlite_copy(self, source: Path, target: Path) -> None:
        import sqlite3

        with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
            src.backup(dst)

    def _folders(self) -> list[Path]:
        """Uploaded files and archive copies: a round deletes some, and their rows come back."""
        return [d for d in self.tmp.iterdir() if d.is_dir() and d.name != "pristine"]

    def take(self) -> None:
        (self.tmp / "pristine").mkdir()
        for folder in self._folders():
            shutil.copytree(folder, self.tmp / "pristine" / folder.name)
        if self.url.startswith("sqlite"):
            self._sqlite_copy(Path(self.url.removeprefix("sqlite:///")), self.tmp / "pristine" / "db.sqlite3")
        else:
            self._postgres("DROP DATABASE IF EXISTS {copy}", "CREATE DATABASE {copy} TEMPLATE {db}")

    def restore(self) -> None:
        saved = self.tmp / "pristine"
        names = {d.name for d in self._folders()} | {d.name for d in saved.iterdir() if d.is_dir()}
        for name in sorted(names):
            shutil.rmtree(self.tmp / name, ignore_errors=True)
            if (saved / name).is_dir():
                shutil.copytree(saved / name, self.tmp / name)
        if self.url.startswith("sqlite"):
            self._sqlite_copy(self.tmp / "pristine" / "db.sqlite3", Path(self.url.removeprefix("sqlite:///")))
        else:
            self._postgres("DROP DATABASE IF EXISTS {db} WITH (FORCE)", "CREATE DATABASE {db} TEMPLATE {copy}")

    def drop(self) -> None:
        if not self.url.startswith("sqlite"):
            self._postgres("DROP DATABASE IF EXISTS {copy}")

    def _postgres(self, *statements: str) -> None:
        from oslo import _postgres_admin
        from psycopg import sql

        conn, name = _postgres_admin(self.url)
        with conn:
            for statement in statements:
                names = {"db": sql.Identifier(name), "copy": sql.Identifier(f"{name}_pristine")}
                conn.execute(sql.SQL(statement).format(**names))


@dataclass
class Tally:
    statuses: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    server_errors: int = 0
    failed_logins: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, status: int, what: str) -> None:
        with self.lock:
            self.statuses[f"{status // 100}xx"] += 1
            if status >= 500:
                self.server_errors += 1
                if len(self.errors) < SHOWN:
                    self.errors.append(f"{status} {what}")


class Worker:
    """One thread's sessions (one per person, signed in through the demo login) and requests."""

    def __init__(self, base: str, forms: dict[tuple[str, str], Any], tally: Tally) -> None:
        import requests

        self.base, self.forms, self.tally = base, forms, tally
        self.sessions: dict[str, requests.Session] = {}
        self.requests = requests

    def session(self, person_code: str) -> Any:
        if person_code not in self.sessions:
            self.sessions[person_code] = self.sign_in(person_code)
        return self.sessions[person_code]

    def sign_in(self, person_code: str) -> Any:
        s = self.requests.Session()
        s.get(f"{self.base}/demo/logg-inn/", timeout=60)
        if person_code:
            token = s.cookies.get("csrftoken", "")
            r = s.post(
                f"{self.base}/demo/logg-inn/",
                data={"csrfmiddlewaretoken": token, "person": person_code},
                headers={"Referer": f"{self.base}/demo/logg-inn/"},
                allow_redirects=False,
                timeout=60,
            )
            if r.status_code != 302:
                with self.tally.lock:
                    self.tally.failed_logins += 1
        return s

    def send(self, s: Any, request: Any) -> Any:
        headers = {**request.headers, "Referer": f"{self.base}{request.path}"}
        if request.content_type:
            headers["Content-Type"] = request.content_type
        return s.request(
            request.method,
            f"{self.base}{request.path}",
            data=request.body or None,
            headers=headers,
            allow_redirects=False,
            timeout=120,
        )

    def one(self, rng: random.Random, target: Any) -> None:
        from tests.fuzz import payloads

        s = self.session(target.person_code)
        forms = [f for (name, _), f in self.forms.items() if name == target.name]
        form = rng.choice(forms) if forms else None
        request = payloads.build_request(rng, target.path, form, csrf_token=s.cookies.get("csrftoken", ""))
        try:
            response = self.send(s, request)
        except self.requests.RequestException as e:
            self.tally.add(599, f"{request.describe()} — no answer: {e}")
            return
        self.tally.add(response.status_code, request.describe())
        with self.tally.lock:
            self.tally.kinds[request.note] += 1
        location = response.headers.get("Location", "")
        if target.person_code and "/logg-inn/" in location:  # the session ended: sign in again
            self.sessions.pop(target.person_code, None)
            return
        if request.method not in ("GET", "HEAD", "OPTIONS") and response.status_code < 400:
            shown = location if location.startswith("/") else request.path
            page = s.get(f"{self.base}{shown}", allow_redirects=False, timeout=120)
            self.tally.add(page.status_code, f"GET {shown} after {request.describe()}")


def harvest(worker: "Worker", targets: list[Any]) -> dict[tuple[str, str], Any]:
    from tests.fuzz import payloads
    from tests.fuzz.targets import url_name

    pages = []
    seen = set()
    for t in targets:
        if t.name in seen or t.name.endswith(("pdf", "csv", "ics")):
            continue
        seen.add(t.name)
        r = worker.session(t.person_code).get(f"{worker.base}{t.path}", allow_redirects=False, timeout=120)
        if "text/html" in r.headers.get("Content-Type", ""):
            pages.extend(payloads.harvest_forms(t.path, r.text))
    return payloads.forms_by_name(pages, url_name)


def run(args: argparse.Namespace) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="stafett-fuzz-"))
    database_url = args.database_url or f"sqlite:///{tmp / 'fuzz.sqlite3'}"
    sys.path.insert(0, str(ROOT / "bench"))
    if args.database_url:
        from oslo import recreate_postgres

        recreate_postgres(args.database_url)
    server = Server(database_url, tmp, tmp / "server.log")
    snapshot = Snapshot(database_url, tmp)
    tally = Tally()
    try:
        started = time.perf_counter()
        targets = prepare(database_url, tmp)
        server.start()
        workers = [Worker(server.base, {}, tally) for _ in range(args.workers)]
        for worker in workers:  # every session exists before the snapshot, so each round has them
            for code in sorted({t.person_code for t in targets}):
                worker.session(code)
        forms = harvest(workers[0], targets)
        for worker in workers:
            worker.forms = forms
        snapshot.take()
        by_name: dict[str, list[Any]] = {}
        for t in targets:
            by_name.setdefault(t.name, []).append(t)
        names = sorted(by_name)
        rounds = -(-args.requests // args.round)
        print(
            f"{len(names)} URLs ({len(targets)} filled in), {len(forms)} forms; ready in "
            f"{time.perf_counter() - started:.0f} s; {args.requests:,} requests, {args.workers} at a time, "
            f"in {rounds} round(s) from the seeded database",
            flush=True,
        )
        started = time.perf_counter()
        rngs = [random.Random(f"{args.seed}-{i}") for i in range(args.workers)]  # noqa: S311 — test data
        left = args.requests
        while left > 0:
            count = min(left, args.round)
            shares = [count // args.workers + (1 if i < count % args.workers else 0) for i in range(args.workers)]

            def batch(i: int, n: int) -> None:
                for _ in range(n):
                    workers[i].one(rngs[i], rngs[i].choice(by_name[rngs[i].choice(names)]))

            with ThreadPoolExecutor(args.workers) as pool:
                list(pool.map(batch, range(args.workers), shares))
            left -= count
            done = args.requests - left
            rate = done / (time.perf_counter() - started)
            print(f"  {done:,} requests, {rate:.0f}/s, 5xx so far: {tally.server_errors}", flush=True)
            if left > 0:
                snapshot.restore()
        report(tally, time.perf_counter() - started, database_url, server.log)
        return 1 if tally.server_errors else 0
    finally:
        server.stop()
        if args.database_url and not args.keep:
            from oslo import recreate_postgres

            snapshot.drop()
            recreate_postgres(args.database_url, create=False)
        if args.keep:
            print(f"Kept: {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def report(tally: Tally, seconds: float, database_url: str, log: Path) -> None:
    sent = sum(tally.statuses.values())
    engine = "PostgreSQL" if database_url.startswith("postgres") else "SQLite"
    print(f"\n{sent:,} requests (follow-up pages included) in {seconds:.0f} s ({sent / seconds:.0f}/s) on {engine}")
    for status_class in sorted(tally.statuses):
        print(f"  {status_class}: {tally.statuses[status_class]:,}")
    print("  by kind: " + ", ".join(f"{k} {v:,}" for k, v in tally.kinds.most_common()))
    if tally.failed_logins:
        print(f"  demo logins refused (rate limit?): {tally.failed_logins}")
    print(f"5xx: {tally.server_errors} (goal 0)")
    for error in tally.errors:
        print(f"  - {error[:1500]}")
    if tally.server_errors and log.exists():
        text = log.read_text(errors="replace")
        for trace in re.findall(r"Traceback \(most recent call last\):.*?\n(?=\S)[^\n]+", text, re.S)[:SHOWN]:
            print("\n" + "\n".join(trace.splitlines()[-8:]))


if __name__ == "__main__":
    sys.exit(run(parse_args(sys.argv[1:])))
