"""Digital consent: prepared by the holder, approved by each guardian (and the youth by age) after login."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from stafett import access
from stafett.access import Action
from stafett.audit.models import AuditEvent
from stafett.logs import actions
from stafett.logs.actions import ConsentTerms, LogStart
from stafett.logs.models import ConsentRequestStatus, LogStatus
from stafett.people.models import Guardianship
from tests.conftest import make_person


def terms(**overrides):
    data = {"services": ["barnehage", "helsestasjon"], "valid_until": timezone.localdate() + timedelta(days=700)}
    data.update(overrides)
    return ConsentTerms(**data)


@pytest.fixture
def second_guardian(cast):
    from datetime import date

    martin = make_person("Martin", "Hansen", born=date(1988, 11, 23), serial=2)
    Guardianship.objects.create(guardian=martin, child=cast.emma)
    return martin


def test_log_waits_for_every_guardian_then_becomes_active(cast, second_guardian):
    request = actions.open_log_with_digital_consent(
        actor=cast.kari, start=LogStart(subject=cast.emma, unit=cast.kindergarten), terms=terms()
    )
    log = request.log
    assert log.status == LogStatus.AWAITING_CONSENT
    assert access.can(cast.silje, Action.VIEW_LOG, log)
    assert not access.can(cast.kari, Action.EDIT_PLAN, log)  # nothing is written before consent
    with pytest.raises(PermissionDenied):
        actions.add_participant(actor=cast.kari, log=log, person=cast.nina, unit=cast.health_station)
    actions.answer_consent(
        actor=cast.silje, request=request, approve=True, authenticated_by="ID-porten (idporten-loa-high)"
    )
    log.refresh_from_db()
    assert log.status == LogStatus.AWAITING_CONSENT
    actions.answer_consent(
        actor=second_guardian, request=request, approve=True, authenticated_by="ID-porten (idporten-loa-high)"
    )
    log.refresh_from_db()
    assert log.status == LogStatus.ACTIVE
    consent = log.consents.get()
    assert set(consent.signatories.all()) == {cast.silje, second_guardian}
    assert consent.request == request and not consent.document
    assert [a.authenticated_by for a in request.approvals.all()] == ["ID-porten (idporten-loa-high)"] * 2
    actions.add_participant(actor=cast.kari, log=log, person=cast.nina, unit=cast.health_station)
    assert AuditEvent.objects.filter(scope_code=log.code, action="consent.approved").count() == 2


def test_a_guardian_saying_no_stops_the_request(cast, second_guardian):
    request = actions.open_log_with_digital_consent(
        actor=cast.kari, start=LogStart(subject=cast.emma, unit=cast.kindergarten), terms=terms()
    )
    actions.answer_consent(actor=cast.silje, request=request, approve=False, authenticated_by="ID-porten")
    assert request.status == ConsentRequestStatus.DECLINED
    with pytest.raises(ValidationError, match="allerede avslått"):
        actions.answer_consent(actor=second_guardian, request=request, approve=True, authenticated_by="ID-porten")
    request.log.refresh_from_db()
    assert request.log.status == LogStatus.AWAITING_CONSENT


def test_youth_of_fifteen_must_approve_too(cast):
    request = actions.open_log_with_digital_consent(
        actor=cast.kari, start=LogStart(subject=cast.jonas, unit=cast.kindergarten), terms=terms()
    )
    assert set(request.required_signers.all()) == {cast.silje, cast.jonas}
    actions.answer_consent(actor=cast.silje, request=request, approve=True, authenticated_by="ID-porten")
    assert request.log.consents.count() == 0
    actions.answer_consent(actor=cast.jonas, request=request, approve=True, authenticated_by="ID-porten")
    assert request.log.consents.count() == 1


def test_only_the_required_signers_can_answer(cast):
    request = actions.open_log_with_digital_consent(
        actor=cast.kari, start=LogStart(subject=cast.emma, unit=cast.kindergarten), terms=terms()
    )
    with pytest.raises(PermissionDenied):
        actions.answer_consent(actor=cast.kari, request=request, approve=True, authenticated_by="x")
    with pytest.raises(Http404):
        actions.answer_consent(actor=cast.outsider, request=request, approve=True, authenticated_by="x")


def test_expired_or_empty_terms_are_refused(cast):
    with pytest.raises(ValidationError, match="fram i tid"):
        actions.open_log_with_digital_consent(
            actor=cast.kari,
            start=LogStart(subject=cast.emma, unit=cast.kindergarten),
            terms=terms(valid_until=timezone.localdate()),
        )


def test_guardian_answers_on_the_page_and_the_login_method_is_recorded(client, cast):
    request = actions.open_log_with_digital_consent(
        actor=cast.kari, start=LogStart(subject=cast.emma, unit=cast.kindergarten), terms=terms()
    )
    client.post(reverse("accounts:demo_login"), {"person": str(cast.silje.code)})
    start = client.get("/").content.decode()
    assert "Samtykke som venter på deg" in start
    page = client.get(reverse("logs:answer_consent", args=[request.code])).content.decode()
    assert "Barnehage" in page and "Jeg samtykker" in page
    client.post(reverse("logs:answer_consent", args=[request.code]), {"answer": "ja"})
    approval = request.approvals.get()
    assert approval.approved and approval.authenticated_by == "Demo-innlogging (ikke gyldig i drift)"
    request.log.refresh_from_db()
    assert request.log.status == LogStatus.ACTIVE


def test_holder_asks_for_digital_renewal_from_the_log(client, cast):
    request = actions.open_log_with_digital_consent(
        actor=cast.kari, start=LogStart(subject=cast.emma, unit=cast.kindergarten), terms=terms()
    )
    actions.answer_consent(actor=cast.silje, request=request, approve=True, authenticated_by="x")
    client.force_login(cast.kari)
    response = client.post(
        reverse("logs:request_consent", args=[request.log.code]),
        {
            "services": ["barnehage", "ppt"],
            "valid_until": (timezone.localdate() + timedelta(days=300)).isoformat(),
            "level": 3,
        },
    )
    assert response.status_code == 302
    renewal = request.log.consent_requests.filter(status=ConsentRequestStatus.PENDING).get()
    assert renewal.level == 3 and renewal.services == ["barnehage", "ppt"]
