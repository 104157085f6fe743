"""A form sent without a valid CSRF token gets Stafett's own Norwegian 403 page (settings.CSRF_FAILURE_VIEW):
Django's default page has inline style, which the Content-Security-Policy blocks."""

from django.test import Client
from django.urls import reverse

from stafett.audit.models import AuditEvent


def test_a_post_without_a_csrf_token_gets_the_norwegian_page_in_the_sites_layout(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.trude)
    response = client.post(reverse("people:person_search"), {"national_id": cast.emma.national_id})
    assert response.status_code == 403
    html = response.content.decode()
    assert "Skjemaet kunne ikke sendes" in html and "ingenting er lagret" in html
    assert '<html lang="nb">' in html and "css/stafett.css" in html
    assert "style=" not in html and "<style" not in html  # nothing the policy would block
    assert "Content-Security-Policy" in response
    assert "Location" not in response  # the search was not done


def test_a_login_form_without_a_csrf_token_is_refused_and_signs_no_one_in(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:demo_login"), {"person": "x"})
    assert response.status_code == 403
    assert "Skjemaet kunne ikke sendes" in response.content.decode()
    assert not AuditEvent.objects.exists()


def test_the_same_form_with_its_token_goes_through(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.trude)
    page = client.get(reverse("people:person_search"))
    token = page.context["csrf_token"]
    response = client.post(
        reverse("people:person_search"), {"national_id": cast.emma.national_id, "csrfmiddlewaretoken": str(token)}
    )
    assert response.status_code == 302
