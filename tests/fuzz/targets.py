"""Every URL of the app, filled in with real objects from the demo data and a person who may use
it (issue 13 §2). Shared by the fuzz test and bench/fuzz.py; needs Django set up on a database
that `seed_demo()` (plus `add_missing_objects()`) has filled.

The person is asked of stafett/access.py itself (`can`), so a new view or a changed rule is
fuzzed as the right person without editing this file.
"""

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db.models import Model
from django.urls import URLPattern, URLResolver, get_resolver

from stafett import access
from stafett.access import Action, Target

SKIPPED_NAMESPACES = {"admin", "djdt"}  # Django's own admin forms; they check is_system_admin themselves
# The REST API (/api/v1/, issue 11) is fuzzed against its own OpenAPI document, as a person and
# as a registered system: tests/api/test_schemathesis.py. Its pages (keys, systems) are here.
SKIPPED_NAMESPACES.add("api")
TOOL_DIR = Path(access.__file__).parent / "guide" / "data" / "verktoy"
PER_URL = 3  # different objects (logs in different states) per URL


@dataclass(frozen=True)
class FuzzTarget:
    name: str  # namespace:name
    path: str
    person_id: int | None  # None: anonymous
    person_code: str = ""


def walk(patterns: Any = None, namespace: str | None = None) -> Iterator[tuple[str, URLPattern]]:
    for p in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(p, URLResolver):
            if p.namespace in SKIPPED_NAMESPACES:
                continue
            yield from walk(p.url_patterns, p.namespace or namespace)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{namespace}:{p.name}", p


def add_missing_objects() -> None:
    """What the demo lacks: one open level-0 note at the kindergarten, written by Kari, and (where
    the app has them) a family's request for a log."""
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.http import Http404
    from django.utils import timezone

    from stafett.people.models import Guardianship, Person, Unit
    from stafett.undring.actions import Reflection, create_note
    from stafett.undring.models import ConcernNote

    kari = Person.objects.get(email="kari.lunde@fjordvik.example")
    unit = Unit.objects.get(name="Solsikken barnehage")
    with contextlib.suppress(ImportError):  # a personal API key and a registered system (issue 11)
        from stafett.api import credentials
        from stafett.api.models import PersonalToken, SystemClient

        if not PersonalToken.objects.exists():
            credentials.create_token(actor=kari, name="Skript")
        if not SystemClient.objects.exists():
            trude = Person.objects.get(email="trude.lie@fjordvik.example")
            credentials.register_system(
                actor=trude, name="Arkivet", municipality=unit.municipality, units=[], scopes=["events"]
            )
    with contextlib.suppress(ImportError):  # a passive former holder (issue 15 §8), as after a handover
        from stafett.logs.models import FormerHolder, LogStatus, RelayLog
        from stafett.people.models import Membership

        if not FormerHolder.objects.exists():
            for log in RelayLog.objects.filter(status=LogStatus.ACTIVE).order_by("id"):
                colleague = Membership.objects.active().filter(unit=log.unit).exclude(person=log.holder_id).first()
                if colleague is not None:
                    # Test data, as accept_handover(old_holder_passive=True) leaves it, without
                    # changing the demo log's holder (the fuzz's own actors depend on it).
                    FormerHolder.objects.create(log=log, person=colleague.person, unit=log.unit)
                    break
    if not ConcernNote.objects.exists():
        reflection = Reflection(about="Gutt, 4 år, Blåklokka", why="Trekker seg unna")
        create_note(actor=kari, unit=unit, reflection=reflection)
    try:  # an anonymous discussion with the resource team (where the app has them)
        from stafett.undring.actions import DiscussionData, record_discussion
        from stafett.undring.models import Discussion
    except ImportError:
        pass
    else:
        if not Discussion.objects.exists():
            data = DiscussionData(discussed_on=timezone.localdate(), outcome="Prøve ut tiltak", team="Ressursteamet")
            with contextlib.suppress(ValidationError, PermissionDenied, Http404):
                record_discussion(actor=kari, unit=unit, data=data)
    try:
        from stafett.logs.actions.requests import ask_for_log
    except ImportError:
        return
    family = Guardianship.objects.filter(child__relay_logs__isnull=True).select_related("guardian", "child").first()
    if family is not None:
        with contextlib.suppress(ValidationError, PermissionDenied, Http404):  # the demo may not allow it
            ask_for_log(actor=family.guardian, child=family.child, unit=unit, text="Kan dere se på dette?")


def _candidates() -> list[Any]:
    """Staff first (holders, leaders, administrators), then guardians and youths."""
    from stafett.people.models import Guardianship, Person

    staff = list(Person.objects.filter(memberships__isnull=False).distinct().order_by("id"))
    guardian_ids = Guardianship.objects.values("guardian")
    others = list(Person.objects.filter(id__in=guardian_ids).exclude(id__in=[p.id for p in staff]).order_by("id"))
    return staff + others


def _objects(name: str, param: str, chosen: dict[str, Any]) -> list[Model]:
    """Real objects for one URL parameter, given the ones chosen before it."""
    from stafett.guide.models import GuidePosition, GuideStep
    from stafett.logs.models import ConsentRequest, Handover, LogTemplate, RelayLog
    from stafett.people.models import Guardianship, Person, Role, Unit
    from stafett.undring.models import ConcernNote

    log = chosen.get("log_code")
    if param == "log_code":
        return list(RelayLog.objects.order_by("id"))
    if param == "unit_code":
        return list(Unit.objects.order_by("id"))
    if param == "note_code":
        return list(ConcernNote.objects.order_by("id"))
    if param == "code" and name.startswith("people:"):
        children = Guardianship.objects.values("child")
        return list(Person.objects.filter(id__in=children).order_by("id")[:PER_URL])
    if param == "code" and name == "logs:template_edit":
        return list(LogTemplate.objects.order_by("id"))
    if param == "code" and name == "guide:edit_step":
        return list(GuideStep.objects.order_by("id")[:PER_URL])
    if param == "guardian_code":
        return [g.guardian for g in Guardianship.objects.filter(child=chosen["code"]).select_related("guardian")]
    if param == "person_code":
        return list(Person.objects.filter(birth_date__isnull=False, memberships__isnull=True).order_by("-id")[:4])
    if param == "membership_code":
        # Not the memberships that make the fuzz's own actors administrators or holders: ending
        # those would leave the rest of a live run (bench/fuzz.py) with nobody allowed to write.
        memberships = chosen["unit_code"].memberships  # type: ignore[attr-defined]
        kept = memberships.exclude(role__in=[Role.SYSTEM_ADMIN, Role.SUPERUSER, Role.LEADER])
        return list(kept.exclude(person__held_logs__isnull=False).order_by("-id"))
    if param == "request_code" and name == "logs:answer_consent":
        return list(ConsentRequest.objects.order_by("id"))
    if param == "handover_code":
        return list(Handover.objects.order_by("id"))
    if param == "position_code":
        return list(GuidePosition.objects.filter(log=log).order_by("id"))
    related = {
        "participant_code": "participants",
        "consent_code": "consents",
        "goal_code": "goals",
        "measure_code": "measures",
        "meeting_code": "meetings",
        "transition_code": "transitions",
    }
    if param in related and log is not None:
        return list(getattr(log, related[param]).order_by("id"))
    return _by_model_name(name, param)


def _by_model_name(name: str, param: str) -> list[Model]:
    """`<uuid:discussion_code>` → the Discussion rows, `<uuid:request_code>` (not a consent) →
    LogRequest: a new view's objects are found without editing this file."""
    from django.apps import apps

    wanted = {param.removesuffix("_code").replace("_", ""), f"log{param.removesuffix('_code')}"}
    for model in apps.get_models():
        if model._meta.model_name in wanted and any(f.name == "code" for f in model._meta.fields):
            return list(model._default_manager.order_by("id")[:PER_URL])
    raise LookupError(f"{name}: no objects for <{param}>")


def _value(param: str, obj: Any) -> str:
    return str(obj) if param in ("slug", "number", "provider", "token") else str(obj.code)


def _fillings(name: str, pattern: URLPattern) -> Iterator[dict[str, Any]]:
    params = list(pattern.pattern.converters)
    if not params:
        yield {}
        return

    def fill(i: int, chosen: dict[str, Any]) -> Iterator[dict[str, Any]]:
        if i == len(params):
            yield dict(chosen)
            return
        param = params[i]
        if param == "slug":
            options: list[Any] = sorted(p.stem for p in TOOL_DIR.glob("*.toml"))[:2]
        elif param == "provider":
            options = [*sorted(settings.OIDC_PROVIDERS)[:2], "ukjent"]
        elif param == "number":
            options = [1, 2]
        elif param == "token":  # a calendar feed's token: only its hash is stored, so an unknown one (404)
            options = ["ukjent-kalenderadresse"]
        else:
            options = _objects(name, param, chosen)
        for obj in options:
            yield from fill(i + 1, {**chosen, param: obj})

    yield from fill(0, {})


def _who(name: str, rule: Any, chosen: dict[str, Any], people: list[Any]) -> Any:
    """The first person who may use the view on these objects (None: nobody in the demo may)."""
    if rule == "public":
        return None
    if rule == "signed_in":
        if "request_code" in chosen:
            request = chosen["request_code"]
            guardians = access.people_with([request.log], {access.Relation.GUARDIAN}).get(request.log.id, set())
            return next((p for p in people if p.id in guardians), None)
        if "handover_code" in chosen:
            return chosen["handover_code"].to_person
        return next(p for p in people if p.email == "kari.lunde@fjordvik.example")
    kind = access.target_of(Action(rule))
    target = None
    if kind != Target.INSTALLATION:
        target = next((o for o in chosen.values() if _kind_of(o) == kind), None)
        if target is None:
            return False
    return next((p for p in people if access.can(p, Action(rule), target)), False)


def _kind_of(obj: Any) -> Any:
    try:
        return access.target_of_object(obj)
    except (TypeError, ValueError, LookupError):
        return None


def targets() -> list[FuzzTarget]:
    """Up to PER_URL fillings of every URL pattern, each with a person who may use it."""
    people = _candidates()
    found: list[FuzzTarget] = []
    for name, pattern in walk():
        rule = getattr(pattern.callback, "access_rule", None)
        if rule is None:
            continue
        count = 0
        for chosen in _fillings(name, pattern):
            person = _who(name, rule, chosen, people)
            if person is False or (person is None and rule != "public"):
                continue
            path = pattern_path(name, {k: _value(k, v) for k, v in chosen.items()})
            found.append(FuzzTarget(name, path, person.id if person else None, str(person.code) if person else ""))
            count += 1
            if count == PER_URL:
                break
    return found


def pattern_path(name: str, kwargs: dict[str, str]) -> str:
    from django.urls import reverse

    return reverse(name, kwargs=kwargs)


def url_name(path: str) -> str | None:
    """namespace:name of a path the app serves, or None."""
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name if ":" in match.view_name else None
