"""Registered systems (issue 11 §1): presence, events and statistics, never content."""

import json

import pytest

from stafett.api import credentials
from stafett.api.models import SystemClient
from stafett.audit.models import AuditAction, AuditEvent
from stafett.logs import actions
from stafett.stats.queries import Period, statistics
from tests.api.conftest import bearer


def _codes(response):
    return {row["log"] for row in response.json()}


def test_presence_lists_the_active_logs_at_the_units_the_system_serves(client, cast, log, youth_log, health_log):
    kindergarten = bearer(system_for_units(cast, cast.kindergarten))
    health = bearer(system_for_units(cast, cast.health_station))
    whole = bearer(system_for_units(cast))
    assert _codes(client.get("/api/v1/system/presence", **kindergarten)) == {str(log.code), str(youth_log.code)}
    assert _codes(client.get("/api/v1/system/presence", **health)) == {str(health_log.code)}
    assert _codes(client.get("/api/v1/system/presence", **whole)) == {
        str(c) for c in (log.code, youth_log.code, health_log.code)
    }
    row = next(r for r in client.get("/api/v1/system/presence", **kindergarten).json() if r["log"] == str(log.code))
    assert row["national_id"] == cast.emma.national_id and row["unit"]["name"] == "Solsikken barnehage"
    actions.close_log(actor=cast.kari, log=youth_log, reason="maal_naadd")
    assert _codes(client.get("/api/v1/system/presence", **kindergarten)) == {str(log.code)}


def system_for_units(cast, *units, scopes=("logs.presence", "events", "statistics")):
    return credentials.register_system(
        actor=cast.trude, name="System", municipality=cast.fjordvik, units=list(units), scopes=list(scopes)
    ).token


def test_idor_a_system_asking_for_a_unit_it_does_not_serve_gets_404(client, cast, log, health_log):
    kindergarten = bearer(system_for_units(cast, cast.kindergarten))
    refused = client.get(f"/api/v1/system/presence?unit={cast.health_station.code}", **kindergarten)
    assert refused.status_code == 404 and refused["Content-Type"] == "application/problem+json"
    asked = client.get(f"/api/v1/system/presence?unit={cast.kindergarten.code}", **kindergarten)
    assert _codes(asked) == {str(log.code)}


def test_idor_another_municipalitys_system_sees_nothing_of_fjordvik(client, cast, log):
    nabodal = credentials.register_system(
        actor=cast.ola_admin,
        name="Nabodal arkiv",
        municipality=cast.nabodal,
        units=[],
        scopes=["logs.presence", "events"],
    ).token
    assert client.get("/api/v1/system/presence", **bearer(nabodal)).json() == []
    assert client.get("/api/v1/system/events", **bearer(nabodal)).json()["events"] == []
    assert client.get(f"/api/v1/system/presence?unit={cast.kindergarten.code}", **bearer(nabodal)).status_code == 404


def test_a_system_administrator_registers_only_for_their_own_municipality(cast):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        credentials.register_system(
            actor=cast.ola_admin, name="X", municipality=cast.fjordvik, units=[], scopes=["events"]
        )
    with pytest.raises(ValidationError):
        credentials.register_system(
            actor=cast.ola_admin, name="X", municipality=cast.nabodal, units=[cast.kindergarten], scopes=["events"]
        )
    with pytest.raises(PermissionDenied):
        credentials.register_system(actor=cast.kari, name="X", municipality=cast.fjordvik, units=[], scopes=["events"])


def test_a_system_never_reads_a_logs_content_nor_a_persons_endpoints(client, cast, log):
    actions.post_message(actor=cast.kari, log=log, text="Hemmelig innhold i meldingen")
    system = bearer(system_for_units(cast))
    assert client.get(f"/api/v1/logs/{log.code}", **system).status_code == 401
    assert client.get("/api/v1/me/logs", **system).status_code == 401
    answers = json.dumps(
        [client.get(f"/api/v1/system/{p}", **system).json() for p in ("presence", "events", "statistics")],
        ensure_ascii=False,
    )
    for content in ("Hemmelig innhold", log.initiator_text, "Emma forteller om dagen", "Kari Lunde"):
        assert content not in answers


def test_a_person_cannot_use_the_system_endpoints(client, cast, token_for):
    client.force_login(cast.trude)
    assert client.get("/api/v1/system/presence").status_code == 401
    assert client.get("/api/v1/system/presence", **bearer(token_for(cast.trude))).status_code == 401


def test_a_scope_not_granted_is_403(client, cast, log):
    presence_only = bearer(system_for_units(cast, scopes=["logs.presence"]))
    refused = client.get("/api/v1/system/events", **presence_only)
    assert refused.status_code == 403 and "events" in refused.json()["detail"]
    assert client.get("/api/v1/system/statistics", **presence_only).status_code == 403


def test_events_page_through_opened_level_holder_and_closed_with_a_cursor(client, cast, log, make_consent):
    system = bearer(system_for_units(cast, cast.kindergarten))
    actions.renew_consent(actor=cast.kari, log=log, consent=make_consent(level=2))
    log.refresh_from_db()
    actions.update_overview(
        actor=cast.kari, log=log, version=log.version, changes={"level": 2}, level_reason="Flere tjenester"
    )
    log.refresh_from_db()
    actions.update_overview(actor=cast.kari, log=log, version=log.version, changes={"strengths": "Glad i bøker"})
    log.refresh_from_db()
    actions.close_log(actor=cast.kari, log=log, reason="maal_naadd")
    kinds, cursor = [], 0
    for _ in range(10):
        page = client.get(f"/api/v1/system/events?after={cursor}&limit=1", **system).json()
        kinds += [e["kind"] for e in page["events"]]
        assert all(e["log"] == str(log.code) for e in page["events"])
        assert page["next_cursor"] >= cursor
        cursor = page["next_cursor"]
        if not page["more"] and not page["events"]:
            break
    assert kinds == ["opened", "level_changed", "closed"]  # the strengths edit is content, no event


def test_holder_changed_is_an_event(client, cast, log):
    from stafett.logs.models import Handover

    system = bearer(system_for_units(cast))
    actions.propose_handover(actor=cast.kari, log=log, to=cast.berit, unit=cast.kindergarten)
    actions.accept_handover(actor=cast.berit, handover=Handover.objects.get(log=log))
    kinds = [e["kind"] for e in client.get("/api/v1/system/events", **system).json()["events"]]
    assert kinds == ["opened", "holder_changed"]


def test_statistics_are_the_pages_with_small_counts_hidden(client, cast, log, youth_log):
    system = bearer(system_for_units(cast, scopes=["statistics"]))
    body = client.get("/api/v1/system/statistics", **system).json()
    expected = statistics(cast.fjordvik, _period_of(body))
    by_key = {t["key"]: t for t in body["tables"]}
    for table in expected.tables:
        assert [[c["value"] for c in r["cells"]] for r in by_key[table.key]["rows"]] == [
            [c.value for c in r.cells] for r in table.rows
        ]
    opened = by_key["periode"]["totals"][0]
    assert opened == {"value": None, "hidden": "small"}  # two logs: fewer than five are never shown


def _period_of(body):
    from datetime import date

    return Period(date.fromisoformat(body["start"]), date.fromisoformat(body["end"]))


def test_a_bad_period_is_a_norwegian_422(client, cast):
    system = bearer(system_for_units(cast, scopes=["statistics"]))
    bad = client.get("/api/v1/system/statistics?start=2026-05-01&end=2026-01-01", **system)
    assert bad.status_code == 422 and bad.json()["title"] == "Ugyldige data"
    garbage = client.get("/api/v1/system/statistics?start=ikke-en-dato", **system)
    assert garbage.status_code == 422 and garbage.json()["errors"][0]["field"] == "start"


def test_a_revoked_or_wrong_secret_is_401_and_the_secret_is_shown_once(client, cast):
    client.force_login(cast.trude)
    made = client.post("/systemer/", {"name": "Arkivet", "municipality": cast.fjordvik.id, "scopes": ["events"]})
    assert made.status_code == 200, made.content.decode()[:3000]
    secret = made.context["issued"].token
    assert secret in made.content.decode()
    assert secret not in client.get("/systemer/").content.decode()
    stored = SystemClient.objects.get(name="Arkivet")
    assert secret not in json.dumps([stored.key_id, stored.secret_hash])
    client.logout()
    assert client.get("/api/v1/system/events", **bearer(secret)).status_code == 200
    assert client.get("/api/v1/system/events", **bearer(secret[:-2] + "xx")).status_code == 401
    client.force_login(cast.trude)
    assert client.post(f"/systemer/{stored.code}/trekk-tilbake/").status_code == 302
    client.logout()
    assert client.get("/api/v1/system/events", **bearer(secret)).status_code == 401
    assert AuditEvent.objects.filter(action=AuditAction.SYSTEM_CLIENT_REVOKED.value).exists()


def test_only_system_administrators_open_the_systems_page(client, cast):
    for who, status in (("kari", 403), ("berit", 403), ("silje", 403), ("trude", 200), ("ola_admin", 200)):
        client.force_login(getattr(cast, who))
        assert client.get("/systemer/").status_code == status, who


def test_every_system_call_is_in_the_audit_trail(client, cast, log):
    secret = system_for_units(cast)
    client.get("/api/v1/system/presence", **bearer(secret))
    client.get("/api/v1/system/events", **bearer(secret))
    calls = AuditEvent.objects.filter(action=AuditAction.API_CALLED.value, actor_name="System: System")
    assert sorted(c.details["sti"] for c in calls) == ["/api/v1/system/events", "/api/v1/system/presence"]
