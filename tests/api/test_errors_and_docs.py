"""Problem details in Norwegian for every error (RFC 9457), rate limits, audit of every call,
and the OpenAPI document and its documentation page (issue 11 §1)."""

import json
import uuid

import pytest

from stafett.audit.models import AuditAction, AuditEvent
from tests.api.conftest import bearer

PROBLEM = "application/problem+json"


def _is_problem(response, status, title):
    body = response.json()
    assert response.status_code == status and response["Content-Type"] == PROBLEM
    assert body["status"] == status and body["title"] == title and body["detail"]
    assert body["instance"] == response.wsgi_request.path
    return body


def test_401_404_and_422_are_norwegian_problem_details(client, cast, log):
    _is_problem(client.get("/api/v1/me/logs"), 401, "Ikke innlogget")
    client.force_login(cast.kari)
    _is_problem(client.get(f"/api/v1/logs/{uuid.uuid4()}"), 404, "Finnes ikke")
    _is_problem(client.get("/api/v1/logs/ikke-en-kode"), 422, "Ugyldige data")
    _is_problem(client.get("/api/v1/finnes-ikke"), 404, "Finnes ikke")
    empty = client.post(f"/api/v1/logs/{log.code}/messages", "{}", content_type="application/json")
    body = _is_problem(empty, 422, "Ugyldige data")
    assert body["errors"] == [{"field": "text", "message": "Feltet må fylles ut."}]
    broken = client.post(f"/api/v1/logs/{log.code}/messages", "{ikke json", content_type="application/json")
    assert broken.status_code in (400, 422) and broken["Content-Type"] == PROBLEM
    nul = client.post(
        f"/api/v1/logs/{log.code}/messages", json.dumps({"text": "a\x00b"}), content_type="application/json"
    )
    assert _is_problem(nul, 422, "Ugyldige data")["errors"][0]["message"].startswith("Verdien")
    blank = client.post(
        f"/api/v1/logs/{log.code}/messages", json.dumps({"text": "   "}), content_type="application/json"
    )
    _is_problem(blank, 422, "Ugyldige data")
    assert not log.messages.exists()


def test_a_write_to_a_closed_log_is_403_for_its_readers(client, cast, log):
    from stafett.logs import actions

    actions.close_log(actor=cast.kari, log=log, reason="maal_naadd")
    client.force_login(cast.silje)
    refused = client.post(
        f"/api/v1/logs/{log.code}/messages", json.dumps({"text": "Hei"}), content_type="application/json"
    )
    _is_problem(refused, 403, "Ikke tillatt")


def test_an_unexpected_error_is_a_500_problem_without_details(client, cast, log, monkeypatch):
    from stafett.api import people_api

    def broken(log):
        raise RuntimeError("hemmelig intern feil")

    monkeypatch.setattr(people_api, "log_page", broken)
    client.force_login(cast.kari)
    body = _is_problem(client.get(f"/api/v1/logs/{log.code}"), 500, "Feil i Stafett")
    assert "hemmelig" not in json.dumps(body)


def test_over_the_rate_limit_is_429_with_retry_after_and_one_audit_row(client, cast, settings, token_for, time_machine):
    time_machine.move_to("2026-01-05 10:00:05+00:00", tick=False)  # the five calls in one fixed window
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": {"person": (3, 60), "ip": (1000, 60)}}
    key = token_for(cast.kari)
    answers = [client.get("/api/v1/me/tasks", **bearer(key)) for _ in range(5)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429]
    body = _is_problem(answers[3], 429, "For mange forespørsler")
    assert int(answers[3]["Retry-After"]) > 0 and "Vent" in body["detail"]
    assert AuditEvent.objects.filter(action=AuditAction.RATE_LIMITED.value, actor_code=cast.kari.code).count() == 1


def test_every_call_is_in_the_audit_trail_like_a_page_view(client, cast, log):
    client.force_login(cast.nina)
    client.get("/api/v1/me/logs")
    client.get("/api/v1/me/tasks")
    client.get(f"/api/v1/logs/{log.code}")
    calls = AuditEvent.objects.filter(action=AuditAction.API_CALLED.value, actor_code=cast.nina.code)
    assert sorted(c.details["sti"] for c in calls) == sorted(
        ["/api/v1/me/logs", "/api/v1/me/tasks", f"/api/v1/logs/{log.code}"]
    )
    assert all(c.ip == "127.0.0.1" for c in calls)


def test_the_openapi_document_is_3_1_and_public(db, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.1")
    assert {"/api/v1/me/logs", "/api/v1/logs/{code}", "/api/v1/system/presence", "/api/v1/system/events"} <= set(
        document["paths"]
    )
    errors = document["paths"]["/api/v1/logs/{code}"]["get"]["responses"]["404"]["content"]
    assert list(errors) == [PROBLEM]


@pytest.mark.parametrize("who, status", [(None, 302), ("silje", 403), ("outsider", 403), ("kari", 200), ("trude", 200)])
def test_the_documentation_page_is_for_signed_in_staff(client, cast, who, status):
    if who:
        client.force_login(getattr(cast, who))
    response = client.get("/api/v1/docs")
    assert response.status_code == status


def test_the_documentation_page_keeps_the_strict_csp(client, cast):
    import re

    client.force_login(cast.kari)
    response = client.get("/api/v1/docs")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    html = response.content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    for attributes, body in scripts:
        # Either a file from our own static files, or a data block the browser never runs.
        assert 'src="/static/' in attributes or ('type="application/json"' in attributes), attributes
        if "src=" in attributes:
            assert not body.strip()
    assert "cdn" not in html.lower()
    assert not re.search(r"\son[a-z]+\s*=", html), "no inline event handlers"
    assert "style=" not in html


def test_a_wrong_method_is_a_405_problem_with_the_allowed_methods(client, cast, log):
    client.force_login(cast.kari)
    response = client.put("/api/v1/me/logs", "{}", content_type="application/json")
    _is_problem(response, 405, "Metoden er ikke tillatt")
    assert response["Allow"] == "GET"
    # Outside the API a wrong method keeps Django's own answer.
    assert client.put("/varsler/").get("Content-Type", "").split(";")[0] != PROBLEM
