"""A real OpenID provider (npm oidc-provider, tests/oidc/provider.mjs) on 127.0.0.1 for the login tests.

One provider process per test session, registered with the live server's callback
URLs; each test points settings.OIDC_PROVIDERS at it. Without Node or the npm
package the tests skip, except under CI=true, where they fail.

`fake_provider` is the other one: a small Python provider (fake_provider.py) that
issues whatever ID token a test writes, for the tokens a real provider never sends.
"""

import json
import os
import queue
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.urls import reverse

from tests.oidc import fake_provider as fake
from tests.oidc.fake_provider import FakeProvider

# The live server runs in a thread of this process; Django's ORM sees the async test loop otherwise.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).with_name("provider.mjs")
CLIENT_IDS = {"citizen": "stafett-citizen", "staff": "stafett-staff"}
CLIENT_SECRET = "stafett-test-secret"
START_TIMEOUT = 20


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the OpenID tests: {reason}", pytrace=False)
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ProviderProcess:
    def __init__(self, issuer: str, process: subprocess.Popen[str], stderr: Path) -> None:
        self.issuer = issuer
        self.process = process
        self.stderr = stderr

    def log(self) -> str:
        return self.stderr.read_text(errors="replace")


@pytest.fixture(scope="session")
def _oidc_provider_process(live_server) -> Iterator[ProviderProcess]:
    node = shutil.which("node")
    if node is None:
        _unavailable("node is not installed")
    if not (ROOT / "node_modules" / "oidc-provider" / "package.json").exists():
        _unavailable("npm package oidc-provider is not installed (run npm ci)")
    base = live_server.url.rstrip("/")
    redirect_uris = {
        client_id: [base + reverse("accounts:callback", args=[provider])] for provider, client_id in CLIENT_IDS.items()
    }
    logout_uris = {client_id: [base + reverse("accounts:logged_out")] for client_id in CLIENT_IDS.values()}
    port = _free_port()
    env = {
        **os.environ,
        "OIDC_TEST_REDIRECT_URIS": json.dumps(redirect_uris),
        "OIDC_TEST_LOGOUT_URIS": json.dumps(logout_uris),
        "OIDC_TEST_SECRET": CLIENT_SECRET,
    }
    stderr_path = Path(tempfile.mkstemp(prefix="stafett-oidc-provider-", suffix=".log")[1])
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen(
            [node, str(SCRIPT), str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    lines: queue.Queue[str] = queue.Queue()

    def drain() -> None:  # keep reading so the pipe never fills
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line)
        lines.put("")  # the process closed its output: it has exited

    threading.Thread(target=drain, daemon=True).start()
    provider = ProviderProcess(f"http://127.0.0.1:{port}", process, stderr_path)
    try:
        while True:
            try:
                line = lines.get(timeout=START_TIMEOUT)
            except queue.Empty:
                pytest.fail(f"OpenID provider did not start in {START_TIMEOUT}s:\n{provider.log()}", pytrace=False)
            if line.startswith("READY "):
                assert line.split()[1] == provider.issuer
                break
            if not line:
                process.wait(timeout=5)
                pytest.fail(f"OpenID provider exited ({process.returncode}):\n{provider.log()}", pytrace=False)
        yield provider
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        stderr_path.unlink(missing_ok=True)


@pytest.fixture
def oidc_provider(_oidc_provider_process: ProviderProcess, live_server, settings) -> Iterator[ProviderProcess]:
    """Both logins (citizen = ID-porten, staff = municipal SSO) go to the test provider."""
    providers = {name: dict(conf) for name, conf in settings.OIDC_PROVIDERS.items()}
    for name, client_id in CLIENT_IDS.items():
        providers[name].update(issuer=_oidc_provider_process.issuer, client_id=client_id, client_secret=CLIENT_SECRET)
    settings.OIDC_PROVIDERS = providers
    yield _oidc_provider_process
    assert _oidc_provider_process.process.poll() is None, "OpenID provider died:\n" + _oidc_provider_process.log()


@pytest.fixture(scope="session")
def _fake_provider_server() -> Iterator[FakeProvider]:
    provider = FakeProvider().start()
    yield provider
    provider.stop()


@pytest.fixture
def fake_provider(_fake_provider_server: FakeProvider, settings) -> Iterator[FakeProvider]:
    """Both logins go to the fake provider; each test starts with no codes outstanding."""
    provider = _fake_provider_server
    providers = {name: dict(conf) for name, conf in settings.OIDC_PROVIDERS.items()}
    for name, client_id in CLIENT_IDS.items():
        providers[name].update(issuer=provider.issuer, client_id=client_id, client_secret=fake.CLIENT_SECRET)
    settings.OIDC_PROVIDERS = providers
    provider.pending.clear()
    yield provider
