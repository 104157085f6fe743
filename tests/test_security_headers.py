"""Security headers (issue 13 §1): a strict Content-Security-Policy (django-csp) and a
Permissions-Policy on every page, and templates that keep to the policy — no inline script,
event handler attribute, hx-on or style attribute (tests/browser checks the pages in Chromium)."""

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.logs.conftest import *  # noqa: F403 - the log fixtures (log, make_consent, …)
from tests.test_settings_production import run

pytestmark = pytest.mark.django_db

EXPECTED_CSP = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
    "form-action": ["'self'"],
}
SWITCHED_OFF = ["camera", "microphone", "geolocation", "payment", "usb"]
TEMPLATES = Path(settings.BASE_DIR) / "stafett" / "templates"
# Not web pages: WeasyPrint's PDF sources (their <style> never reaches a browser) and e-mail.
NOT_PAGES = ("archive/log_pdf.html", "guide/paper_pdf.html", "notify/email/")


def csp_of(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def permissions_of(response) -> dict[str, str]:
    return dict(item.strip().split("=", 1) for item in response.headers["Permissions-Policy"].split(","))


def assert_security_headers(response) -> None:
    assert response.status_code == 200
    assert csp_of(response) == EXPECTED_CSP
    assert "unsafe" not in response.headers["Content-Security-Policy"]
    permissions = permissions_of(response)
    for feature in SWITCHED_OFF:
        assert permissions.get(feature) == "()", f"{feature} is not switched off: {permissions}"


class InlineCode(HTMLParser):
    """What a strict policy would block in a page: inline scripts, on*= handlers, hx-on, style."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {name for name, _ in attrs}
        if tag == "script" and "src" not in names:
            self._in_inline_script = True
        if tag == "style":
            self.found.append("<style>")
        for name in names:
            if name.startswith(("on", "hx-on", "data-hx-on")) or name == "style":
                self.found.append(f"<{tag} {name}=…>")

    def handle_data(self, data: str) -> None:
        if self._in_inline_script and data.strip():
            self.found.append(f"<script>{data.strip()[:40]}…")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_inline_script = False


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


def test_start_page_signed_out_has_the_security_headers(client):
    response = client.get(reverse("core:start"))
    assert_security_headers(response)
    assert inline_code(response.content.decode()) == []


def test_log_page_signed_in_has_the_security_headers(client, cast, log):
    client.force_login(cast.kari)
    response = client.get(f"/logg/{log.code}/")
    assert_security_headers(response)
    html = response.content.decode()
    assert "data-reset-on-success" in html  # the message form, now without hx-on
    assert inline_code(html) == []


def test_htmx_answers_and_error_pages_have_the_headers_too(client, cast, log):
    client.force_login(cast.kari)
    sent = client.post(reverse("logs:post_message", args=[log.code]), {"body": "Hei"}, headers={"HX-Request": "true"})
    assert csp_of(sent) == EXPECTED_CSP
    missing = client.get("/finnes-ikke/")
    assert missing.status_code == 404
    assert csp_of(missing) == EXPECTED_CSP
    assert "camera=()" in missing.headers["Permissions-Policy"]


def test_htmx_is_told_not_to_eval_or_inject_styles(client, settings):
    settings.DEBUG = True  # as in `make run` and the demo
    response = client.get(reverse("core:start"))
    assert csp_of(response) == EXPECTED_CSP
    html = response.content.decode()
    meta = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert meta, "base.html should configure htmx"
    assert json.loads(meta.group(1)) == {"allowEval": False, "includeIndicatorStyles": False}
    scripts = re.findall(r'<script src="([^"]+)" defer></script>', html)
    # Not django-htmx's debug helper: it evals, and it would replace the page with a 400's form errors.
    assert scripts == ["/static/django_htmx/htmx-2.min.js", "/static/js/stafett.js"]


def test_form_action_names_the_openid_providers_login_forms_are_redirected_to(client, settings):
    providers = {name: dict(conf) for name, conf in settings.OIDC_PROVIDERS.items()}
    providers["citizen"].update(issuer="https://idporten.example/", client_id="stafett")
    providers["staff"].update(issuer="https://sso.kommune.example/realms/ansatte", client_id="")  # not offered
    settings.OIDC_PROVIDERS = providers
    response = client.get(reverse("accounts:login"))
    assert csp_of(response)["form-action"] == ["'self'", "https://idporten.example"]


def test_no_template_has_inline_script_handlers_or_style():
    found = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name.startswith(NOT_PAGES):
            continue
        problems = inline_code(path.read_text())
        if problems:
            found[name] = problems
    assert found == {}


def test_production_settings_send_the_same_policy(tmp_path):
    static = {"STAFETT_STATIC_ROOT": str(tmp_path), "DATABASE_URL": "sqlite:///:memory:"}
    collected = run(["manage.py", "collectstatic", "--noinput", "-v0"], **static)
    assert collected.returncode == 0, collected.stderr
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/', secure=True, HTTP_HOST='stafett.kommune.example');"
        "print(r.status_code); print(r.headers['Content-Security-Policy']); print(r.headers['Permissions-Policy'])"
    )
    result = run(["-c", code], **static)
    assert result.returncode == 0, result.stderr
    status, csp, permissions = result.stdout.strip().splitlines()
    assert status == "200"
    assert {part.split()[0]: part.split()[1:] for part in csp.split(";")} == EXPECTED_CSP
    assert "camera=()" in permissions
