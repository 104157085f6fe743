"""Browser tests: Debian's Chromium driven by Playwright, with axe-core checking each page.

One browser is started per test session; every test gets a fresh context
(cookies, storage) in Norwegian. No browser is ever downloaded: without
/usr/bin/chromium or node_modules/axe-core the tests are skipped locally
and fail on CI (CI=true), which must run them.

Every context also listens to Chromium's console for Content-Security-Policy
(and Permissions-Policy) errors: `check_a11y` fails on any so far, and so does
the end of every test that uses the `page` fixture.
"""

import functools
import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django refuses ORM
# calls from a thread with a running loop unless told it is fine.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("STAFETT_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Chromium's console errors for what the policies block ("Executing inline script violates the
# following Content Security Policy directive …", older "Refused to …") or cannot parse.
POLICY_ERROR = re.compile(r"Content[- ]Security[- ]Policy|Permissions[- ]Policy", re.IGNORECASE)


def _missing_or_skip(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI must run the browser tests)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser(request) -> Iterator[object]:
    # Test modules outside this folder import these fixtures (tests/oidc); pytest then keeps a
    # second session fixture, but Playwright's sync API cannot start twice in one thread, so
    # the first one started is shared, kept on the run's config and closed by its starter.
    shared = getattr(request.config, "_stafett_browser", None)
    if shared is not None:
        yield shared
        return
    if not CHROMIUM.exists():
        _missing_or_skip(f"Chromium not found at {CHROMIUM}")
    if not AXE.exists():
        _missing_or_skip("axe-core not installed (run `npm ci`)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing_or_skip("playwright is not installed")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        request.config._stafett_browser = browser
        try:
            yield browser
        finally:
            del request.config._stafett_browser
            browser.close()


def new_context(browser, **kwargs):
    kwargs.setdefault("locale", "nb-NO")
    context = browser.new_context(**kwargs)
    context.set_default_timeout(10_000)
    found: list[str] = []

    def on_console(message) -> None:
        if POLICY_ERROR.search(message.text):
            found.append(f"{message.page.url if message.page else '?'}: {message.text}")

    context.on("console", on_console)
    context.stafett_policy_errors = found
    return context


def policy_errors(page) -> list[str]:
    """The Content-Security-Policy and Permissions-Policy errors in the page's context so far."""
    return page.context.stafett_policy_errors


def _fail_on_policy_errors(errors: list[str]) -> None:
    if errors:
        lines = ["The browser reported Content-Security-Policy or Permissions-Policy errors:"]
        lines += [f"- {error}" for error in errors]
        pytest.fail("\n".join(lines), pytrace=False)


@pytest.fixture
def page(browser):
    context = new_context(browser)
    page = context.new_page()
    yield page
    context.close()  # console messages still on their way arrive while it closes
    _fail_on_policy_errors(context.stafett_policy_errors)


_seeded_snapshot: list[sqlite3.Connection] = []


@pytest.fixture
def seeded(transactional_db, live_server, settings) -> None:
    """The demo municipality (stafett.core.demo_data), in the test database the live server reads.

    Seeding takes about a second, so on SQLite the first seeded database is
    copied aside and copied back for the next tests (the sqlite3 backup API).
    The demo's files (consent forms) go to the session's file storage, never a
    per-test one, so the copied-back rows always find their files.
    """
    from django.db import connection

    from stafett.core.demo_data import seed_demo
    from tests import settings as test_settings

    settings.STORAGES = {**settings.STORAGES, "default": test_settings.STORAGES["default"]}

    if os.environ.get("STAFETT_BROWSER_RESEED") == "true":
        seed_demo()
        return
    if connection.vendor == "postgresql":
        _seed_postgresql(seed_demo)
        return
    connection.ensure_connection()
    assert not connection.in_atomic_block, "the browser tests need a transactional database"
    if _seeded_snapshot:
        _seeded_snapshot[0].backup(connection.connection)
    else:
        seed_demo()
        snapshot = sqlite3.connect(":memory:", check_same_thread=False)
        connection.connection.backup(snapshot)
        _seeded_snapshot.append(snapshot)


_PG_SNAPSHOT = "stafett_seed_snapshot"


def _seed_postgresql(seed_demo) -> None:
    """The same idea on PostgreSQL: the first seeded rows are copied into a schema of the test
    database, and later tests copy them back (triggers off while copying, sequences reset) —
    a few milliseconds instead of seeding again. Needs a superuser (CI's postgres); else it seeds."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection

    tables = sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            seed_demo()
            return
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [_PG_SNAPSHOT])
        have_snapshot = cursor.fetchone() is not None
        if not have_snapshot:
            seed_demo()
            cursor.execute(f"CREATE SCHEMA {_PG_SNAPSHOT}")
            for table in tables:
                cursor.execute(f'CREATE TABLE {_PG_SNAPSHOT}."{table}" AS TABLE public."{table}"')
            return
        cursor.execute("SET session_replication_role = replica")
        try:
            cursor.execute("TRUNCATE " + ", ".join(f'public."{t}"' for t in tables))
            for table in tables:
                cursor.execute(f'INSERT INTO public."{table}" SELECT * FROM {_PG_SNAPSHOT}."{table}"')  # noqa: S608 (names from introspection)
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")
        for statement in connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True)):
            cursor.execute(statement)


def login_as(page, live_server, name_substring: str) -> None:
    """Sign in through the demo login page by clicking the person's button."""
    page.goto(f"{live_server.url}/demo/logg-inn/")
    page.locator("button.person-button", has_text=name_substring).first.click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("h1").inner_text().startswith("Hei,"), page.content()


DUPLICATE_IDS_JS = """() => {
  const seen = new Map();
  for (const e of document.querySelectorAll('[id]')) seen.set(e.id, (seen.get(e.id) || 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([id]) => id);
}"""


def check_a11y(page) -> None:
    """Run axe-core (WCAG 2.1 A and AA) on the page, and look for duplicate ids;
    fail with a readable list of violations, or on any policy error in the console so far."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated, not added as a <script> element: the Content-Security-Policy blocks inline
        # scripts, and code sent through the DevTools protocol is not the page's own.
        page.evaluate(_axe_source())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    violations = result["violations"]
    # axe-core no longer reports duplicate ids (WCAG 2.2 dropped 4.1.1), but a label or
    # aria-describedby pointing at a duplicated id can name or describe the wrong field.
    duplicates = page.evaluate(DUPLICATE_IDS_JS)
    if violations or duplicates:
        lines = [f"Accessibility problems on {page.url}:"]
        if duplicates:
            lines.append(f"- duplicate-id: ids used more than once (labels may point at the wrong field): {duplicates}")
        for v in violations:
            lines.append(f"- {v['id']} ({v['impact']}): {v['help']}  [{v['helpUrl']}]")
            for node in v["nodes"]:
                target = " ".join(str(t) for t in node["target"])
                lines.append(f"    at {target}")
                summary = (node.get("failureSummary") or "").strip().replace("\n", " ")
                if summary:
                    lines.append(f"       {summary}")
        pytest.fail("\n".join(lines), pytrace=False)
    _fail_on_policy_errors(policy_errors(page))


@functools.cache
def _axe_source() -> str:
    return AXE.read_text() + "\n;undefined"
