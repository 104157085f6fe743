"""Signing in and out, idle and too long sessions, the start page per role, and the demo login."""

import os
import subprocess
import sys
import time
from pathlib import Path

from django.urls import reverse

from stafett.accounts.middleware import SESSION_KEY, SIGNED_IN_KEY
from stafett.audit.models import AuditEvent
from stafett.core.demo_data import seed_demo
from stafett.people.models import Membership, Person, Role


def test_idle_session_is_ended_with_a_norwegian_explanation(client, cast, settings):
    client.force_login(cast.berit)
    client.get("/")
    session = client.session
    session[SESSION_KEY] = time.time() - settings.SESSION_IDLE_SECONDS - 5
    session.save()
    response = client.get(reverse("people:staff", args=[cast.kindergarten.code]), follow=True)
    assert response.redirect_chain[0][0] == reverse("accounts:login")
    assert "Du ble logget ut fordi du ikke hadde gjort noe på 30 minutter." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_session_ends_after_the_maximum_lifetime_however_active_the_person_is(client, cast, settings):
    assert settings.SESSION_MAX_SECONDS == 12 * 60 * 60
    client.force_login(cast.berit)
    client.get("/")
    session = client.session
    session[SIGNED_IN_KEY] = time.time() - settings.SESSION_MAX_SECONDS - 5
    session[SESSION_KEY] = time.time() - 1  # busy a second ago
    session.save()
    response = client.get(reverse("people:staff", args=[cast.kindergarten.code]), follow=True)
    assert response.redirect_chain[0][0] == reverse("accounts:login")
    assert "Du ble logget ut fordi du har vært logget inn i 12 timer." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_session_inside_the_maximum_lifetime_stays_signed_in(client, cast, settings):
    client.force_login(cast.berit)
    client.get("/")
    session = client.session
    session[SIGNED_IN_KEY] = time.time() - settings.SESSION_MAX_SECONDS + 60
    session.save()
    assert client.get(reverse("people:staff", args=[cast.kindergarten.code])).status_code == 200


def test_login_starts_the_clock_for_the_maximum_lifetime_and_a_new_session_id(client, db):
    seed_demo()
    kari = Person.objects.get(email="kari.lunde@fjordvik.example")
    before = client.session.session_key  # the test client's session cookie, before anyone signs in
    assert before
    client.post(reverse("accounts:demo_login"), {"person": str(kari.code)})
    assert client.session.session_key != before
    assert abs(client.session[SIGNED_IN_KEY] - time.time()) < 60


def _production_settings(*names: str, **env: str) -> list[str]:
    """The values of some settings with STAFETT_DEBUG=false, in a fresh interpreter."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("STAFETT_", "DJANGO_", "SECRET_KEY"))}
    production = {
        "STAFETT_DEBUG": "false",
        "SECRET_KEY": "a-production-secret-key-with-enough-entropy-0123456789abcdef",
        "STAFETT_FIELD_KEY": "Pw8GmeD0OZ0gxX9OXlY0a2m8M1cR3uDgrjNzxQpe4fM=",
        "ALLOWED_HOSTS": "stafett.kommune.example",
        "DJANGO_SETTINGS_MODULE": "stafett.settings",
    }
    code = (
        "import django; django.setup(); from django.conf import settings as s; print("
        + ", ".join(f"s.{name}" for name in names)
        + ")"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parent.parent,
        env={**base, **production, **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_production_cookies_are_host_only_with_the_host_prefix():
    names = _production_settings("SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME", "SESSION_COOKIE_SECURE")
    assert names == ["__Host-sessionid", "__Host-csrftoken", "True"]


def test_maximum_session_lifetime_is_set_in_hours_by_stafett_session_max_hours():
    assert _production_settings("SESSION_MAX_SECONDS") == [str(12 * 3600)]
    assert _production_settings("SESSION_MAX_SECONDS", STAFETT_SESSION_MAX_HOURS="8") == [str(8 * 3600)]


def test_active_session_stays_signed_in(client, cast):
    client.force_login(cast.berit)
    client.get("/")
    assert client.get(reverse("people:staff", args=[cast.kindergarten.code])).status_code == 200


def test_logout_needs_post_and_ends_the_session(client, cast):
    client.force_login(cast.berit)
    assert client.get(reverse("accounts:logout")).status_code == 405
    response = client.post(reverse("accounts:logout"))
    assert response.url == reverse("accounts:logged_out")
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="logout", actor_code=cast.berit.code).exists()


def test_login_page_without_configured_providers_says_so(db, client, settings):
    settings.OIDC_PROVIDERS = {k: {**v, "issuer": ""} for k, v in settings.OIDC_PROVIDERS.items()}
    response = client.get(reverse("accounts:login"))
    assert "Innlogging er ikke satt opp ennå" in response.content.decode()


def test_login_start_for_unknown_provider_is_404(db, client):
    assert client.post("/logg-inn/facebook/").status_code == 404


def test_login_start_when_provider_is_down_gives_a_clear_page(db, client, settings):
    settings.OIDC_PROVIDERS = {
        **settings.OIDC_PROVIDERS,
        "staff": {**settings.OIDC_PROVIDERS["staff"], "issuer": "http://127.0.0.1:9", "client_id": "x"},
    }
    response = client.post("/logg-inn/staff/")
    assert response.status_code == 503
    assert "svarer ikke" in response.content.decode()


def test_start_page_for_leader_shows_units_and_staff_list_link(client, cast):
    client.force_login(cast.berit)
    html = client.get("/").content.decode()
    assert "Solsikken barnehage" in html
    assert "Endre ansattlisten for Solsikken barnehage" in html
    assert "Personregisteret" not in html


def test_start_page_for_system_admin_shows_administration_but_says_no_log_content(client, cast):
    client.force_login(cast.trude)
    html = client.get("/").content.decode()
    assert "Personregisteret" in html
    assert "ser du ikke innholdet i stafettloggene" in html


def test_start_page_for_guardian_lists_their_children(client, cast):
    client.force_login(cast.silje)
    html = client.get("/").content.decode()
    assert "Dine barn" in html and "Emma Hansen" in html and "Jonas Hansen" in html
    assert "Dine tjenestesteder" not in html


def test_start_page_for_anonymous_invites_to_log_in(db, client):
    assert 'href="/logg-inn/"' in client.get("/").content.decode()


def test_demo_login_lists_people_with_role_and_unit(client, db):
    seed_demo()
    html = client.get(reverse("accounts:demo_login")).content.decode()
    assert "Kari Lunde" in html
    assert "pedagogisk leder, Solsikken barnehage" in html
    assert "foresatt til Emma" in html


def test_demo_login_signs_in_as_the_chosen_person_and_is_audited(client, db):
    seed_demo()
    kari = Person.objects.get(email="kari.lunde@fjordvik.example")
    response = client.post(reverse("accounts:demo_login"), {"person": str(kari.code)})
    assert response.url == "/"
    assert client.session["_auth_user_id"] == str(kari.pk)
    assert AuditEvent.objects.get(action="login", actor_code=kari.code).details == {"metode": "demo"}


def test_demo_login_with_unknown_person_is_refused(client, db):
    response = client.post(reverse("accounts:demo_login"), {"person": "nobody"})
    assert response.status_code == 400


def test_demo_data_has_every_role_and_a_dozen_families(db):
    assert seed_demo() is True
    assert seed_demo() is False  # idempotent: make run twice keeps one copy
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    children = Person.objects.filter(guardianships__isnull=False).distinct()
    assert children.count() >= 12
    from stafett.lib.national_id import parse

    for person in Person.objects.exclude(national_id=None):
        assert parse(person.national_id, allow_synthetic=True).is_synthetic
