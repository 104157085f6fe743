"""Bad input is never a server error, and a refusal stores nothing (issue 13 §2).

Every URL the app serves is filled in with real objects from the demo data (tests/fuzz/targets.py)
and sent generated bad input (tests/fuzz/payloads.py) as a person who may use it: huge and
negative numbers, NUL bytes, overlong and non-UTF-8 text, bad UUIDs, dates in year 1 and 9999,
lists for scalars, missing fields, wrong methods and content types. No answer may be a 5xx; a 4xx
answer may not have added or removed a row anywhere.

Kept fast for CI (`STAFETT_FUZZ=ci`, the default: a few examples per URL, the same ones every run);
`STAFETT_FUZZ=long` tries many more, different each run. bench/fuzz.py does the same against a
live server for 100,000 requests.
"""

import os
import random
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stafett.core.demo_data import seed_demo
from stafett.people.models import Person
from tests.fuzz import payloads
from tests.fuzz.targets import FuzzTarget, add_missing_objects, targets, url_name, walk

PROFILES = {
    "ci": settings(max_examples=5, deadline=None, derandomize=True, database=None),
    "long": settings(max_examples=150, deadline=None, database=None),
}
PROFILE = PROFILES[os.environ.get("STAFETT_FUZZ", "ci")]
SLOW = ("pdf", "printout", "csv")  # PDF rendering takes a second: fewer examples
URL_NAMES = sorted({name for name, _ in walk()})
# A rate limit's 429 writes its own audit row (issue 13 §7); nothing else may change.
STORED_ON = {429: {"audit_auditevent"}}
# A refused sign-in is audited like a refused ID-porten login: a wrong one-time code on the
# assisted guardian's page (issue 15 §7) writes its audit row, and nothing else.
AUDITED_REFUSALS = {"logs:assisted_code": {"audit_auditevent"}}


@dataclass
class World:
    targets: dict[str, list[FuzzTarget]]
    forms: dict[tuple[str, str], payloads.Form]
    people: dict[int, Person]


def _client(target: FuzzTarget, people: dict[int, Person], *, csrf: bool = False) -> Client:
    client = Client(enforce_csrf_checks=csrf, raise_request_exception=False)
    if target.person_id is not None:
        client.force_login(people[target.person_id])
    return client


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The demo data, once for the module, in a transaction rolled back at its end; each
    example runs in a savepoint of its own inside it."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            seed_demo()
            add_missing_objects()
            found: dict[str, list[FuzzTarget]] = {}
            for t in targets():
                found.setdefault(t.name, []).append(t)
            people = {p.id: p for p in Person.objects.filter(id__in={t.person_id for ts in found.values() for t in ts})}
            pages: list[payloads.Form] = []
            for ts in found.values():
                t = ts[0]  # forms are kept by URL name, so one page of each is enough
                if t.name.endswith((*SLOW, "ics")) or t.name == "accounts:logout":
                    continue
                with transaction.atomic():
                    response = _client(t, people).get(t.path)
                    transaction.set_rollback(True)
                if "text/html" in response.get("Content-Type", ""):
                    pages.extend(payloads.harvest_forms(t.path, response.content.decode()))
            yield World(found, payloads.forms_by_name(pages, url_name), people)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def row_counts() -> dict[str, int]:
    tables = sorted({m._meta.db_table for m in apps.get_models() if m._meta.managed})
    # Table names from the models, never from input.
    sql = " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM {connection.ops.quote_name(t)}" for t in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def form_for(world: World, name: str, rng: random.Random) -> payloads.Form | None:
    forms = [f for (action, _), f in world.forms.items() if action == name]
    return rng.choice(forms) if forms else None


def send(client: Client, request: payloads.FuzzRequest) -> object:
    return client.generic(request.method, request.path, request.body, request.content_type, headers=request.headers)


def check(
    response: object, request: payloads.FuzzRequest, before: dict[str, int], after: dict[str, int], name: str = ""
) -> None:
    status = response.status_code  # type: ignore[attr-defined]
    exc = getattr(response, "exc_info", None)
    where = "".join(traceback.format_exception(*exc)) if exc else ""
    assert status < 500, f"{status} for {request.describe()}\n{where}"
    if 400 <= status < 500:
        allowed = STORED_ON.get(status, set()) | AUDITED_REFUSALS.get(name, set())
        changed = {t for t in before if before[t] != after.get(t)} - allowed
        assert not changed, f"{status} but rows changed in {sorted(changed)} for {request.describe()}"


def follow(client: Client, response: object, request: payloads.FuzzRequest) -> None:
    """What a request stored is shown somewhere: the page it leads to must not crash either
    (a meeting on 9999-12-31 once broke every reader's calendar file)."""
    status = response.status_code  # type: ignore[attr-defined]
    if request.method in ("GET", "HEAD", "OPTIONS") or status >= 400:
        return
    location = response.get("Location", "") if 300 <= status < 400 else request.path  # type: ignore[attr-defined]
    if not location.startswith("/"):
        return
    shown = client.get(location)
    for page in [shown, *[client.get(p) for p in payloads.linked_files(shown.content)]]:
        exc = getattr(page, "exc_info", None)
        where = "".join(traceback.format_exception(*exc)) if exc else ""
        assert page.status_code < 500, f"{page.status_code} showing {location} after {request.describe()}\n{where}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", URL_NAMES)
def test_no_view_answers_bad_input_with_a_server_error(name: str, world: World) -> None:
    fillings = world.targets[name]
    profile = settings(PROFILE, max_examples=2) if name.endswith(SLOW) and PROFILE is PROFILES["ci"] else PROFILE

    @settings(profile, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(rng=st.randoms(use_true_random=False), pick=st.integers(0, len(fillings) - 1))
    def run(rng: random.Random, pick: int) -> None:
        target = fillings[pick]
        with transaction.atomic():
            client = _client(target, world.people)
            request = payloads.build_request(rng, target.path, form_for(world, target.name, rng))
            before = row_counts()
            response = send(client, request)
            check(response, request, before, row_counts(), target.name)
            follow(client, response, request)
            transaction.set_rollback(True)

    run()


def test_a_form_posted_without_its_csrf_token_is_refused_and_stores_nothing(world: World, db: None) -> None:
    """With the CSRF check on (as in production), a post without the token, with a wrong one,
    or in another charset gets a 4xx page, never a crash, and nothing is stored."""
    rng = random.Random(13)  # noqa: S311 — test data, not a secret
    posts = [
        (t, f) for ts in world.targets.values() for t in ts[:1] if (f := world.forms.get((t.name, "POST"))) is not None
    ]
    assert len(posts) > 30, "the fuzz should find most of the app's forms"
    for target, form in posts:
        for token in ("", "x" * 64):
            with transaction.atomic():
                client = _client(target, world.people, csrf=True)
                request = payloads.build_request(rng, target.path, form, csrf_token=token)
                if request.method in ("GET", "HEAD", "OPTIONS"):
                    transaction.set_rollback(True)
                    continue
                before = row_counts()
                response = send(client, request)
                check(response, request, before, row_counts())
                assert response.status_code in (400, 403, 405), request.describe()  # type: ignore[attr-defined]
                transaction.set_rollback(True)


def test_every_url_is_filled_in_with_real_objects_and_a_person_who_may_use_it(world: World) -> None:
    """A new view whose objects the demo lacks would otherwise be fuzzed as nobody."""
    assert set(world.targets) == set(URL_NAMES)
    forms = {name for name, method in world.forms if method == "POST"}
    assert {"logs:schedule_meeting", "logs:add_measure", "people:person_register", "undring:create"} <= forms


def test_the_check_fails_on_a_server_error_and_on_rows_stored_by_a_refusal() -> None:
    from django.http import HttpResponse

    request = payloads.FuzzRequest("POST", "/x/", b"", "", {}, "form")
    with pytest.raises(AssertionError, match="500"):
        check(HttpResponse(status=500), request, {"t": 1}, {"t": 1})
    with pytest.raises(AssertionError, match="rows changed"):
        check(HttpResponse(status=400), request, {"t": 1}, {"t": 2})
    check(HttpResponse(status=302), request, {"t": 1}, {"t": 2})  # a success may store
    check(HttpResponse(status=429), request, {"audit_auditevent": 1}, {"audit_auditevent": 2})
    with pytest.raises(AssertionError, match="rows changed"):
        check(HttpResponse(status=400), request, {"logs_relaylog": 1}, {"logs_relaylog": 2}, "logs:assisted_code")
    check(HttpResponse(status=400), request, {"audit_auditevent": 1}, {"audit_auditevent": 2}, "logs:assisted_code")
