"""Rate limits (issue 13 §7, audit/ratelimit.py): login starts, look-ups by national ID number,
consent answers and the demo login. Over a limit: the Norwegian 429 page, one audit row, and
nothing else changes. Counted in the shared cache, so a person's limit holds across browsers and
IP addresses."""

import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from stafett.audit.models import AuditAction, AuditEvent
from stafett.lib import ratelimit
from stafett.logs import actions
from stafett.logs.actions import ConsentTerms, LogStart
from stafett.logs.models import ConsentApproval
from stafett.people.models import Guardianship

# A window far longer than a test, so no test straddles the start of a new one.
LONG = 10**7


@pytest.fixture
def limits(settings):
    def set_limits(**scopes):
        settings.RATE_LIMITS = {**settings.RATE_LIMITS, **scopes}

    return set_limits


def client_at(ip: str, person=None) -> Client:
    client = Client(REMOTE_ADDR=ip)
    if person is not None:
        client.force_login(person)
    return client


def refusals():
    return AuditEvent.objects.filter(action=AuditAction.RATE_LIMITED.value)


def assert_too_many(response):
    assert response.status_code == 429
    html = response.content.decode()
    assert "For mange forsøk på kort tid" in html
    assert "Ingenting er endret" in html
    assert 0 < int(response["Retry-After"]) <= LONG


# --- Look-ups by national ID number --------------------------------------------


def test_national_id_look_ups_per_person_hold_across_two_browsers_on_two_addresses(cast, limits):
    limits(national_id={"person": (2, LONG), "ip": (100, LONG)})
    url = reverse("people:person_search")
    office, home = client_at("10.0.0.1", cast.trude), client_at("10.9.9.9", cast.trude)
    assert office.post(url, {"national_id": cast.emma.national_id}).status_code == 302
    assert home.post(url, {"national_id": cast.jonas.national_id}).status_code == 302
    response = home.post(url, {"national_id": cast.emma.national_id})
    assert_too_many(response)
    assert "Location" not in response  # the look-up was not done
    assert_too_many(office.post(url, {"national_id": cast.emma.national_id}))
    # Another person is not held back by Trude's limit.
    assert client_at("10.0.0.1", cast.ola_admin).post(url, {"national_id": cast.emma.national_id}).status_code == 302


def test_national_id_look_ups_per_address_count_every_person_and_view(cast, limits):
    limits(national_id={"person": (100, LONG), "ip": (2, LONG)})
    search = reverse("people:person_search")
    find_child = reverse("logs:find_child", args=[cast.kindergarten.code])
    assert client_at("10.0.0.7", cast.trude).post(search, {"national_id": cast.emma.national_id}).status_code == 302
    assert client_at("10.0.0.7", cast.kari).post(find_child, {"national_id": cast.emma.national_id}).status_code == 302
    response = client_at("10.0.0.7", cast.berit).post(find_child, {"national_id": cast.emma.national_id})
    assert_too_many(response)
    # From another address the same look-up still works.
    elsewhere = client_at("10.0.0.8", cast.berit).post(find_child, {"national_id": cast.emma.national_id})
    assert elsewhere.status_code == 302


def test_the_first_refused_look_up_in_a_window_writes_one_audit_row(cast, limits):
    limits(national_id={"person": (1, LONG), "ip": (100, LONG)})
    client = client_at("10.0.0.1", cast.trude)
    url = reverse("people:person_search")
    client.post(url, {"national_id": cast.emma.national_id})
    for _ in range(3):
        assert client.post(url, {"national_id": cast.emma.national_id}).status_code == 429
    row = refusals().get()
    assert row.actor_code == cast.trude.code and row.actor_name == "Trude Lie"
    assert row.object_code == "national_id" and row.ip == "10.0.0.1"
    assert row.details == {"grense": "national_id", "per": "person", "antall": 1, "sekunder": LONG}
    assert cast.emma.national_id not in str(row.details)
    assert row.action_label == "Ble stanset etter for mange forsøk på kort tid"


def test_registering_a_person_or_guardian_counts_as_a_look_up(cast, limits):
    limits(national_id={"person": (1, LONG), "ip": (100, LONG)})
    client = client_at("10.0.0.1", cast.trude)
    client.post(reverse("people:person_search"), {"national_id": cast.emma.national_id})
    assert_too_many(client.post(reverse("people:person_register"), {"national_id": cast.outsider.national_id}))
    response = client.post(
        reverse("people:guardian_add", args=[cast.emma.code]), {"national_id": cast.outsider.national_id}
    )
    assert_too_many(response)
    assert not Guardianship.objects.filter(child=cast.emma, guardian=cast.outsider).exists()


def test_showing_the_search_form_is_not_counted(cast, limits):
    limits(national_id={"person": (1, LONG), "ip": (100, LONG)})
    client = client_at("10.0.0.1", cast.trude)
    for _ in range(3):
        assert client.get(reverse("people:person_search")).status_code == 200
    assert client.post(reverse("people:person_search"), {"national_id": cast.emma.national_id}).status_code == 302


def test_an_outsider_is_refused_by_access_before_being_counted(cast, limits):
    limits(national_id={"person": (1, LONG), "ip": (1, LONG)})
    outsider = client_at("10.0.0.1", cast.outsider)
    for _ in range(2):
        assert outsider.post(reverse("people:person_search"), {"national_id": "1"}).status_code in (403, 404)
    assert not refusals().exists()
    trude = client_at("10.0.0.1", cast.trude)
    assert trude.post(reverse("people:person_search"), {"national_id": cast.emma.national_id}).status_code == 302


# --- Consent answers -----------------------------------------------------------


def consent_request(cast, child):
    terms = ConsentTerms(services=["barnehage"], valid_until=timezone.localdate() + timedelta(days=300))
    return actions.open_log_with_digital_consent(
        actor=cast.kari, start=LogStart(subject=child, unit=cast.kindergarten), terms=terms
    )


def test_consent_answers_per_person_hold_across_two_addresses_and_change_nothing(cast, limits):
    limits(consent_answer={"person": (1, LONG), "ip": (100, LONG)})
    for_emma, for_jonas = consent_request(cast, cast.emma), consent_request(cast, cast.jonas)
    phone, laptop = client_at("10.1.0.1", cast.silje), client_at("10.2.0.2", cast.silje)
    first = phone.post(reverse("logs:answer_consent", args=[for_emma.code]), {"answer": "ja"})
    assert first.status_code == 302
    response = laptop.post(reverse("logs:answer_consent", args=[for_jonas.code]), {"answer": "ja"})
    assert_too_many(response)
    assert not ConsentApproval.objects.filter(request=for_jonas).exists()
    assert refusals().get().object_code == "consent_answer"
    # Reading the request is still allowed.
    assert laptop.get(reverse("logs:answer_consent", args=[for_jonas.code])).status_code == 200


# --- Logging in ----------------------------------------------------------------


def test_login_starts_per_address_are_limited_before_the_provider_is_asked(db, settings, limits):
    limits(login={"ip": (2, LONG)})
    # A provider that is down answers 503: under the limit each start tries it; over it, none does.
    settings.OIDC_PROVIDERS = {
        **settings.OIDC_PROVIDERS,
        "staff": {**settings.OIDC_PROVIDERS["staff"], "issuer": "http://127.0.0.1:9", "client_id": "x"},
    }
    browser = client_at("10.3.0.3")
    assert [browser.post("/logg-inn/staff/").status_code for _ in range(2)] == [503, 503]
    assert_too_many(browser.post("/logg-inn/staff/"))
    assert_too_many(client_at("10.3.0.3").post("/logg-inn/citizen/"))  # every provider, every browser
    row = refusals().get()
    assert row.actor_code is None and row.actor_name == "Ikke innlogget" and row.ip == "10.3.0.3"
    assert client_at("10.3.0.4").post("/logg-inn/staff/").status_code == 503  # another address


def test_demo_logins_per_address_are_limited_and_sign_no_one_in(cast, limits):
    limits(demo_login={"ip": (1, LONG)})
    url = reverse("accounts:demo_login")
    first = client_at("10.4.0.4")
    assert first.post(url, {"person": str(cast.kari.code)}).status_code == 302
    second = client_at("10.4.0.4")
    assert_too_many(second.post(url, {"person": str(cast.berit.code)}))
    assert "_auth_user_id" not in second.session
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN.value, actor_code=cast.berit.code).exists()
    assert second.get(url).status_code == 200  # the page itself is not counted


# --- The counter ---------------------------------------------------------------


def test_the_counter_starts_again_in_a_new_window(db, time_machine):
    limit = ratelimit.Limit(2, 60)
    time_machine.move_to("2026-01-05 10:00:05+00:00", tick=False)
    assert [ratelimit.count("test", "k", limit).over for _ in range(3)] == [False, False, True]
    time_machine.move_to("2026-01-05 10:01:01+00:00", tick=False)
    assert not ratelimit.count("test", "k", limit).over


def test_a_limit_in_settings_must_be_a_count_and_a_window():
    assert ratelimit.limit_from((5, 60)) == ratelimit.Limit(5, 60)
    for bad in [(0, 60), (5, 0), 5, (1, 2, 3)]:
        with pytest.raises(ValueError):
            ratelimit.limit_from(bad)


@pytest.fixture
def redis_cache(settings):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_connect_timeout=0.5).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"stafett-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
            "KEY_PREFIX": prefix,
        }
    }
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    yield client, prefix
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def test_on_redis_two_app_servers_count_in_one_store(redis_cache):
    from django.core.cache.backends.redis import RedisCache

    client, prefix = redis_cache
    limit = ratelimit.Limit(2, LONG)
    assert ratelimit.count("test", "person-1", limit).count == 1
    # Another app server: its own connection to the same Redis, the same counter.
    other_server = RedisCache("redis://127.0.0.1:6379/0", {"KEY_PREFIX": prefix})
    (key,) = [k.decode() for k in client.scan_iter(f"{prefix}:*")]
    assert other_server.incr(key.split(":", 2)[2]) == 2
    assert ratelimit.count("test", "person-1", limit).over
