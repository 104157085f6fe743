"""The deployment files (README «Drift») cannot be built here — no image registry — so what can
be checked is: the Dockerfile copies files that exist and runs the Procfile's web command as a
user that is not root; compose.yaml runs the Procfile's commands and gives the app only
environment variables the settings (or gunicorn.conf.py) read; gunicorn loads its config file."""

import re
import shlex
from pathlib import Path

import pytest
import yaml
from django.urls import resolve

from tests.test_settings_production import run

ROOT = Path(__file__).resolve().parent.parent
# Read by a library, not by our code: boto3 finds the S3 keys in this file.
READ_BY_LIBRARIES = {"AWS_SHARED_CREDENTIALS_FILE"}
# Without these, production does not start or keeps state in one container.
NEEDED_IN_PRODUCTION = {
    "STAFETT_DEBUG",
    "SECRET_KEY_FILE",
    "STAFETT_FIELD_KEY_FILE",
    "ALLOWED_HOSTS",
    "DATABASE_URL",
    "STAFETT_REDIS_URL",
    "STAFETT_FILE_STORAGE",
}
_ENV_READ = re.compile(r"\benv_(str|bool|int|list|secret)\(\s*\"([A-Z][A-Z0-9_]*)\"")
_OS_READ = re.compile(r"os\.environ(?:\.get\(|\[)\s*\"([A-Z][A-Z0-9_]*)\"")


def procfile() -> dict[str, list[str]]:
    found = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, command = line.partition(":")
            found[name.strip()] = shlex.split(command)
    return found


def variables_read() -> set[str]:
    """Every environment variable the app's code reads through lib/env.py (a secret also as
    NAME_FILE), and those gunicorn.conf.py reads."""
    names = set()
    for path in [*(ROOT / "stafett").rglob("*.py"), ROOT / "gunicorn.conf.py"]:
        text = path.read_text()
        for kind, name in _ENV_READ.findall(text):
            names.add(name)
            if kind == "secret":
                names.add(f"{name}_FILE")
        names.update(_OS_READ.findall(text))
    return names


def dockerfile() -> list[tuple[str, str]]:
    """(instruction, arguments), continuation lines joined, comments left out."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    found = []
    for line in text.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            instruction, _, rest = line.strip().partition(" ")
            found.append((instruction.upper(), rest.strip()))
    return found


def compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def app_services() -> dict[str, dict]:
    return {name: s for name, s in compose()["services"].items() if s.get("image") == "stafett:latest"}


def test_the_procfile_names_the_three_processes():
    assert set(procfile()) == {"release", "web", "worker"}
    assert procfile()["worker"] == ["python", "manage.py", "run_huey"]


def test_every_file_the_dockerfile_copies_exists():
    copies = [args.split()[:-1] for instruction, args in dockerfile() if instruction == "COPY"]
    assert copies, "the Dockerfile copies nothing"
    for sources in copies:
        for source in sources:
            assert (ROOT / source).exists(), f"Dockerfile copies {source}, which is not in the repository"


def test_the_image_is_python_3_11_slim_with_pango_and_a_user_that_is_not_root():
    steps = dockerfile()
    (base,) = [args for instruction, args in steps if instruction == "FROM"]
    assert re.fullmatch(r"python:3\.11-slim(-\w+)?", base)
    installs = " ".join(args for instruction, args in steps if instruction == "RUN" and "apt-get install" in args)
    assert {"libpango-1.0-0", "libpangoft2-1.0-0", "fonts-dejavu-core"} <= set(installs.split())
    users = [args for instruction, args in steps if instruction == "USER"]
    assert users and users[-1] not in {"root", "0"}
    assert [i for i, _ in steps].index("USER") < [i for i, _ in steps].index("CMD")


def test_the_image_collects_static_files_and_runs_the_procfile_web_command():
    steps = dockerfile()
    assert any("manage.py collectstatic" in args for instruction, args in steps if instruction == "RUN")
    (command,) = [args for instruction, args in steps if instruction == "CMD"]
    assert yaml.safe_load(command) == procfile()["web"]  # the JSON form is YAML too


def test_compose_runs_the_procfile_commands():
    services = app_services()
    assert services["web"]["command"] == procfile()["web"]
    assert services["worker"]["command"] == procfile()["worker"]
    assert services["migrate"]["command"] == procfile()["release"]
    assert {"db", "redis", "s3"} <= set(compose()["services"])


@pytest.mark.parametrize("service", ["web", "worker", "migrate"])
def test_compose_gives_the_app_only_variables_the_settings_read(service):
    environment = set(app_services()[service]["environment"])
    unknown = environment - variables_read() - READ_BY_LIBRARIES
    assert not unknown, f"{service}: no setting reads {sorted(unknown)}"
    assert environment >= NEEDED_IN_PRODUCTION


def test_the_variable_scan_finds_what_the_settings_read():
    """The check above is only as good as this scan: it must see secrets' _FILE forms and gunicorn's."""
    assert {
        "SECRET_KEY",
        "SECRET_KEY_FILE",
        "STAFETT_HEALTH_TOKEN_FILE",
        "STAFETT_GUNICORN_WORKERS",
    } <= variables_read()
    assert "STAFETT_NO_SUCH_SETTING" not in variables_read()


def test_compose_health_check_uses_the_load_balancer_endpoint():
    probe = " ".join(app_services()["web"]["healthcheck"]["test"])
    (path,) = re.findall(r"http://127\.0\.0\.1:8000(/\S*?)'", probe)
    assert resolve(path).url_name == "health"


def test_gunicorn_loads_its_config_file_and_the_app():
    result = run(
        ["-m", "gunicorn", "--config", "gunicorn.conf.py", "--print-config", "stafett.wsgi"],
        STAFETT_GUNICORN_WORKERS="4",
    )
    assert result.returncode == 0, result.stderr
    config = dict(re.findall(r"^(\w+)\s+= (.*)$", result.stdout, re.MULTILINE))
    assert config["workers"] == "4"
    assert config["worker_class"] == "sync"
    assert config["accesslog"] == "None"  # core/request_log.py writes the request lines
    assert config["bind"] == "['0.0.0.0:8000']"


def test_the_multi_server_bench_runs_the_documented_processes():
    """bench/multiserver.py (issue 12 §4) is the layout tried here: gunicorn servers of the
    Procfile's WSGI app with production's gunicorn.conf.py, and the Procfile's worker command."""
    script = ROOT / "bench" / "multiserver.py"
    if not script.exists():
        pytest.skip("bench/multiserver.py is not in this tree")
    web, worker = procfile()["web"], procfile()["worker"]
    assert ", ".join(f'"{arg}"' for arg in worker[1:]) in script.read_text()  # "manage.py", "run_huey"
    starts_gunicorn = [
        path.name
        for path in (ROOT / "bench").glob("*.py")
        if f'"{web[-1]}"' in path.read_text() and "gunicorn.conf.py" in path.read_text()
    ]
    assert starts_gunicorn, "no bench script starts stafett.wsgi with gunicorn.conf.py"


def test_gunicorn_starts_with_its_config_and_answers_the_health_check(tmp_path):
    """--print-config does not configure logging; a real start does (a logconfig_dict without
    a root entry of its own once stopped gunicorn at start)."""
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    from tests.test_settings_production import PRODUCTION_ENV

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = {k: v for k, v in os.environ.items() if not k.startswith(("STAFETT_", "DJANGO_", "DATABASE_URL"))}
    env = {
        **base,
        **PRODUCTION_ENV,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "STAFETT_VAR_DIR": str(tmp_path),
        "STAFETT_GUNICORN_BIND": f"127.0.0.1:{port}",
        "STAFETT_GUNICORN_WORKERS": "1",
        "ALLOWED_HOSTS": "127.0.0.1",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "gunicorn.conf.py",
            "--worker-tmp-dir",
            str(tmp_path),
            "stafett.wsgi",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        answer = None
        for _ in range(120):
            if server.poll() is not None:
                break
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/helse/", timeout=2) as response:
                    answer = response.status
                    break
            except OSError:
                time.sleep(0.25)
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert answer == 200, output
