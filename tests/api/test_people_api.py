"""People's API answers what the pages answer (issue 11 §1): the access cast against can()."""

import json
import uuid

import pytest
from django.test import Client

from stafett import access
from stafett.access import Action
from stafett.audit.models import AuditAction, AuditEvent
from tests.api.conftest import bearer

CAST = ["berit", "kari", "nina", "trude", "randi", "ola_admin", "silje", "emma", "jonas", "outsider"]
EVALUATION = {"carried_out": True, "decision": "fortsette", "effect_child": "Emma ser fram til lesestunden."}


def _post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


@pytest.mark.parametrize("who", CAST)
def test_every_people_endpoint_answers_as_can_says_for_the_whole_cast(client, cast, log, silje_measure, who):
    person = getattr(cast, who)
    client.force_login(person)
    reads, posts, evaluates = (
        access.can(person, a, log) for a in (Action.VIEW_LOG, Action.POST_MESSAGE, Action.EVALUATE_OWN_MEASURE)
    )
    may_evaluate = access.can(person, Action.EVALUATE_ANY_MEASURE, log) or (
        evaluates and silje_measure.responsible_id == person.id
    )

    assert client.get(f"/api/v1/logs/{log.code}").status_code == (200 if reads else 404)
    message = _post(client, f"/api/v1/logs/{log.code}/messages", {"text": f"Hilsen fra {who}"})
    assert message.status_code == (201 if posts else 403 if reads else 404)
    evaluation = _post(client, f"/api/v1/logs/{log.code}/measures/{silje_measure.code}/evaluations", EVALUATION)
    assert evaluation.status_code == (201 if may_evaluate else 403 if reads else 404)
    assert message["Content-Type"] == ("application/json; charset=utf-8" if posts else "application/problem+json")


@pytest.mark.parametrize("who", CAST)
def test_my_logs_and_tasks_are_the_start_pages(client, cast, log, youth_log, health_log, who):
    person = getattr(cast, who)
    client.force_login(person)
    page = client.get("/").context
    mine = client.get("/api/v1/me/logs").json()

    def codes(logs):
        return [str(log.code) for log in logs]

    assert [x["code"] for x in mine["holder"]] == codes(page["logs_as_holder"])
    assert [x["code"] for x in mine["participant"]] == codes(page["logs_as_participant"])
    assert [x["code"] for x in mine["children"]] == codes(page["children_logs"])
    assert [x["code"] for x in mine["own"]] == codes(page["own_logs"])
    listed = {x["code"] for group in mine.values() for x in group}
    assert listed <= {str(c) for c in access.readable_logs(person).values_list("code", flat=True)}
    tasks = client.get("/api/v1/me/tasks").json()
    assert [t["measure"] for t in tasks] == [str(m.code) for m in page["tasks"]]


def test_the_log_is_the_log_pages_and_reading_it_is_in_the_access_log(client, cast, log):
    from stafett.logs import actions

    actions.post_message(actor=cast.silje, log=log, text="Emma gleder seg.")
    client.force_login(cast.nina)
    page = client.get(f"/logg/{log.code}/").context["page"]
    before = AuditEvent.objects.filter(scope_code=log.code, action=AuditAction.LOG_VIEWED.value).count()
    body = client.get(f"/api/v1/logs/{log.code}").json()
    assert [g["code"] for g in body["goals"]] == [str(g.code) for g in page.goals]
    assert [m["code"] for g in body["goals"] for m in g["measures"]] == [
        str(m.code) for g in page.goals for m in g.measures.all()
    ]
    assert [m["text"] for m in body["messages"]] == [m.text for m in page.messages] == ["Emma gleder seg."]
    assert [p["person"]["name"] for p in body["participants"]] == [p.person.full_name for p in page.participants]
    assert body["gaps"] == page.gaps
    viewed = AuditEvent.objects.filter(scope_code=log.code, action=AuditAction.LOG_VIEWED.value)
    assert viewed.count() == before + 1
    assert viewed.order_by("-seq").first().actor_code == cast.nina.code


def test_posting_and_evaluating_go_through_the_logs_actions(client, cast, log, silje_measure):
    client.force_login(cast.silje)
    sent = _post(client, f"/api/v1/logs/{log.code}/messages", {"text": "Hei fra API-et"})
    assert sent.status_code == 201
    assert AuditEvent.objects.filter(scope_code=log.code, action=AuditAction.MESSAGE_POSTED.value).exists()
    done = _post(client, f"/api/v1/logs/{log.code}/measures/{silje_measure.code}/evaluations", EVALUATION)
    assert done.status_code == 201 and done.json()["author_is_guardian"] is True
    assert AuditEvent.objects.filter(scope_code=log.code, action=AuditAction.MEASURE_EVALUATED.value).exists()


def test_a_participant_may_not_evaluate_someone_elses_measure(client, cast, log, silje_measure, nina_measure):
    client.force_login(cast.nina)
    refused = _post(client, f"/api/v1/logs/{log.code}/measures/{silje_measure.code}/evaluations", EVALUATION)
    assert refused.status_code == 403
    assert refused.json()["detail"] == "Du kan bare evaluere tiltak du selv har ansvar for."
    own = _post(client, f"/api/v1/logs/{log.code}/measures/{nina_measure.code}/evaluations", EVALUATION)
    assert own.status_code == 201


def test_idor_another_logs_codes_are_404_like_codes_that_do_not_exist(client, cast, log, youth_log, health_log):
    from stafett.logs import actions
    from stafett.logs.models import Arena

    goal = actions.add_goal(actor=cast.nina, log=health_log, arena=Arena.HOME, text="Lea sover godt")
    actions.add_measure(
        actor=cast.nina,
        goal=goal,
        data=actions.MeasureData("Fast leggetid", "helse", cast.nina, log.created_at.date(), log.created_at.date()),
    )
    lea_measure = health_log.measures.get()
    client.force_login(cast.kari)  # holds Emma's and Jonas's logs, not Lea's
    missing = client.get(f"/api/v1/logs/{uuid.uuid4()}")
    foreign = client.get(f"/api/v1/logs/{health_log.code}")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json()["detail"] == missing.json()["detail"]
    # A measure of Lea's log under Emma's log code: 404, and nothing is written.
    crossed = _post(client, f"/api/v1/logs/{log.code}/measures/{lea_measure.code}/evaluations", EVALUATION)
    assert crossed.status_code == 404
    sneaked = _post(client, f"/api/v1/logs/{log.code}/messages", {"text": "x", "measure": str(lea_measure.code)})
    assert sneaked.status_code == 404
    assert not lea_measure.evaluations.exists() and not lea_measure.comments.exists()
    client.force_login(cast.nina)  # a participant in Emma's log, not in Jonas's
    assert client.get(f"/api/v1/logs/{youth_log.code}").status_code == 404


def test_the_session_needs_the_csrf_token_to_write(cast, log):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cast.kari)
    assert browser.get(f"/api/v1/logs/{log.code}").status_code == 200  # reading needs no token
    refused = _post(browser, f"/api/v1/logs/{log.code}/messages", {"text": "Uten token"})
    assert refused.status_code == 403 and refused["Content-Type"] == "application/problem+json"
    assert "CSRF" in refused.json()["detail"]
    browser.get("/")  # sets the csrftoken cookie
    token = browser.cookies["csrftoken"].value
    sent = _post(browser, f"/api/v1/logs/{log.code}/messages", {"text": "Med token"}, HTTP_X_CSRFTOKEN=token)
    assert sent.status_code == 201


def test_a_personal_key_reads_like_its_person_and_never_writes(client, cast, log, token_for):
    key = token_for(cast.nina)
    assert client.get(f"/api/v1/logs/{log.code}", **bearer(key)).status_code == 200
    assert client.get("/api/v1/me/logs", **bearer(key)).json()["participant"][0]["code"] == str(log.code)
    refused = _post(client, f"/api/v1/logs/{log.code}/messages", {"text": "Fra nøkkel"}, **bearer(key))
    assert refused.status_code == 403 and "bare lesetilgang" in refused.json()["detail"]
    assert not log.messages.exists()
    outsider_key = token_for(cast.outsider)
    assert client.get(f"/api/v1/logs/{log.code}", **bearer(outsider_key)).status_code == 404


def test_a_revoked_or_wrong_key_is_401(client, cast, log, token_for):
    from stafett.api import credentials
    from stafett.api.models import PersonalToken

    key = token_for(cast.nina)
    wrong = key[:-4] + ("aaaa" if not key.endswith("aaaa") else "bbbb")
    assert client.get("/api/v1/me/logs", **bearer(wrong)).status_code == 401
    credentials.revoke_token(actor=cast.nina, token=PersonalToken.objects.get(person=cast.nina))
    revoked = client.get("/api/v1/me/logs", **bearer(key))
    assert revoked.status_code == 401
    assert revoked["Content-Type"] == "application/problem+json" and revoked.json()["title"] == "Ikke innlogget"
    assert revoked["WWW-Authenticate"].startswith("Bearer")


def test_a_key_is_shown_once_on_its_page_and_only_its_hash_is_stored(client, cast):
    from stafett.api.models import PersonalToken

    client.force_login(cast.nina)
    made = client.post("/innstillinger/api-nokler/", {"name": "Skript på jobb-PC"})
    token = made.context["issued"].token
    assert token in made.content.decode()
    assert made["Cache-Control"] == "private, no-store"
    assert token not in client.get("/innstillinger/api-nokler/").content.decode()
    stored = PersonalToken.objects.get(person=cast.nina)
    assert token not in json.dumps([stored.key_id, stored.secret_hash, stored.name])
    assert client.get("/api/v1/me/tasks", **bearer(token)).status_code == 200
    revoked = client.post(f"/innstillinger/api-nokler/{stored.code}/trekk-tilbake/")
    assert revoked.status_code == 302
    assert client.get("/api/v1/me/tasks", **bearer(token)).status_code == 401
    assert AuditEvent.objects.filter(action=AuditAction.API_TOKEN_REVOKED.value, actor_code=cast.nina.code).exists()


def test_nobody_revokes_another_persons_key(client, cast, token_for):
    from stafett.api.models import PersonalToken

    key = token_for(cast.nina)
    client.force_login(cast.kari)
    stored = PersonalToken.objects.get(person=cast.nina)
    assert client.post(f"/innstillinger/api-nokler/{stored.code}/trekk-tilbake/").status_code == 404
    assert client.get("/api/v1/me/logs", **bearer(key)).status_code == 200


@pytest.mark.parametrize("who", CAST)
def test_the_fhir_export_answers_as_can_export_says(client, cast, log, who):
    person = getattr(cast, who)
    client.force_login(person)
    exports, reads = access.can(person, Action.EXPORT, log), access.can(person, Action.VIEW_LOG, log)
    response = client.get(f"/api/v1/logs/{log.code}/fhir")
    assert response.status_code == (200 if exports else 403 if reads else 404)
    if exports:
        assert response["Content-Type"] == "application/fhir+json"
        bundle = response.json()
        assert bundle["resourceType"] == "Bundle"
        assert any(e["resource"]["resourceType"] == "CarePlan" for e in bundle["entry"])
        exported = AuditEvent.objects.filter(scope_code=log.code, action=AuditAction.LOG_VIEWED.value)
        assert exported.filter(actor_code=person.code, details__side="FHIR-eksport").exists()
