"""seeds/001 §1: «Foresatte kan selv be helsestasjon, barnehage eller skole om å vurdere å
opprette Stafettlogg». The request is not a log; the unit's leader answers within the deadline."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from stafett import access
from stafett.access import Action
from stafett.audit.models import AuditAction, AuditEvent
from stafett.logs import actions
from stafett.logs.models import ANSWER_WITHIN_DAYS, LogRequest, RelayLog, RequestOutcome
from stafett.notify.models import Kind, Notification
from stafett.people.models import Membership, Role, ServiceType, Unit

WISH = "Emma sover dårlig og gråter i barnehagen, vi vil gjerne ha hjelp"


@pytest.fixture
def school(cast) -> Unit:
    unit = Unit.objects.create(municipality=cast.fjordvik, name="Fjordvik skole", service_type=ServiceType.SKOLE)
    return unit


@pytest.fixture
def rektor(cast, school):
    from tests.conftest import make_person

    person = make_person("Rolf", "Rektor", email="rolf@fjordvik.example")
    Membership.objects.create(person=person, unit=school, role=Role.LEADER, title="rektor")
    return person


def test_guardian_asks_the_school_and_the_leader_answers_within_the_deadline(client, cast, school, rektor):
    client.force_login(cast.silje)
    assert "Be et tjenestested vurdere stafettlogg" in client.get(reverse("core:start")).content.decode()
    form = client.get(reverse("logs:ask_for_log")).content.decode()
    assert "Emma Hansen" in form and "Jonas Hansen" in form and "Ute Andersen" not in form
    assert "Fjordvik skole" in form and "PPT for Fjordvik" not in form
    response = client.post(
        reverse("logs:ask_for_log"), {"child": cast.jonas.pk, "unit": school.pk, "text": "Jonas trives ikke"}
    )
    assert response.status_code == 302
    request = LogRequest.objects.get()
    assert (request.child, request.asked_by, request.unit) == (cast.jonas, cast.silje, school)
    assert request.answer_by == timezone.localdate() + timedelta(days=ANSWER_WITHIN_DAYS)
    # No log exists until consent.
    assert not RelayLog.objects.exists()
    # The leader is told, without content, and sees it in the list with the deadline.
    told = Notification.objects.get(recipient=rektor, kind=Kind.LOG_REQUESTED)
    assert told.path == reverse("logs:log_requests", args=[school.code])
    client.force_login(rektor)
    start = client.get(reverse("core:start")).content.decode()
    assert "Forespørsler fra familier til Fjordvik skole" in start and "1 venter på svar" in start
    listing = client.get(reverse("logs:log_requests", args=[school.code])).content.decode()
    assert "Jonas Hansen" in listing and f"{request.answer_by:%-d.%-m.%Y}" in listing
    page = client.get(reverse("logs:answer_log_request", args=[request.code]))
    assert "Jonas trives ikke" in page.content.decode()
    response = client.post(
        reverse("logs:answer_log_request", args=[request.code]),
        {"outcome": RequestOutcome.AFTER_CONSENT, "answer": "Kontaktlæreren ringer dere mandag."},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.answered_by == rektor and request.outcome == RequestOutcome.AFTER_CONSENT
    # The answer reaches the family: a notification and the start page.
    assert Notification.objects.filter(recipient=cast.silje, kind=Kind.LOG_REQUEST_ANSWERED).exists()
    client.force_login(cast.silje)
    start = client.get(reverse("core:start")).content.decode()
    assert "Kontaktlæreren ringer dere mandag." in start
    assert not RelayLog.objects.exists()
    # Everything is in the audit trail, and the family's text is not.
    rows = list(AuditEvent.objects.about(request).order_by("id").values_list("action", flat=True))
    assert rows == [AuditAction.LOG_REQUEST_CREATED, AuditAction.LOG_REQUEST_VIEWED, AuditAction.LOG_REQUEST_ANSWERED]
    assert all("trives" not in str(e.details) for e in AuditEvent.objects.all())


def test_an_unanswered_request_is_marked_overdue_after_the_deadline(client, cast, school, rektor):
    request = actions.ask_for_log(actor=cast.silje, child=cast.emma, unit=school, text=WISH)
    client.force_login(rektor)
    assert "fristen er passert" not in client.get(reverse("logs:log_requests", args=[school.code])).content.decode()
    with time_machine.travel(timezone.now() + timedelta(days=ANSWER_WITHIN_DAYS + 1)):
        client.force_login(rektor)  # the session from two weeks ago has expired
        listing = client.get(reverse("logs:log_requests", args=[school.code])).content.decode()
        assert "fristen er passert" in listing
        assert "1 over fristen" in client.get(reverse("core:start")).content.decode()
        assert request.is_overdue()


@pytest.mark.parametrize("who", ["berit", "kari", "nina", "trude", "randi", "outsider"])
def test_only_the_asked_units_leader_reads_and_answers_a_request(client, cast, school, rektor, who):
    request = actions.ask_for_log(actor=cast.silje, child=cast.emma, unit=school, text=WISH)
    person = getattr(cast, who)
    assert not access.can(person, Action.VIEW_LOG_REQUEST, request)
    client.force_login(person)
    response = client.get(reverse("logs:answer_log_request", args=[request.code]))
    assert response.status_code == 404
    assert WISH not in response.content.decode()
    assert client.get(reverse("logs:log_requests", args=[school.code])).status_code in (403, 404)


def test_the_guardian_reads_but_cannot_answer_their_own_request(client, cast, school, rektor):
    request = actions.ask_for_log(actor=cast.silje, child=cast.emma, unit=school, text=WISH)
    assert access.can(cast.silje, Action.VIEW_LOG_REQUEST, request)
    client.force_login(cast.silje)
    assert client.get(reverse("logs:answer_log_request", args=[request.code])).status_code == 403
    with pytest.raises(Exception):  # noqa: B017, PT011 - PermissionDenied from access.require
        actions.answer_log_request(actor=cast.silje, log_request=request, outcome=RequestOutcome.NOT_NOW, answer="")


def test_a_youth_asks_for_themself_only_from_the_municipalitys_age(cast, school, rektor):
    # Jonas is 16: from the municipality's youth_logs_in_from_age he asks on his own behalf.
    request = actions.ask_for_log(actor=cast.jonas, child=cast.jonas, unit=school, text="Jeg vil ha hjelp")
    assert request.asked_by == cast.jonas
    assert cast.jonas in actions.children_to_ask_for(cast.jonas)
    cast.fjordvik.youth_logs_in_from_age = 17
    cast.fjordvik.save()
    with pytest.raises(Http404):
        actions.ask_for_log(actor=cast.jonas, child=cast.jonas, unit=cast.health_station, text="Igjen")


def test_nobody_asks_for_a_child_who_is_not_theirs(client, cast, school, rektor):
    with pytest.raises(Http404):
        actions.ask_for_log(actor=cast.outsider, child=cast.emma, unit=school, text=WISH)
    client.force_login(cast.outsider)
    response = client.post(reverse("logs:ask_for_log"), {"child": cast.emma.pk, "unit": school.pk, "text": WISH})
    assert response.status_code == 400
    assert not LogRequest.objects.exists()


def test_a_family_asks_only_kindergartens_schools_and_health_stations_once_at_a_time(cast, school, rektor):
    with pytest.raises(ValidationError):
        actions.ask_for_log(actor=cast.silje, child=cast.emma, unit=cast.ppt, text=WISH)
    actions.ask_for_log(actor=cast.silje, child=cast.emma, unit=school, text=WISH)
    with pytest.raises(ValidationError, match="allerede spurt"):
        actions.ask_for_log(actor=cast.silje, child=cast.emma, unit=school, text=WISH)


def test_a_request_is_answered_only_once(cast, school, rektor):
    request = actions.ask_for_log(actor=cast.silje, child=cast.emma, unit=school, text=WISH)
    actions.answer_log_request(actor=rektor, log_request=request, outcome=RequestOutcome.NOT_NOW, answer="")
    with pytest.raises(ValidationError, match="allerede besvart"):
        actions.answer_log_request(actor=rektor, log_request=request, outcome=RequestOutcome.WILL_CONSIDER, answer="")
