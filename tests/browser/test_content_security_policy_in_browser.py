"""The Content-Security-Policy in Chromium (issue 13 §1). Every browser test listens for policy
errors in the console (conftest.py: `check_a11y` and the `page` fixture fail on any), so the
page sweeps (test_log_pages_accessible.py, every role from its start page) and the HTMX tests
run under the policy. These tests show that the listener hears what the policy blocks, and
that htmx runs without eval or inline style."""

import pytest

from stafett.people.models import Unit
from tests.browser.conftest import login_as, policy_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KINDERGARTEN = "Solsikken barnehage"
INLINE_ATTRIBUTES_JS = """() => [...document.querySelectorAll('*')].flatMap(e => [...e.attributes]
  .filter(a => a.name === 'style' || a.name.startsWith('on') || a.name.startsWith('hx-on'))
  .map(a => `${e.tagName.toLowerCase()} ${a.name}`))"""


def test_chromium_blocks_inline_script_and_style_and_the_tests_hear_of_it(page, live_server, seeded):
    response = page.goto(live_server.url + "/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "camera=()" in response.headers["permissions-policy"]
    assert policy_errors(page) == []

    page.evaluate(
        """() => {
          const script = document.createElement('script');
          script.textContent = 'window.__inline_ran = true';
          document.head.append(script);
          document.querySelector('h1').setAttribute('style', 'color: red');
          const button = document.createElement('button');
          button.setAttribute('onclick', 'window.__handler_ran = true');
          document.body.append(button);
          button.click();
        }"""
    )
    page.evaluate("0")  # one more round trip: the console messages are in

    assert page.evaluate("window.__inline_ran === undefined && window.__handler_ran === undefined")
    assert page.locator("h1").evaluate("e => getComputedStyle(e).color") != "rgb(255, 0, 0)"
    errors = policy_errors(page)
    assert any("inline script" in e for e in errors), errors
    assert any("inline style" in e for e in errors), errors
    assert any("inline event handler" in e for e in errors), errors
    errors.clear()  # provoked on purpose: the page fixture must not fail the test for them


def test_htmx_runs_without_eval_or_inline_style(page, live_server, seeded):
    login_as(page, live_server, "Berit Solheim")
    page.get_by_role("link", name=f"Endre ansattlisten for {KINDERGARTEN}").click()
    page.wait_for_url("**/ansatte/")
    assert page.evaluate("htmx.config.allowEval") is False
    assert page.evaluate("document.querySelectorAll('style').length") == 0, "htmx added its indicator styles"
    assert page.evaluate(INLINE_ATTRIBUTES_JS) == []

    page.get_by_label("Fornavn").fill("Sofie")
    page.get_by_role("button", name="Legg til").click()  # a 400 with the errors, swapped in by stafett.js
    page.locator("#ansatte .field-error").first.wait_for()
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_family_name'", timeout=2000)
    assert policy_errors(page) == []


def test_the_policy_holds_in_debug_and_demo_mode_too(page, live_server, seeded, settings):
    """`make run` and the demo run with DEBUG: the same header, and form errors still swap in."""
    settings.DEBUG = True
    login_as(page, live_server, "Berit Solheim")
    response = page.goto(f"{live_server.url}/tjenestested/{Unit.objects.get(name=KINDERGARTEN).code}/ansatte/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.get_by_label("Fornavn").fill("Sofie")
    page.get_by_role("button", name="Legg til").click()
    page.locator("#ansatte .field-error").first.wait_for()
    assert page.locator("h1").inner_text() == f"Ansatte ved {KINDERGARTEN}", "the page stays, only the form changes"
    page.evaluate("0")
    assert policy_errors(page) == []


def test_django_admin_runs_under_the_policy(page, live_server, seeded):
    login_as(page, live_server, "Trude Lie")
    for path in ["/admin/", "/admin/people/unit/", "/admin/people/unit/add/", "/admin/people/municipality/"]:
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        page.evaluate("0")
    assert policy_errors(page) == []
