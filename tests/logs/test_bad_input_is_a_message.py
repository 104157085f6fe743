"""Issue 13 §2: bad input is a Norwegian 400 page or a form error — never a 500, nothing stored."""

import pytest

from stafett.logs.models import Meeting

HUGE = "99999999999999999999999"


@pytest.fixture
def holder_client(client, cast, log):
    client.raise_request_exception = False
    client.force_login(cast.kari)
    return client


@pytest.mark.parametrize("charset", ["latin-1", "utf-16", "x-ukjent"])
def test_a_form_in_another_charset_is_refused_with_a_norwegian_page(holder_client, log, charset):
    body = "text=Hei%FF&x=\xff".encode("latin-1")
    response = holder_client.generic(
        "POST",
        f"/logg/{log.code}/meldinger/",
        data=body,
        content_type=f"application/x-www-form-urlencoded; charset={charset}",
    )
    assert response.status_code == 400
    assert "tegnkoding" in response.content.decode()


def test_an_undecodable_utf8_form_is_refused_not_crashed(holder_client, log):
    response = holder_client.generic(
        "POST",
        f"/logg/{log.code}/meldinger/",
        data=b"text=%FF%FE\xff\xfe",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code in (200, 302, 400)


def test_a_huge_number_in_a_choice_field_is_a_form_error(holder_client, cast, log):
    goal = log.goals.first()
    response = holder_client.post(
        f"/logg/{log.code}/mal/{goal.code}/tiltak/ny/",
        {
            "what": "Test",
            "category": "sprak",
            "responsible": HUGE,
            "deadline": "2030-01-01",
            "evaluation_date": "2030-02-01",
        },
    )
    assert response.status_code in (400, 404)
    assert log.measures.filter(what="Test").count() == 0


def test_a_meeting_in_the_year_9999_is_refused_with_a_clear_message(holder_client, log):
    before = Meeting.objects.count()
    response = holder_client.post(
        f"/logg/{log.code}/moter/nytt/",
        {"starts_at": "9999-12-31T23:30", "place": "Rom 1", "agenda": "Dagsorden", "duration_minutes": "60"},
    )
    assert response.status_code == 400
    assert "mellom år 1900 og 2100" in response.content.decode()
    assert Meeting.objects.count() == before
