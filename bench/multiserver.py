"""Issue 12 §4 benchmark, not a test: production's shape on one machine, and one app server lost.

    .venv/bin/python bench/multiserver.py                      # scale 0.05, 16 clients, 30 s
    .venv/bin/python bench/multiserver.py --scale 1 --seconds 60

Two gunicorn servers behind haproxy (Debian's: `apt-get install -y haproxy`), the huey worker
(`manage.py run_huey`), PostgreSQL at 127.0.0.1:5432 (database `load_bench_multi`, dropped and
built again unless kept by bench/load.py's marker), Redis at 127.0.0.1:6379 db 6 (the worker's
queue, the cache, the rate limits; flushed at the start) and a local S3 server (moto_server, from
requirements-dev.txt) for uploaded files and archive copies (STAFETT_FILE_STORAGE=S3Storage,
STAFETT_ARCHIVE_TARGET=storage). Sessions are rows in PostgreSQL: nothing lives in one process.

bench/load.py's cast signs in through the proxy and its page mix runs for --seconds; halfway, one
app server is killed (SIGKILL to its whole process group, as a crashed host). haproxy's health
check and `retries`/`option redispatch` should hide it: the goal is 0 failed requests. Then the
holder uploads a photo and closes a log through the proxy, and the script looks in the bucket for
the photo and for the archive copy (PDF and metadata) the closing made. Only 127.0.0.1 is used.
"""

import argparse
import io
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402 — bench/load.py: the database, the cast, the page mix, the report

ROOT = load.ROOT
HOST = load.HOST
BUCKET = "stafett-load"
REDIS_URL = "redis://127.0.0.1:6379/6"
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/load_bench_multi"
S3_KEYS = {"AWS_ACCESS_KEY_ID": "load-bench", "AWS_SECRET_ACCESS_KEY": "load-bench-secret"}  # moto takes any


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.05, help="bench/oslo.py's scale (1.0 is Oslo-sized)")
    parser.add_argument("--seconds", type=float, default=30.0, help="how long the clients send requests")
    parser.add_argument("--clients", type=int, default=16, help="closed-loop clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers in each app server")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE, help="PostgreSQL; the name must contain 'bench'")
    parser.add_argument("--rebuild", action="store_true", help="build the database again even if one is kept")
    return parser.parse_args(argv)


def needs(program: str, how: str) -> str:
    found = shutil.which(program) or str(Path(sys.executable).parent / program)
    if not Path(found).exists():
        raise SystemExit(f"{program} is not installed: {how}")
    return found


def reachable(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex((HOST, port)) == 0


def wait_for(port: int, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not reachable(port):
        if time.monotonic() > deadline:
            raise SystemExit(f"{what} did not start on {HOST}:{port}")
        time.sleep(0.2)


HAPROXY = """global
    maxconn 512
defaults
    mode http
    timeout connect 2s
    timeout client 120s
    timeout server 120s
    retries 3
    option redispatch
    retry-on conn-failure empty-response response-timeout
    option http-server-close
frontend web
    bind {host}:{port}
    default_backend app
backend app
    balance roundrobin
    option httpchk
    http-check send meth GET uri /helse/ ver HTTP/1.1 hdr Host {host} hdr X-Forwarded-Proto https
    timeout check 10s
    default-server check inter 1s fall 2 rise 2
{servers}
"""


def haproxy_config(port: int, backends: list[int]) -> str:
    servers = "\n".join(f"    server app{i} {HOST}:{p}" for i, p in enumerate(backends, 1))
    return HAPROXY.format(host=HOST, port=port, servers=servers)


def started(stack: ExitStack, cmd: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    out = stack.enter_context(log.open("ab"))
    process = subprocess.Popen(  # noqa: S603 — our own command lines
        cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
    )

    def stop() -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    stack.callback(stop)
    return process


def s3_client(endpoint: str) -> Any:
    import boto3

    return boto3.client("s3", endpoint_url=endpoint, region_name="eu-north-1", **_keys())


def _keys() -> dict[str, str]:
    return {
        "aws_access_key_id": S3_KEYS["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": S3_KEYS["AWS_SECRET_ACCESS_KEY"],
    }


def objects(s3: Any) -> list[str]:
    return [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def multipart(fields: dict[str, str], name: str, filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = f"----stafett-load-{time.time_ns()}"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        f"Content-Type: image/png\r\n\r\n".encode()
        + content
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def csrf_token(browser: load.Browser, path: str) -> str:
    import re

    page = browser.get(path)
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    if page.status != 200 or found is None:
        raise SystemExit(f"{path} answered {page.status} without a form")
    return found.group(1).decode()


def upload_photo(browser: load.Browser, log_path: str) -> int:
    """The holder's photo of the child: one file, stored by whichever app server takes the POST."""
    import http.client

    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (40, 40), (200, 120, 40)).save(png, format="PNG")
    body, content_type = multipart(
        {"csrfmiddlewaretoken": csrf_token(browser, log_path)}, "photo", "bilde.png", png.getvalue()
    )
    headers = {
        "Host": f"{HOST}:{browser.port}",
        "X-Forwarded-Proto": "https",
        "Origin": browser.origin,
        "Referer": f"{browser.origin}{log_path}",
        "Content-Type": content_type,
        "Cookie": "; ".join(f"{k}={v}" for k, v in browser.cookies.items()),
    }
    conn = http.client.HTTPConnection(HOST, browser.port, timeout=120)
    try:
        conn.request("POST", f"{log_path}bilde/ny/", body=body, headers=headers)
        return conn.getresponse().status
    finally:
        conn.close()


def close_log(browser: load.Browser, log_path: str) -> int:
    token = csrf_token(browser, f"{log_path}avslutt/")
    return browser.request("POST", f"{log_path}avslutt/", {"csrfmiddlewaretoken": token, "reason": "maal_naadd"}).status


def attempt(step: Any, browser: load.Browser, log_path: str) -> str:
    """A step after the load: its HTTP status, or why it could not be done (reported, not raised)."""
    try:
        return f"HTTP {step(browser, log_path)}"
    except (SystemExit, OSError) as e:
        return f"failed: {e}"


def main(argv: list[str]) -> None:
    args = parse_args(argv)
    haproxy = needs("haproxy", "apt-get install -y haproxy (Debian's package; the proxy in front of the app servers)")
    moto = needs("moto_server", "pip install -r requirements-dev.txt (moto[server], the local S3 server)")
    if not reachable(5432):
        raise SystemExit("PostgreSQL is not listening on 127.0.0.1:5432")
    if not reachable(6379):
        raise SystemExit("Redis is not listening on 127.0.0.1:6379")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()  # db 6 is this script's
    started_at = time.perf_counter()
    place = load.place_for(args.scale, args.database_url)
    how = load.prepare_database(place, args.scale, args.rebuild)
    logins, pages, about = load.cast_and_pages()
    from django.db import connections

    connections.close_all()
    from tests.oidc.fake_provider import CLIENT_SECRET, FakeProvider

    logs = Path(tempfile.mkdtemp(prefix="stafett-multiserver-"))
    with ExitStack() as stack:
        provider = FakeProvider().start()
        stack.callback(provider.stop)
        s3_port = load.free_port()
        started(stack, [moto, "-H", HOST, "-p", str(s3_port)], dict(os.environ), logs / "moto.log")
        wait_for(s3_port, "moto_server")
        endpoint = f"http://{HOST}:{s3_port}"
        s3 = s3_client(endpoint)
        s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"})
        env = load.server_environment(place, provider.issuer, CLIENT_SECRET, len(logins)) | S3_KEYS
        env |= {
            "STAFETT_REDIS_URL": REDIS_URL,
            "STAFETT_FILE_STORAGE": "storages.backends.s3.S3Storage",
            "STAFETT_S3_BUCKET": BUCKET,
            "STAFETT_S3_ENDPOINT_URL": endpoint,
            "STAFETT_ARCHIVE_TARGET": "storage",
        }
        load.collectstatic(env)
        servers = [stack.enter_context(load.gunicorn(env, args.workers, logs / f"app{i}.log")) for i in (1, 2)]
        started(stack, [sys.executable, "manage.py", "run_huey"], env, logs / "worker.log")
        proxy_port = load.free_port()
        config = logs / "haproxy.cfg"
        config.write_text(haproxy_config(proxy_port, [s.port for s in servers]))
        started(stack, [haproxy, "-f", str(config), "-db"], dict(os.environ), logs / "haproxy.log")
        wait_for(proxy_port, "haproxy")
        time.sleep(1.5)  # the first health checks
        browsers = {"": load.Browser(proxy_port)}
        browsers |= {role: load.sign_in(proxy_port, provider, login) for role, login in logins.items()}
        load.warm_up(pages, browsers)
        print(
            f"Ready after {time.perf_counter() - started_at:.0f} s: two app servers behind haproxy on "
            f"{HOST}:{proxy_port}, the worker, PostgreSQL, Redis db 6, S3 at {endpoint}",
            flush=True,
        )

        victim = servers[0]
        killed_at: list[float] = []

        def kill_one() -> None:
            time.sleep(args.seconds / 2)
            os.killpg(victim.process.pid, signal.SIGKILL)  # the master and its workers: a host gone
            killed_at.append(time.monotonic())

        killer = threading.Thread(target=kill_one, daemon=True)
        load_before = load.load_average()
        killer.start()
        tally, elapsed = load.drive(pages, browsers, args.clients, args.seconds)
        killer.join()

        holder_log = next(p.path for p in pages if p.label == "log page as holder")
        before = set(objects(s3))
        photo_status = attempt(upload_photo, browsers["holder"], holder_log)
        close_status = attempt(close_log, browsers["holder"], holder_log)
        deadline = time.monotonic() + 120  # delivered after the commit, else by the worker's minute
        while time.monotonic() < deadline and not any(k.startswith("arkiv/") for k in set(objects(s3)) - before):
            time.sleep(1)
        landed = sorted(set(objects(s3)) - before)

    load.report(args, place, how, about, pages, tally, elapsed, load_before)
    failed = sum(tally.errors.values())
    total = sum(len(v) for v in tally.times_ms.values())
    print(
        f"\nMulti-server run: app server 1 killed (SIGKILL) {args.seconds / 2:g} s in; {failed} of {total:,} "
        f"requests through the proxy failed [goal 0: {'OK' if failed == 0 else 'MISSED'}]"
    )
    photos = [k for k in landed if k.startswith("photos/")]
    archive = [k for k in landed if k.startswith(("arkiv/", "archive/"))]  # the delivered copy, the kept PDF
    print(
        f"Photo upload through the proxy: {photo_status}; in the bucket: {photos or 'nothing'} "
        f"[{'OK' if photos else 'MISSED'}]"
    )
    print(
        f"Log closed through the proxy: {close_status}; archive copy in the bucket: {archive or 'nothing'} "
        f"[{'OK' if any(k.endswith('.pdf') for k in archive) else 'MISSED'}]"
    )
    print(f"Logs of the servers, worker, proxy and S3: {logs}")
    connections.close_all()


if __name__ == "__main__":
    main(sys.argv[1:])
