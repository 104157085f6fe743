"""New actors approved by the family (issue 15 §4, seeds/001 §6 «Det innhentes nye samtykker …
når nye aktører skal inn i stafettloggen»): a new participant — even from a service the consent
covers — has no access until the guardians (and the youth with rights) approve in the app or
on paper; one «no» and they are not added. Where the municipality has this off, the family is
told. On a shielded log the guardians are never asked or told."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from stafett import access
from stafett.access import Action
from stafett.audit.models import AuditEvent
from stafett.logs import actions
from stafett.logs.models import Participant, ParticipantApproval, RelayLog
from stafett.notify.models import Kind, Notification
from stafett.people.models import Guardianship, Membership, Role, ServiceType, Unit
from tests.conftest import make_person
from tests.logs.conftest import fake_pdf_upload, pdf_upload

BANKID = "ID-porten (idporten-loa-high)"


@pytest.fixture
def family_approves(cast):
    cast.fjordvik.family_approves_participants = True
    cast.fjordvik.save(update_fields=["family_approves_participants"])


@pytest.fixture
def teacher(cast):
    school = Unit.objects.create(municipality=cast.fjordvik, name="Fjordvik skole", service_type=ServiceType.SKOLE)
    person = make_person("Lars", "Vik", email="lars.vik@fjordvik.example")
    Membership.objects.create(person=person, unit=school, role=Role.EMPLOYEE, title="lærer")
    return person


@pytest.fixture
def tor(cast):
    """Emma's second guardian."""
    person = make_person("Tor", "Hansen", email="tor@example.com", serial=7)
    Guardianship.objects.create(guardian=person, child=cast.emma)
    return person


def add_teacher(cast, log: RelayLog, teacher) -> Participant:
    school = Membership.objects.get(person=teacher).unit
    return actions.add_participant(actor=cast.kari, log=RelayLog.objects.get(pk=log.pk), person=teacher, unit=school)


def answer(person, participant: Participant, approve: bool) -> Participant:
    return actions.answer_participant(actor=person, participant=participant, approve=approve, authenticated_by=BANKID)


def test_municipalities_ask_the_family_about_new_participants_by_default():
    from stafett.people.models import Municipality

    assert Municipality(name="Ny", number="9999").family_approves_participants is True


def test_added_participant_has_no_access_until_the_guardians_approve(cast, log, teacher, tor, family_approves):
    participant = add_teacher(cast, log, teacher)
    assert participant.approval == ParticipantApproval.PENDING
    assert not access.can(teacher, Action.VIEW_LOG, log)
    assert teacher.pk not in access.readers_of([log])[log.pk]

    answer(cast.silje, participant, True)
    assert not access.can(teacher, Action.VIEW_LOG, log), "one guardian of two is not enough"
    answer(tor, participant, True)
    assert Participant.objects.get(pk=participant.pk).approval == ParticipantApproval.APPROVED
    assert access.can(teacher, Action.VIEW_LOG, log)


def test_the_guardians_are_asked_in_the_app_with_a_notification_that_names_nobody(
    cast, log, teacher, tor, family_approves
):
    participant = add_teacher(cast, log, teacher)
    asked = Notification.objects.filter(kind=Kind.PARTICIPANT_TO_APPROVE)
    assert {n.recipient for n in asked} == {cast.silje, tor}
    assert all(n.path == f"/deltaker/{participant.code}/svar/" for n in asked)
    assert [p.pk for p in actions.awaiting_answer_from(cast.silje)] == [participant.pk]
    assert actions.awaiting_answer_from(cast.nina) == []


def test_one_guardian_declining_means_the_participant_is_not_added_and_the_holder_is_told(
    cast, log, teacher, tor, family_approves
):
    participant = add_teacher(cast, log, teacher)
    answer(cast.silje, participant, True)
    answer(tor, participant, False)
    participant.refresh_from_db()
    assert participant.approval == ParticipantApproval.DECLINED
    assert participant.removed_at is not None
    assert not access.can(teacher, Action.VIEW_LOG, log)
    assert Notification.objects.filter(kind=Kind.PARTICIPANT_DECLINED, recipient=cast.kari).exists()
    with pytest.raises(ValidationError):
        answer(cast.silje, participant, True)


def test_the_youth_with_rights_is_asked_too(cast, teacher, family_approves, make_consent):
    log = actions.open_log(
        actor=cast.kari,
        subject=cast.jonas,
        unit=cast.kindergarten,
        consent=make_consent(signatories=[cast.silje, cast.jonas]),
        initiator_text="Bekymring.",
        initiated_by="Barnehagen",
    )
    participant = add_teacher(cast, log, teacher)
    answer(cast.silje, participant, True)
    assert not access.can(teacher, Action.VIEW_LOG, log)
    answer(cast.jonas, participant, True)
    assert access.can(teacher, Action.VIEW_LOG, log)


def test_only_the_family_answers_about_a_new_participant(cast, log, teacher, family_approves):
    participant = add_teacher(cast, log, teacher)
    with pytest.raises(PermissionDenied):
        answer(cast.nina, participant, True)  # a participant: reads, may not answer
    with pytest.raises(Http404):
        answer(cast.outsider, participant, True)
    assert Participant.objects.get(pk=participant.pk).approval == ParticipantApproval.PENDING


def test_the_holder_records_a_paper_approval_with_a_scan(cast, log, teacher, family_approves):
    participant = add_teacher(cast, log, teacher)
    with pytest.raises(ValidationError) as e:
        actions.record_paper_approval(actor=cast.kari, participant=participant, document=fake_pdf_upload())
    assert "document" in e.value.message_dict
    with pytest.raises(PermissionDenied):
        actions.record_paper_approval(actor=cast.nina, participant=participant, document=pdf_upload())
    actions.record_paper_approval(actor=cast.kari, participant=participant, document=pdf_upload())
    participant.refresh_from_db()
    assert participant.approval == ParticipantApproval.APPROVED
    assert participant.approval_document_content_type == "application/pdf"
    assert access.can(teacher, Action.VIEW_LOG, log)


def test_every_step_of_the_familys_approval_is_audited(cast, log, teacher, family_approves):
    participant = add_teacher(cast, log, teacher)
    answer(cast.silje, participant, True)
    rows = {e.action: e for e in AuditEvent.objects.filter(scope_code=log.code)}
    assert rows["participant.approval_requested"].details["til"] == ["Silje Hansen"]
    assert rows["participant.approved"].actor_name == "Silje Hansen"
    assert rows["participant.approved"].details["metode"] == BANKID


def test_where_the_setting_is_off_the_guardians_are_told_someone_was_added(cast, log, teacher, tor):
    Notification.objects.all().delete()  # Nina, added by the fixture
    participant = add_teacher(cast, log, teacher)
    assert participant.approval == ParticipantApproval.NOT_NEEDED
    assert access.can(teacher, Action.VIEW_LOG, log)
    told = Notification.objects.filter(kind=Kind.PARTICIPANT_ADDED)
    assert {n.recipient for n in told} == {cast.silje, tor}
    assert all(n.path == f"/logg/{log.code}/" for n in told)
    assert AuditEvent.objects.filter(action="participant.family_told", scope_code=log.code).exists()


@pytest.mark.parametrize("setting", [True, False])
def test_guardians_of_a_shielded_log_are_never_asked_or_told_about_a_participant(cast, log, teacher, setting):
    cast.fjordvik.family_approves_participants = setting
    cast.fjordvik.save(update_fields=["family_approves_participants"])
    actions.shield_from_guardians(actor=cast.kari, log=RelayLog.objects.get(pk=log.pk))
    Notification.objects.all().delete()  # Nina was added (and the family told) before the shielding
    participant = add_teacher(cast, log, teacher)
    assert participant.approval == ParticipantApproval.NOT_NEEDED
    assert not Notification.objects.filter(
        recipient=cast.silje, kind__in=[Kind.PARTICIPANT_TO_APPROVE, Kind.PARTICIPANT_ADDED]
    ).exists()
    assert actions.awaiting_answer_from(cast.silje) == []


def test_a_guardian_answers_on_the_page_linked_from_the_start_page(client, cast, log, teacher, family_approves):
    participant = add_teacher(cast, log, teacher)
    client.force_login(cast.silje)
    start = client.get("/")
    assert reverse("logs:answer_participant", args=[participant.code]) in start.content.decode()
    page = client.get(reverse("logs:answer_participant", args=[participant.code]))
    assert page.status_code == 200
    assert "Lars Vik" in page.content.decode()
    response = client.post(reverse("logs:answer_participant", args=[participant.code]), {"answer": "ja"})
    assert response.status_code == 302
    assert Participant.objects.get(pk=participant.pk).approval == ParticipantApproval.APPROVED


def test_the_answer_page_is_404_for_outsiders_and_403_for_readers(client, cast, log, teacher, family_approves):
    participant = add_teacher(cast, log, teacher)
    url = reverse("logs:answer_participant", args=[participant.code])
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 404
    client.force_login(cast.nina)
    assert client.get(url).status_code == 403


def test_the_holder_uploads_a_paper_approval_on_its_page(client, cast, log, teacher, family_approves):
    participant = add_teacher(cast, log, teacher)
    url = reverse("logs:paper_approval", args=[log.code, participant.code])
    client.force_login(cast.nina)
    assert client.get(url).status_code == 403
    client.force_login(cast.kari)
    assert "Registrer godkjenning på papir" in client.get(reverse("logs:detail", args=[log.code])).content.decode()
    assert client.get(url).status_code == 200
    response = client.post(url, {"document": pdf_upload()})
    assert response.status_code == 302
    assert Participant.objects.get(pk=participant.pk).approval == ParticipantApproval.APPROVED
