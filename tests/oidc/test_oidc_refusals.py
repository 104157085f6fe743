"""The unhappy paths of OpenID Connect login, against a provider that issues bad ID tokens on request.

tests/oidc/fake_provider.py serves discovery, JWKS and the token endpoint over HTTP on
127.0.0.1; Stafett talks to it exactly as to ID-porten. Each test logs in through
Stafett's own login button and callback with an ID token written for the case, and
checks the Norwegian page, its status (400 or 403, never 500) and the audit row.
"""

import time
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from stafett.audit.models import AuditAction, AuditEvent
from stafett.core.demo_data import synthetic_national_id
from stafett.lib.national_id import mask
from stafett.people.models import LoginIdentity, Person
from tests.oidc.conftest import CLIENT_IDS
from tests.oidc.fake_provider import FakeProvider
from tests.oidc.test_oidc_login import HIGH, SUBSTANTIAL, guardian_with_child, staff_member

pytestmark = [pytest.mark.oidc, pytest.mark.django_db]

REFUSED_HEADING = "Du er ikke logget inn"
AUDIT_DETAIL_KEYS = {"metode", "årsak", "feil", "fødselsnummer"}


def authorize(client: Client, provider: str) -> dict[str, str]:
    """Press the login button; the authorization request Stafett sends the browser off with."""
    response = client.post(reverse("accounts:start", args=[provider]))
    assert response.status_code == 302, response.content
    return {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}


def come_back(client: Client, provider: str, authorization: dict[str, str], code: str) -> HttpResponse:
    return client.get(reverse("accounts:callback", args=[provider]), {"code": code, "state": authorization["state"]})


def log_in(client: Client, fake: FakeProvider, provider: str, **token) -> HttpResponse:
    authorization = authorize(client, provider)
    return come_back(client, provider, authorization, fake.issue(authorization, **token))


def citizen(person: Person, **claims) -> dict:
    return {"sub": "id-porten-pseudonym", "pid": person.national_id, "acr": HIGH, **claims}


def assert_signed_in(client: Client, response: HttpResponse, person: Person) -> None:
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == reverse("core:start")
    assert client.session["_auth_user_id"] == str(person.pk)
    assert AuditEvent.objects.filter(action=AuditAction.LOGIN, actor_code=person.code).count() == 1
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN_REFUSED).exists()


def assert_refused(
    client: Client, response: HttpResponse, reason: str, *, status: int = 400, error: str | None = None
) -> AuditEvent:
    """A Norwegian page, nobody signed in or remembered, and one audit row that names no one."""
    assert response.status_code == status, response.content.decode()
    assert REFUSED_HEADING in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not LoginIdentity.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditAction.LOGIN).exists()
    row = AuditEvent.objects.get(action=AuditAction.LOGIN_REFUSED)
    assert row.details["årsak"] == reason
    if error is not None:
        assert row.details["feil"] == error
    assert set(row.details) <= AUDIT_DETAIL_KEYS
    assert row.actor_code is None and row.object_type == "accounts.login"
    assert row.action_label == "Fikk ikke logge inn"
    return row


# --- the one that works ------------------------------------------------------------


def test_a_citizen_with_an_es256_signed_id_token_at_high_assurance_is_signed_in(client, fake_provider):
    mother = guardian_with_child()

    response = log_in(client, fake_provider, "citizen", claims=citizen(mother), sign_with="ec")

    assert_signed_in(client, response, mother)
    assert "Hei, Solveig" in client.get(reverse("core:start")).content.decode()


# --- the signature -----------------------------------------------------------------


@pytest.mark.parametrize("alg", ["none", "HS256"])
def test_an_id_token_not_signed_with_rs256_or_es256_is_refused_even_when_discovery_offers_it(
    client, fake_provider, alg
):
    mother = guardian_with_child()

    response = log_in(client, fake_provider, "citizen", claims=citizen(mother), sign_with=alg.lower())

    assert_refused(client, response, "invalid_id_token", error=f"alg:{alg}")
    assert "kunne ikke bekreftes som gyldig" in response.content.decode()


def test_an_id_token_signed_with_a_key_id_the_provider_does_not_publish_is_refused(client, fake_provider):
    mother = guardian_with_child()

    response = log_in(client, fake_provider, "citizen", claims=citizen(mother), sign_with="rogue")

    assert_refused(client, response, "invalid_id_token", error="unknown_kid")


def test_an_id_token_whose_signature_does_not_match_the_published_key_is_refused(client, fake_provider):
    mother = guardian_with_child()

    response = log_in(client, fake_provider, "citizen", claims=citizen(mother), sign_with="rogue-as-rsa")

    assert_refused(client, response, "invalid_id_token", error="bad_signature")


# --- the claims ----------------------------------------------------------------------


def test_an_id_token_issued_to_another_client_is_refused_even_when_azp_names_ours(client, fake_provider):
    mother = guardian_with_child()
    claims = citizen(mother, aud="another-client", azp=CLIENT_IDS["citizen"])

    response = log_in(client, fake_provider, "citizen", claims=claims)

    assert_refused(client, response, "invalid_id_token", error="claim:aud")


@pytest.mark.parametrize(
    "azp, error",
    [(None, "missing:azp"), ("another-client", "claim:azp")],
    ids=["without azp", "azp of the other client"],
)
def test_an_id_token_for_several_audiences_is_refused_unless_azp_names_our_client(client, fake_provider, azp, error):
    mother = guardian_with_child()
    claims = citizen(mother, aud=[CLIENT_IDS["citizen"], "another-client"], azp=azp)

    response = log_in(client, fake_provider, "citizen", claims=claims)

    assert_refused(client, response, "invalid_id_token", error=error)


def test_an_id_token_for_several_audiences_with_azp_naming_our_client_is_accepted(client, fake_provider):
    mother = guardian_with_child()
    ours = CLIENT_IDS["citizen"]
    claims = citizen(mother, aud=[ours, "another-client"], azp=ours)

    assert_signed_in(client, log_in(client, fake_provider, "citizen", claims=claims), mother)


def test_an_id_token_from_another_issuer_than_the_configured_one_is_refused(client, fake_provider):
    mother = guardian_with_child()

    response = log_in(client, fake_provider, "citizen", claims=citizen(mother, iss="https://idporten.example"))

    assert_refused(client, response, "invalid_id_token", error="claim:iss")


@pytest.mark.parametrize("claim", ["iss", "aud", "sub", "exp", "nonce"])
def test_an_id_token_without_an_essential_claim_is_refused(client, fake_provider, claim):
    mother = guardian_with_child()

    response = log_in(client, fake_provider, "citizen", claims=citizen(mother, **{claim: None}))

    assert_refused(client, response, "invalid_id_token", error=f"missing:{claim}")


def test_an_id_token_carrying_the_nonce_of_another_login_is_refused(client, fake_provider):
    mother = guardian_with_child()
    other_login = authorize(Client(), "citizen")

    response = log_in(client, fake_provider, "citizen", claims=citizen(mother, nonce=other_login["nonce"]))

    assert_refused(client, response, "invalid_id_token", error="claim:nonce")


def test_an_expired_id_token_is_refused_with_a_page_that_says_so(client, fake_provider):
    mother = guardian_with_child()
    long_ago = int(time.time()) - 3600

    response = log_in(client, fake_provider, "citizen", claims=citizen(mother, iat=long_ago, exp=long_ago + 300))

    assert_refused(client, response, "token_expired")
    assert "fordi den er utløpt" in response.content.decode()


# --- the protocol around the token ----------------------------------------------------


def test_a_code_sent_back_with_an_unknown_state_is_refused_before_the_provider_is_asked(client, fake_provider):
    mother = guardian_with_child()
    authorization = authorize(client, "citizen")
    code = fake_provider.issue(authorization, claims=citizen(mother))
    asked = fake_provider.token_requests

    response = come_back(client, "citizen", {**authorization, "state": "forged-state"}, code)

    assert_refused(client, response, "state_mismatch")
    assert fake_provider.token_requests == asked
    assert "Innloggingen kunne ikke fullføres" in response.content.decode()


def test_a_code_the_provider_no_longer_accepts_is_refused(client, fake_provider):
    mother = guardian_with_child()
    authorization = authorize(client, "citizen")
    code = fake_provider.issue(authorization, claims=citizen(mother))
    fake_provider.pending.pop(code)  # used already, or never issued for this login

    response = come_back(client, "citizen", authorization, code)

    assert_refused(client, response, "code_rejected", error="invalid_grant")


def test_a_login_cancelled_at_the_provider_is_audited_and_explained(client, fake_provider):
    authorization = authorize(client, "citizen")

    response = client.get(
        reverse("accounts:callback", args=["citizen"]), {"error": "access_denied", "state": authorization["state"]}
    )

    assert_refused(client, response, "cancelled", status=403, error="access_denied")
    assert "Innloggingen ble avbrutt." in response.content.decode()


# --- who the person is: citizens -----------------------------------------------------


@pytest.mark.parametrize("acr", [SUBSTANTIAL, None], ids=["substantial", "no acr"])
def test_a_citizen_below_the_configured_assurance_level_is_refused(client, fake_provider, acr):
    mother = guardian_with_child()

    response = log_in(client, fake_provider, "citizen", claims=citizen(mother, acr=acr))

    row = assert_refused(client, response, "acr_too_low", status=403)
    assert row.details["fødselsnummer"] == mask(mother.national_id)
    assert "sikkerhetsnivå" in response.content.decode()


def test_a_citizen_login_without_a_national_id_is_refused(client, fake_provider):
    mother = guardian_with_child()

    response = log_in(client, fake_provider, "citizen", claims=citizen(mother, pid=None))

    assert_refused(client, response, "pid_missing", status=403)
    assert "ikke sendte fødselsnummeret" in response.content.decode()


def test_a_citizen_whose_national_id_fails_the_check_digits_is_refused(client, fake_provider):
    mother = guardian_with_child()
    wrong = mother.national_id[:10] + str((int(mother.national_id[10]) + 1) % 10)
    Person.objects.filter(pk=mother.pk).update(national_id=wrong)  # even if the register holds that number

    response = log_in(client, fake_provider, "citizen", claims=citizen(mother, pid=wrong))

    row = assert_refused(client, response, "pid_invalid", status=403)
    assert row.details["fødselsnummer"] == mask(wrong)
    assert wrong not in str(row.details)


def test_a_synthetic_national_id_is_refused_where_synthetic_numbers_are_not_allowed(client, fake_provider, settings):
    settings.ALLOW_SYNTHETIC_NATIONAL_IDS = False
    mother = guardian_with_child()  # demo and test people carry synthetic numbers

    response = log_in(client, fake_provider, "citizen", claims=citizen(mother))

    assert_refused(client, response, "pid_invalid", status=403)


def test_a_citizen_stafett_does_not_know_is_refused_and_audited_with_the_masked_number_only(client, fake_provider):
    guardian_with_child()
    stranger = synthetic_national_id(date(1979, 12, 24), 3)

    response = log_in(client, fake_provider, "citizen", claims={"sub": "x", "pid": stranger, "acr": HIGH})

    row = assert_refused(client, response, "person_unknown", status=403)
    assert row.details == {"metode": "citizen", "årsak": "person_unknown", "fødselsnummer": mask(stranger)}


# --- who the person is: staff --------------------------------------------------------


def test_staff_whose_email_the_provider_has_not_verified_is_not_matched_by_it(client, fake_provider):
    staff_member("tor.bakke@testvik.example")
    claims = {"sub": "entra-object-id", "email": "tor.bakke@testvik.example", "email_verified": False}

    response = log_in(client, fake_provider, "staff", claims=claims)

    assert_refused(client, response, "email_unverified", status=403)
    assert "ikke bekreftet e-postadressen" in response.content.decode()


def test_staff_matched_by_email_when_the_provider_sends_no_email_verified_claim(client, fake_provider):
    teacher = staff_member("tor.bakke@testvik.example")

    response = log_in(
        client, fake_provider, "staff", claims={"sub": "entra-object-id", "email": "Tor.Bakke@testvik.example"}
    )

    assert_signed_in(client, response, teacher)


def test_staff_email_shared_by_two_people_signs_in_neither_and_points_to_the_system_administrator(
    client, fake_provider
):
    staff_member("tor.bakke@testvik.example")
    Person.objects.create(given_name="Tor", family_name="Bakke", email="TOR.BAKKE@testvik.example")
    claims = {"sub": "entra-object-id", "email": "tor.bakke@testvik.example", "email_verified": True}

    response = log_in(client, fake_provider, "staff", claims=claims)

    assert_refused(client, response, "email_ambiguous", status=403)
    assert "Ta kontakt med systemansvarlig" in response.content.decode()
