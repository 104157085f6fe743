"""Production settings are safe by default, and the demo login can never be switched on there."""

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
