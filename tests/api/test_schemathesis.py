"""Schemathesis against the generated OpenAPI document (issue 11 §1), inside the suite:
every operation, as a signed-in person and as a registered system, with real codes and with
generated ones — 0 server errors and 0 responses that break the document (status code,
content type, body schema). Bounded: about 12 examples per operation and pass."""

from contextlib import contextmanager

import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import bearer

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 12


@contextmanager
def django_keeps_the_connection():
    """Django's own WSGI handler, in this test's transaction: the handler must not close the
    connection after each request. Django's test client does the same, and connects the
    receivers again after each of its requests: use it before this, not inside."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _run(operation, *, path_parameters=None, headers=None, cookies=None, seen=None):
    strategy = operation.as_strategy(path_parameters=path_parameters)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def check(case):
        response = case.call(headers=headers, cookies=cookies)
        seen.append(response.status_code)
        case.validate_response(response, checks=CHECKS, headers=headers)

    check()


def test_schemathesis_finds_no_server_error_and_no_response_outside_the_document(
    cast, log, silje_measure, settings, token_for, system_for
):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": {"person": (100_000, 60), "ip": (100_000, 60)}}
    browser = Client()
    browser.force_login(cast.kari)
    browser.get("/")  # the csrftoken cookie
    session = {name: browser.cookies[name].value for name in ("sessionid", "csrftoken")}
    person_key, system_secret = token_for(cast.kari), system_for()
    real = {"code": str(log.code), "measure": str(silje_measure.code)}
    seen: dict[str, list[int]] = {}
    with django_keeps_the_connection() as wsgi_app:
        schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)
        for result in schema.get_all_operations():
            operation = result.ok()
            statuses = seen.setdefault(f"{operation.method.upper()} {operation.path}", [])
            if operation.path.startswith("/api/v1/system/"):
                auth = {"headers": {"Authorization": f"Bearer {system_secret}"}}
            elif operation.method.upper() == "GET":
                auth = {"headers": {"Authorization": bearer(person_key)["HTTP_AUTHORIZATION"]}}
            else:  # writes take the browser session and its CSRF token
                auth = {"headers": {"X-CSRFToken": session["csrftoken"]}, "cookies": session}
            names = {p.name for p in operation.path_parameters}
            if names:
                _run(operation, path_parameters={n: real[n] for n in names}, seen=statuses, **auth)
            _run(operation, seen=statuses, **auth)
    assert len(seen) == 9
    assert sum(len(s) for s in seen.values()) >= 100
    # The runs reached the endpoints, not only their refusals.
    assert 200 in seen["GET /api/v1/logs/{code}"] and 201 in seen["POST /api/v1/logs/{code}/messages"]
    assert 200 in seen["GET /api/v1/logs/{code}/fhir"] and 200 in seen["GET /api/v1/system/events"]
