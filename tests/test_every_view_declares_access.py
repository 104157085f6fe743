"""Every view declares what it needs (stafett/access.py); a view without a rule fails here."""

from django.urls import URLPattern, URLResolver, get_resolver

from stafett.access import POLICY
from stafett.api.models import SystemScope

DECLARED_ELSEWHERE = {"admin", "djdt"}  # Django admin checks is_system_admin itself (core/admin_site.py)


def _walk(patterns, namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, p.namespace or namespace)
        elif isinstance(p, URLPattern):
            yield namespace, p


def _api_operations(pattern):
    """A django-ninja path (/api/v1/…) is one URL for several operations (GET, POST):
    each operation's function declares its own rule (stafett/api/rules.py)."""
    path_view = getattr(pattern.callback, "__self__", None) or _closure_path_view(pattern.callback)
    return list(getattr(path_view, "operations", None) or [])


def _closure_path_view(callback):
    from ninja.operation import PathView

    for cell in getattr(callback, "__closure__", None) or ():
        if isinstance(cell.cell_contents, PathView):
            return cell.cell_contents
    return None


def _rules():
    """Every (name, rule) the URLconf declares: one per view, one per API operation."""
    for namespace, pattern in _walk(get_resolver().url_patterns):
        if namespace in DECLARED_ELSEWHERE or "static" in str(pattern.pattern):
            continue
        operations = _api_operations(pattern)
        if operations:
            for op in operations:
                rule = getattr(op.view_func, "access_rule", None)
                yield f"{namespace}:{'/'.join(op.methods)} {op.view_func.__name__} ({pattern.pattern})", rule
        else:
            yield f"{namespace}:{pattern.name} ({pattern.pattern})", getattr(pattern.callback, "access_rule", None)


def test_every_url_has_a_declared_access_rule():
    # A registered system's endpoints declare the scope they need (access.system_may).
    actions = {a for acts in POLICY.values() for a in acts} | set(SystemScope)
    missing = [name for name, rule in _rules() if rule not in {"public", "signed_in"} and rule not in actions]
    assert not missing, "Views without a declared access rule: " + ", ".join(missing)


def test_the_walk_sees_every_api_operation_with_its_rule():
    from stafett.access import Action
    from stafett.api.api import api

    rules = {name.split(" (")[0]: rule for name, rule in _rules() if name.startswith("api:")}
    documented = [op for methods in api.get_openapi_schema()["paths"].values() for op in methods.values()]
    assert len([n for n in rules if " " in n]) == len(documented) > 0  # every operation walked
    assert rules["api:GET log"] == Action.VIEW_LOG
    assert rules["api:POST post_message"] == Action.POST_MESSAGE
    assert rules["api:POST evaluate_measure"] == Action.EVALUATE_OWN_MEASURE
    assert rules["api:GET presence"] == SystemScope.PRESENCE
    assert rules["api:openapi-json"] == "public"
    assert rules["api:openapi-view"] == Action.VIEW_API_DOCS


def test_an_api_operation_without_a_rule_would_be_caught():
    from ninja import NinjaAPI, Router

    bare_router = Router()

    @bare_router.get("/bare")
    def bare(request):
        return {}

    bare_api = NinjaAPI(urls_namespace="bare-test", docs_url=None, openapi_url=None)
    bare_api.add_router("/", bare_router)
    [op] = [op for p in bare_api.urls[0] if isinstance(p, URLPattern) for op in _api_operations(p)]
    assert getattr(op.view_func, "access_rule", None) is None


def test_the_walk_finds_the_views_it_should():
    names = {f"{ns}:{p.name}" for ns, p in _walk(get_resolver().url_patterns)}
    assert {"people:staff", "people:staff_add", "accounts:callback", "core:start"} <= names


def test_a_view_without_a_rule_would_be_caught():
    from django.http import HttpResponse

    def bare(request):
        return HttpResponse()

    assert getattr(bare, "access_rule", None) is None


def test_admin_is_only_for_system_administrators(client, cast):
    client.force_login(cast.berit)
    assert client.get("/admin/").status_code == 302  # to login: not allowed in
    client.force_login(cast.trude)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert b"Tjenestesteder" in response.content or "Tjenestesteder" in response.content.decode()
    assert client.get("/admin/people/unit/").status_code == 200
    # Persons, staff lists and guardians are changed only through audited actions.
    assert client.get("/admin/people/person/").status_code == 404
    assert client.get("/admin/audit/auditevent/").status_code == 404


def test_unit_created_in_admin_is_audited(client, cast):
    from stafett.audit.models import AuditEvent
    from stafett.people.models import Unit

    client.force_login(cast.trude)
    response = client.post(
        "/admin/people/unit/add/",
        {"municipality": cast.fjordvik.id, "name": "Lia skole", "service_type": "skole", "email": "", "phone": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    unit = Unit.objects.get(name="Lia skole")
    event = AuditEvent.objects.about(unit).get()
    assert event.action == "unit.created" and event.actor_name == "Trude Lie"
