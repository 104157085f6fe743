"""/varsler/ grows with the person's logs (issue 12 §1): the per-log choices come a page at a time."""

from datetime import date

from django.urls import reverse

from stafett.followup.views_notifications import LOGS_PER_PAGE
from stafett.logs import actions
from stafett.people.models import Guardianship
from tests.conftest import make_person

URL = reverse("followup:notifications")


def nina_in_more_logs(cast, make_consent, count):
    """`count` more logs at the kindergarten, each about a new child of Silje's, with Nina in them."""
    for i in range(count):
        child = make_person(f"Barn{i:02d}", "Testesen", born=date(2021, 3, 1 + i % 28), serial=100 + i)
        Guardianship.objects.create(guardian=cast.silje, child=child)
        log = actions.open_log(
            actor=cast.kari,
            subject=child,
            unit=cast.kindergarten,
            consent=make_consent(),
            initiator_text="Snakker lite i samling.",
            initiated_by="Foresatte og barnehagen",
        )
        actions.add_participant(actor=cast.kari, log=log, person=cast.nina, unit=cast.health_station)


def test_a_participant_in_many_logs_sees_their_per_log_choices_one_page_at_a_time(client, cast, log, make_consent):
    nina_in_more_logs(cast, make_consent, LOGS_PER_PAGE)  # and Emma's: one more than a page
    client.force_login(cast.nina)

    first = client.get(URL).content.decode()
    second = client.get(URL, {"side": 2}).content.decode()

    assert first.count("Som deltaker i stafettloggen for") == LOGS_PER_PAGE
    assert second.count("Som deltaker i stafettloggen for") == 1
    assert "Side 1 av 2" in first and f"Du er med i {LOGS_PER_PAGE + 1} stafettlogger" in first
    assert "Som deltaker i stafettloggen for Emma" in first + second


def test_saving_one_page_changes_only_that_page_s_logs(client, cast, log, make_consent):
    nina_in_more_logs(cast, make_consent, LOGS_PER_PAGE)
    client.force_login(cast.nina)
    on_second = client.get(URL, {"side": 2}).context["form"].participations
    assert len(on_second) == 1

    response = client.post(f"{URL}?side=2", {"by_email": "on"})  # every box on the page off

    assert response.status_code == 302 and response["Location"] == f"{URL}?side=2"
    on_second[0].refresh_from_db()
    assert on_second[0].notify_message is False
    others = cast.nina.participations.exclude(pk=on_second[0].pk)
    assert others.count() == LOGS_PER_PAGE and all(p.notify_message for p in others)


def test_notifications_page_queries_at_their_real_value_whatever_the_number_of_logs(
    client, cast, log, make_consent, django_assert_num_queries
):
    client.force_login(cast.nina)
    client.get(URL)  # the first visit makes her preferences row
    with django_assert_num_queries(PAGE_QUERIES):
        client.get(URL)
    nina_in_more_logs(cast, make_consent, 3 * LOGS_PER_PAGE)
    with django_assert_num_queries(PAGE_QUERIES):
        assert "Side 1 av 4" in client.get(URL).content.decode()


# Session, person, preferences, the participations counted and one page of them.
PAGE_QUERIES = 5
