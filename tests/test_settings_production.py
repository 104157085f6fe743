"""Production settings are safe by default, and the demo login can never be switched on there."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "STAFETT_DEBUG": "false",
    "SECRET_KEY": "p" * 20 + "roduction-secret-key-with-enough-entropy-1234567890",
    "STAFETT_FIELD_KEY": "Pw8GmeD0OZ0gxX9OXlY0a2m8M1cR3uDgrjNzxQpe4fM=",
    "ALLOWED_HOSTS": "stafett.kommune.example",
    "DJANGO_SETTINGS_MODULE": "stafett.settings",
}


def run(code_or_args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("STAFETT_", "DJANGO_", "DATABASE_URL", "SECRET_KEY"))
    }
    return subprocess.run(
        [sys.executable, *code_or_args], cwd=ROOT, env={**base, **PRODUCTION_ENV, **env}, capture_output=True, text=True
    )


def test_check_deploy_passes_with_production_settings():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    assert result.returncode == 0, result.stderr + result.stdout


def test_demo_mode_refuses_to_start_without_debug():
    result = run(["manage.py", "check"], STAFETT_DEMO="true")
    assert result.returncode != 0
    assert "STAFETT_DEMO=true is only allowed together with STAFETT_DEBUG=true" in result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    result = run(["manage.py", "check"], SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_boolean_settings_accept_only_true_or_false():
    result = run(["manage.py", "check"], STAFETT_DEMO="yes")
    assert result.returncode != 0
    assert "must be 'true' or 'false'" in result.stderr


def test_demo_login_does_not_exist_in_production(tmp_path):
    static = {"STAFETT_STATIC_ROOT": str(tmp_path), "DATABASE_URL": "sqlite:///:memory:"}
    collected = run(["manage.py", "collectstatic", "--noinput", "-v0"], **static)
    assert collected.returncode == 0, collected.stderr
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "from django.urls import NoReverseMatch, reverse\n"
        "try:\n    reverse('accounts:demo_login'); print('URL EXISTS')\n"
        "except NoReverseMatch:\n    print('no url')\n"
        "r = Client().get('/demo/logg-inn/', secure=True, HTTP_HOST='stafett.kommune.example');"
        "print(r.status_code)"
    )
    result = run(["-c", code], **static)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["no", "url", "404"]


def test_synthetic_ids_are_refused_by_default_in_production():
    code = (
        "import django; django.setup(); from django.conf import settings; print(settings.ALLOW_SYNTHETIC_NATIONAL_IDS)"
    )
    assert run(["-c", code]).stdout.strip() == "False"


def test_production_keeps_database_connections_and_checks_them_before_reuse():
    code = (
        "import django; django.setup(); from django.conf import settings;"
        "db = settings.DATABASES['default']; print(db['CONN_MAX_AGE'], db['CONN_HEALTH_CHECKS'])"
    )
    result = run(["-c", code], DATABASE_URL="postgres://stafett@db.example:5432/stafett")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["60", "True"]


def test_production_caches_compiled_templates():
    """Django wraps the loaders in the cached loader when none are set (since 4.1): checked, not assumed."""
    code = (
        "import django; django.setup(); from django.template import engines;"
        "print([type(loader).__module__ for loader in engines['django'].engine.template_loaders])"
    )
    result = run(["-c", code])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['django.template.loaders.cached']"


def test_sessions_live_in_the_database_not_in_one_process():
    code = "import django; django.setup(); from django.conf import settings; print(settings.SESSION_ENGINE)"
    assert run(["-c", code]).stdout.strip() == "django.contrib.sessions.backends.db"


def test_a_production_request_writes_one_json_line_without_national_ids(tmp_path):
    """core/request_log.py: request id (the proxy's, when it is a plain token), the person's
    internal id, method, path without the query string, status and duration — one JSON object."""
    static = {"STAFETT_STATIC_ROOT": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    assert run(["manage.py", "collectstatic", "--noinput", "-v0"], **static).returncode == 0
    assert run(["manage.py", "migrate", "--noinput", "-v0"], **static).returncode == 0
    national_id = "15076500565"  # a valid-looking number (checksum ok): it must never reach the log
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "c = Client(HTTP_HOST='stafett.kommune.example');"
        f"r = c.get('/helse/?fnr={national_id}', secure=True, HTTP_X_REQUEST_ID='lb-7f3a9c2e01');"
        f"r2 = c.get('/personer/{national_id}/', secure=True, HTTP_X_REQUEST_ID='{national_id}');"
        "import sys; print('IDS', r['X-Request-ID'], r2['X-Request-ID'], file=sys.stdout)"
    )
    result = run(["-c", code], **static)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if '"logger": "stafett.request"' in line]
    assert len(lines) == 2, result.stderr
    first, second = lines
    assert {"time", "level", "request_id", "user_id", "method", "path", "status", "duration_ms"} <= set(first)
    assert (first["request_id"], first["method"], first["path"], first["status"]) == (
        "lb-7f3a9c2e01",
        "GET",
        "/helse/",
        200,
    )
    assert first["user_id"] is None
    assert isinstance(first["duration_ms"], float)
    # A "request id" that could be a national ID is replaced, and the path is masked.
    assert second["request_id"] != national_id and len(second["request_id"]) == 32
    assert national_id not in result.stderr
    assert f"IDS lb-7f3a9c2e01 {second['request_id']}" in result.stdout


def test_the_json_formatter_masks_national_ids_in_tracebacks_and_extra_fields():
    code = (
        "import django; django.setup(); import logging; log = logging.getLogger('stafett.test');\n"
        "try:\n    raise ValueError('ugyldig 15076500565')\n"
        "except ValueError:\n    log.exception('feil', extra={'sok': '15076500565'})\n"
    )
    result = run(["-c", code])
    assert result.returncode == 0, result.stderr
    (line,) = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert line["message"] == "feil" and "ValueError" in line["exc_info"]
    assert "15076500565" not in result.stderr
