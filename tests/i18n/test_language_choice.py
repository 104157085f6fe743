"""Which language a person gets (issue 10 §1): their own choice, else their municipality's
målform, else the browser — and choosing is one form on every page, kept on the person."""

import pytest
from django.urls import reverse

from stafett.audit.models import AuditAction, AuditEvent
from stafett.people.language import language_for
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def language_of_start_page(client, **headers) -> str:
    response = client.get(reverse("core:start"), **headers)
    assert response.status_code == 200
    return response.headers["Content-Language"]


def test_a_person_who_has_not_chosen_gets_their_municipalitys_malform_over_the_browsers_wish(client, cast: Cast):
    cast.fjordvik.language = "nn"
    cast.fjordvik.save()
    client.force_login(cast.kari)
    assert language_of_start_page(client, HTTP_ACCEPT_LANGUAGE="en") == "nn"


def test_a_persons_own_choice_wins_over_the_malform_and_the_browser(client, cast: Cast):
    cast.fjordvik.language = "nn"
    cast.fjordvik.save()
    cast.kari.language = "en"
    cast.kari.save()
    client.force_login(cast.kari)
    assert language_of_start_page(client, HTTP_ACCEPT_LANGUAGE="nb") == "en"


def test_without_a_choice_or_a_single_municipality_the_browser_decides(client, cast: Cast):
    # The cast has two municipalities, so an anonymous visitor has no målform to follow.
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="nn-NO,nn;q=0.9,en;q=0.5")
    assert response.headers["Content-Language"] == "nn"
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="de,fr")
    assert response.headers["Content-Language"] == "nb"


def test_choosing_a_language_is_kept_on_the_person_audited_and_leads_back(client, cast: Cast):
    client.force_login(cast.silje)
    response = client.post(reverse("core:language"), {"language": "nn", "next": "/varsler/"})
    assert response.status_code == 302
    assert response["Location"] == "/varsler/"
    cast.silje.refresh_from_db()
    assert cast.silje.language == "nn"
    assert AuditEvent.objects.filter(actor_code=cast.silje.code, action=AuditAction.LANGUAGE_CHOSEN).count() == 1
    assert language_of_start_page(client) == "nn"


def test_an_anonymous_choice_is_kept_in_the_browser(client, cast: Cast):
    client.post(reverse("core:language"), {"language": "en", "next": reverse("accounts:login")})
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="nb")
    assert response.headers["Content-Language"] == "en"


def test_an_unknown_language_or_a_link_off_the_site_changes_nothing(client, cast: Cast):
    client.force_login(cast.kari)
    response = client.post(reverse("core:language"), {"language": "xx", "next": "https://evil.example/"})
    assert response["Location"] == reverse("core:start")
    cast.kari.refresh_from_db()
    assert cast.kari.language == ""
    assert not AuditEvent.objects.filter(action=AuditAction.LANGUAGE_CHOSEN).exists()


def test_every_page_offers_the_choice_in_each_languages_own_name(client, cast: Cast):
    client.force_login(cast.kari)
    page = client.get(reverse("core:start")).content.decode()
    for name in ("Bokmål", "Nynorsk", "English"):
        assert f">{name}</button>" in page
    assert '<html lang="nb">' in page


def test_letters_follow_the_recipients_choice_else_the_malform(cast: Cast):
    cast.fjordvik.language = "nn"
    cast.fjordvik.save()
    assert language_for(cast.kari) == "nn"
    cast.kari.language = "en"
    assert language_for(cast.kari) == "en"
    # A guardian with no workplace, in an installation with two municipalities: bokmål.
    assert language_for(cast.silje) == "nb"
