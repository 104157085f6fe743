"""bench/load.py's HTTP side: a small client that signs in through the app's own login, and
gunicorn on 127.0.0.1 with production's gunicorn.conf.py. Used by bench/multiserver.py too."""

import http.client
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # the only host these scripts talk to
FLOOR = "/helse/"


@dataclass(frozen=True)
class Login:
    provider: str  # "staff" or "citizen"
    claims: dict[str, Any]


# --- a small HTTP client: cookies by hand (the app's are Secure, sent over plain HTTP here) ---


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


@dataclass
class Browser:
    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        return f"https://{HOST}:{self.port}"  # what the browser sees behind the TLS proxy

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Answer:
        headers = {"Host": f"{HOST}:{self.port}", "X-Forwarded-Proto": "https", "Accept-Encoding": "identity"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": self.origin,
                "Referer": f"{self.origin}/logg-inn/",
            }
        conn = http.client.HTTPConnection(HOST, self.port, timeout=120)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            answer = Answer(response.status, response.msg, response.read())
        finally:
            conn.close()
        for cookie in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if "max-age=0" in cookie.lower() or not value or value == '""':
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return answer

    def get(self, path: str) -> Answer:
        return self.request("GET", path)


def sign_in(port: int, provider: Any, login: Login) -> Browser:
    """The app's own login: the login page's CSRF token, the POST that sends us to the provider,
    a code for that authorization request, and the callback that checks the ID token."""
    browser = Browser(port)
    page = browser.get("/logg-inn/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    if page.status != 200 or token is None:
        raise SystemExit(f"the login page answered {page.status} without a CSRF token")
    start = browser.request("POST", f"/logg-inn/{login.provider}/", {"csrfmiddlewaretoken": token.group(1).decode()})
    location = start.headers.get("Location", "")
    if start.status != 302 or not location.startswith(provider.issuer):
        raise SystemExit(f"starting the {login.provider} login answered {start.status}: {start.body[:300]!r}")
    authorization = dict(parse_qsl(urlsplit(location).query))
    code = provider.issue(authorization, claims=login.claims)
    back = browser.get(
        f"/logg-inn/{login.provider}/tilbake/?" + urlencode({"code": code, "state": authorization["state"]})
    )
    if back.status != 302:
        text = re.sub(rb"\s+", b" ", back.body)[:400]
        raise SystemExit(
            f"the {login.provider} login of {login.claims.get('sub')} was refused ({back.status}): {text!r}"
        )
    return browser


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def gunicorn_config(directory: Path) -> Path:
    """Production's gunicorn.conf.py (workers, keep-alive, max_requests, JSON logs), read as gunicorn
    would, with a root logger added if it has none: gunicorn merges `logconfig_dict` into its defaults
    one level deep, so a dict with its own "handlers" but no "root" fails with «Unable to configure
    root logger»."""
    config = directory / "gunicorn.bench.conf.py"
    production = ROOT / "gunicorn.conf.py"
    config.write_text(
        f"exec(compile(open({str(production)!r}).read(), {str(production)!r}, 'exec'))\n"
        "if isinstance(globals().get('logconfig_dict'), dict):\n"
        "    logconfig_dict.setdefault('root', {'level': 'INFO', 'handlers': []})\n"
        if production.exists()
        else ""
    )
    return config


@dataclass(frozen=True)
class Server:
    port: int
    process: subprocess.Popen[bytes]  # gunicorn's master, in a process group of its own


@contextmanager
def gunicorn(env: dict[str, str], workers: int, log: Path) -> Iterator[Server]:
    port = free_port()
    executable = Path(sys.executable).parent / "gunicorn"
    if not executable.exists():
        raise SystemExit(f"gunicorn is not installed in {executable.parent}: pip install -r requirements.txt")
    cmd = [str(executable), "-c", str(gunicorn_config(log.parent)), "stafett.wsgi", "-b", f"{HOST}:{port}"]
    cmd += ["-w", str(workers), "--timeout", "120"]
    with log.open("ab") as out:
        process = subprocess.Popen(  # noqa: S603 — our own command line
            cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn stopped at start (exit {process.returncode}); see {log}")
            try:
                if Browser(port).get(FLOOR).status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not answer {FLOOR} within 60 s; see {log}")
            time.sleep(0.2)
        yield Server(port, process)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown: the run is over
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
