"""Every view declares what it needs (stafett/access.py); a view without a rule fails here."""

from django.urls import URLPattern, URLResolver, get_resolver

from stafett.access import POLICY

DECLARED_ELSEWHERE = {"admin", "djdt"}  # Django admin checks is_system_admin itself (core/admin_site.py)


def _walk(patterns, namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, p.namespace or namespace)
        elif isinstance(p, URLPattern):
            yield namespace, p


def test_every_url_has_a_declared_access_rule():
    actions = {a for acts in POLICY.values() for a in acts}
    missing = []
    for namespace, pattern in _walk(get_resolver().url_patterns):
        if namespace in DECLARED_ELSEWHERE or "static" in str(pattern.pattern):
            continue
        rule = getattr(pattern.callback, "access_rule", None)
        if rule not in {"public", "signed_in"} and rule not in actions:
            missing.append(f"{namespace}:{pattern.name} ({pattern.pattern})")
    assert not missing, "Views without a declared access rule: " + ", ".join(missing)


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
