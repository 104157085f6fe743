"""The log's life: consent withdrawal and renewal, handover, closing, deletion, archive copies (SPEC §4, §6)."""

import io
import json
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from stafett import access
from stafett.access import Action
from stafett.archive.copies import MAX_ATTEMPTS, deliver_pending
from stafett.archive.models import ArchiveCopy, ArchiveEvent, DeliveryStatus
from stafett.audit.models import AuditEvent
from stafett.lib.demo_pdf import minimal_pdf
from stafett.logs import actions
from stafett.logs.actions import ConsentData, MeasureData
from stafett.logs.models import Arena, CloseReason, Handover, HandoverStatus, LogStatus, MeasureCategory, RelayLog
from stafett.people.models import Membership, Role, ServiceType, Unit


def consent(cast, services=("barnehage", "helsestasjon", "skole"), level=2, signers=None):
    return ConsentData(
        services=list(services),
        signatories=signers or [cast.silje],
        document=SimpleUploadedFile("s.pdf", minimal_pdf(), content_type="application/pdf"),
        collected_at_unit=cast.kindergarten,
        level=level,
    )


@pytest.fixture(autouse=True)
def archive_dir(settings, tmp_path):
    settings.ARCHIVE_DIR = tmp_path / "arkiv"
    return settings.ARCHIVE_DIR


@pytest.fixture
def school(cast):
    school = Unit.objects.create(municipality=cast.fjordvik, name="Fjordvik skole", service_type=ServiceType.SKOLE)
    Membership.objects.create(person=cast.outsider, unit=school, role=Role.EMPLOYEE, title="kontaktlærer")
    return school


@pytest.fixture
def log(cast):
    log = actions.open_log(actor=cast.kari, subject=cast.emma, unit=cast.kindergarten, consent=consent(cast))
    actions.add_participant(actor=cast.kari, log=log, person=cast.nina, unit=cast.health_station)
    goal = actions.add_goal(actor=cast.kari, log=log, arena=Arena.HOME, text="Lese sammen hver kveld")
    day = timezone.localdate() + timedelta(days=10)
    actions.add_measure(
        actor=cast.kari,
        goal=goal,
        data=MeasureData("Bildebok før leggetid", MeasureCategory.SPRAK, cast.silje, day, day),
    )
    return log


def delivered(archive_dir, event):
    copy = ArchiveCopy.objects.get(event=event)
    assert copy.status == DeliveryStatus.DELIVERED
    pdf = (archive_dir / f"{copy.external_key}.pdf").read_bytes()
    metadata = json.loads((archive_dir / f"{copy.external_key}.json").read_text(encoding="utf-8"))
    return copy, pdf, metadata


# --- Withdrawal ------------------------------------------------------------------------


def test_guardian_withdraws_consent_log_goes_passive_and_is_archived(
    cast, log, archive_dir, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        actions.withdraw_consent(actor=cast.silje, log=log)
    log.refresh_from_db()
    assert log.status == LogStatus.PASSIVE
    assert not access.can(cast.nina, Action.VIEW_LOG, log)
    assert access.can(cast.kari, Action.VIEW_LOG, log) and not access.can(cast.kari, Action.EDIT_PLAN, log)
    assert access.can(cast.silje, Action.VIEW_LOG, log)
    copy, pdf, metadata = delivered(archive_dir, ArchiveEvent.CONSENT_WITHDRAWN)
    assert metadata["sha256"] == copy.sha256 and len(copy.sha256) == 64
    assert metadata["person"]["fodselsnummer"] == cast.emma.national_id
    assert "Bildebok før leggetid" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    event = AuditEvent.objects.get(action="consent.withdrawn")
    assert event.actor_name == "Silje Hansen" and event.scope_code == log.code


def test_withdrawing_twice_is_refused_clearly(cast, log):
    actions.withdraw_consent(actor=cast.silje, log=log)
    with pytest.raises(ValidationError, match="allerede trukket"):
        actions.withdraw_consent(actor=cast.silje, log=log)


def test_holder_records_a_paper_withdrawal_but_participants_cannot_withdraw(cast, log):
    with pytest.raises(PermissionDenied):
        actions.withdraw_consent(actor=cast.nina, log=log)
    with pytest.raises(PermissionDenied):
        actions.withdraw_consent(actor=cast.kari, log=log)  # in the app only guardians/youth
    actions.withdraw_consent(actor=cast.kari, log=log, on_paper=True)
    assert log.consents.get().withdrawal_on_paper


def test_outsider_cannot_learn_about_the_log_by_withdrawing(cast, log):
    with pytest.raises(Http404):
        actions.withdraw_consent(actor=cast.outsider, log=log)


# --- Renewal and expiry -----------------------------------------------------------------


def test_expired_consent_removes_participant_access_until_renewed(cast, log):
    later = timezone.localdate() + timedelta(days=800)
    with time_machine.travel(later):
        assert not access.can(cast.nina, Action.VIEW_LOG, log)
        assert access.can(cast.kari, Action.VIEW_LOG, log) and access.can(cast.silje, Action.VIEW_LOG, log)
        actions.renew_consent(actor=cast.kari, log=log, consent=consent(cast))
        assert access.can(cast.nina, Action.VIEW_LOG, log)
    assert log.consents.count() == 2  # history kept


def test_moving_to_a_higher_level_needs_consent_for_it(cast, log):
    with pytest.raises(ValidationError, match="Nivå 3 krever nytt eller utvidet samtykke"):
        actions.update_overview(actor=cast.kari, log=log, version=log.version, changes={"level": 3})
    actions.renew_consent(actor=cast.kari, log=log, consent=consent(cast, level=3))
    actions.update_overview(
        actor=cast.kari, log=log, version=log.version, changes={"level": 3}, level_reason="Barnevern"
    )
    assert list(log.level_changes.values_list("level", flat=True)) == [1, 3]


# --- Handover -------------------------------------------------------------------------------


def test_handover_stays_with_old_holder_until_accepted(
    cast, log, school, archive_dir, django_capture_on_commit_callbacks
):
    handover = actions.propose_handover(actor=cast.kari, log=log, to=cast.outsider, unit=school, note="Skolestart")
    log.refresh_from_db()
    assert log.holder == cast.kari
    # Until they accept, the proposed holder may answer but not read the plan (SPEC §3).
    assert access.can(cast.outsider, Action.ANSWER_HANDOVER, log)
    assert not access.can(cast.outsider, Action.VIEW_LOG, log)
    assert not access.can(cast.outsider, Action.EDIT_PLAN, log)
    with django_capture_on_commit_callbacks(execute=True):
        actions.accept_handover(actor=cast.outsider, handover=handover)
    log.refresh_from_db()
    assert log.holder == cast.outsider and log.unit == school
    assert access.can(cast.outsider, Action.EDIT_PLAN, log) and not access.can(cast.kari, Action.VIEW_LOG, log)
    delivered(archive_dir, ArchiveEvent.SERVICE_CHANGE)  # kindergarten → school
    assert AuditEvent.objects.filter(scope_code=log.code, action="handover.accepted").exists()


def test_declined_handover_leaves_the_old_holder(cast, log, school):
    handover = actions.propose_handover(actor=cast.kari, log=log, to=cast.outsider, unit=school)
    actions.decline_handover(actor=cast.outsider, handover=handover, reason="Ikke min klasse")
    log.refresh_from_db()
    assert log.holder == cast.kari
    assert not access.can(cast.outsider, Action.VIEW_LOG, log)
    with pytest.raises(ValidationError, match="allerede avslått"):
        actions.accept_handover(actor=cast.outsider, handover=Handover.objects.get(pk=handover.pk))


def test_accepting_a_handover_not_addressed_to_you_is_refused(cast, log, school):
    handover = actions.propose_handover(actor=cast.kari, log=log, to=cast.outsider, unit=school)
    with pytest.raises(PermissionDenied):
        actions.accept_handover(actor=cast.nina, handover=handover)  # a participant: 403
    with pytest.raises(Http404):
        actions.accept_handover(actor=cast.berit, handover=handover)  # no access to the log: 404


def test_unit_leader_proposes_a_new_holder_without_reading_the_log(cast, log):
    Membership.objects.create(person=cast.nina, unit=cast.kindergarten, role=Role.EMPLOYEE)
    assert not access.can(cast.berit, Action.VIEW_LOG, log)
    handover = actions.propose_handover(actor=cast.berit, log=log, to=cast.nina, unit=cast.kindergarten)
    with pytest.raises(ValidationError, match="venter på svar"):
        actions.propose_handover(actor=cast.berit, log=log, to=cast.nina, unit=cast.kindergarten)
    actions.accept_handover(actor=cast.nina, handover=handover)
    assert ArchiveCopy.objects.get().event == ArchiveEvent.HOLDER_CHANGE


def test_handover_to_a_service_outside_consent_needs_new_consent(cast, log):
    Membership.objects.create(person=cast.outsider, unit=cast.ppt, role=Role.EMPLOYEE)
    with pytest.raises(ValidationError, match="ikke med i samtykket"):
        actions.propose_handover(actor=cast.kari, log=log, to=cast.outsider, unit=cast.ppt)


# --- Closing, reopening, deletion -------------------------------------------------------------


def test_closing_needs_a_reason_archives_and_gives_a_record_line(
    cast, log, archive_dir, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError, match="Velg hvorfor"):
        actions.close_log(actor=cast.kari, log=log, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        closed = actions.close_log(actor=cast.kari, log=log, reason=CloseReason.GOALS_MET)
    assert closed.log.status == LogStatus.CLOSED
    assert "Emma Hansen har ikke lenger aktiv stafettlogg i Stafett (målene er nådd)" in closed.record_line
    delivered(archive_dir, ArchiveEvent.CLOSED)
    assert not access.can(cast.kari, Action.EDIT_PLAN, log)
    with pytest.raises(ValidationError, match="allerede avsluttet"):
        actions.close_log(actor=cast.kari, log=log, reason=CloseReason.GOALS_MET)


def test_closed_log_is_reopened_on_new_concern_with_new_consent(cast, log):
    actions.close_log(actor=cast.kari, log=log, reason=CloseReason.GOALS_MET)
    actions.reopen_log(actor=cast.kari, log=log, consent=consent(cast))
    log.refresh_from_db()
    assert log.status == LogStatus.ACTIVE and log.consents.count() == 2


def test_deletion_removes_content_but_archive_copies_and_audit_trail_remain(cast, log, client):
    actions.withdraw_consent(actor=cast.silje, log=log)
    actions.delete_content(actor=cast.kari, log=log)
    log.refresh_from_db()
    assert log.content_deleted_at is not None and log.status == LogStatus.CLOSED
    assert not log.goals.exists() and not log.consents.exists() and not log.participants.exists()
    assert {c.event for c in ArchiveCopy.objects.all()} == {ArchiveEvent.CONSENT_WITHDRAWN, ArchiveEvent.DELETION}
    assert AuditEvent.objects.filter(scope_code=log.code, action="log.opened").exists()
    client.force_login(cast.silje)
    page = client.get(reverse("logs:detail", args=[log.code])).content.decode()
    assert "Innholdet i denne stafettloggen ble slettet" in page
    assert "Arkivkopier av loggen" in page and "Bildebok" not in page


# --- Archive copies ------------------------------------------------------------------------------


def test_pdf_is_pdf_a_with_norwegian_letters_and_long_logs_span_pages(cast, log):
    from stafett.archive.pdf import render_log_pdf

    goal = log.goals.get()
    day = timezone.localdate() + timedelta(days=3)
    for i in range(80):
        actions.add_measure(
            actor=cast.kari,
            goal=goal,
            data=MeasureData(
                f"Tiltak nr. {i}: øve på å hilse, ærlig og åpent", MeasureCategory.SOSIAL, cast.silje, day, day
            ),
        )
    reader = PdfReader(io.BytesIO(render_log_pdf(log, reason="Test")))
    text = "".join(p.extract_text() for p in reader.pages)
    assert len(reader.pages) > 2
    assert "Tiltak nr. 79: øve på å hilse, ærlig og åpent" in text
    assert "Stafettlogg for Emma Hansen" in text
    xmp = reader.xmp_metadata
    assert xmp is not None
    raw = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in raw and 'pdfaid:conformance="B"' in raw
    assert reader.metadata.title == "Stafettlogg – Emma Hansen"


def test_archive_copy_survives_a_crash_between_commit_and_delivery(cast, log, archive_dir):
    # No on-commit callbacks run here: as if the process died right after the commit.
    actions.close_log(actor=cast.kari, log=log, reason=CloseReason.REPLACED_BY_IP)
    copy = ArchiveCopy.objects.get()
    assert copy.status == DeliveryStatus.PENDING and not copy.pdf
    assert deliver_pending() == 1
    copy.refresh_from_db()
    assert copy.status == DeliveryStatus.DELIVERED and (archive_dir / f"{copy.external_key}.pdf").exists()
    assert deliver_pending() == 0  # delivered once, not again


def test_failed_delivery_is_retried_and_finally_marked_failed(cast, log):
    class Broken:
        def deliver(self, copy, pdf):
            raise OSError("arkivet svarer ikke")

    actions.close_log(actor=cast.kari, log=log, reason=CloseReason.REPLACED_BY_IP)
    for _ in range(MAX_ATTEMPTS - 1):
        deliver_pending(target=Broken())
        assert ArchiveCopy.objects.get().status == DeliveryStatus.PENDING
    deliver_pending(target=Broken())
    copy = ArchiveCopy.objects.get()
    assert copy.status == DeliveryStatus.FAILED and copy.attempts == MAX_ATTEMPTS
    assert "arkivet svarer ikke" in copy.last_error


# --- Pages --------------------------------------------------------------------------------------------


def test_guardian_withdraws_through_the_page_after_a_confirmation(client, cast, log):
    client.force_login(cast.silje)
    page = client.get(reverse("logs:withdraw_consent", args=[log.code])).content.decode()
    assert "Vil du trekke samtykket?" in page
    client.post(reverse("logs:withdraw_consent", args=[log.code]))
    log.refresh_from_db()
    assert log.status == LogStatus.PASSIVE


def test_proposed_holder_answers_from_the_start_page(client, cast, log, school):
    actions.propose_handover(actor=cast.kari, log=log, to=cast.outsider, unit=school)
    client.force_login(cast.outsider)
    start = client.get("/").content.decode()
    handover = Handover.objects.get()
    assert reverse("logs:answer_handover", args=[handover.code]) in start
    response = client.post(reverse("logs:answer_handover", args=[handover.code]), {"accept": "1"})
    assert response.url == reverse("logs:detail", args=[log.code])
    assert Handover.objects.get().status == HandoverStatus.ACCEPTED


def test_handover_page_is_404_for_outsiders_and_403_for_readers(client, cast, log, school):
    handover = actions.propose_handover(actor=cast.kari, log=log, to=cast.outsider, unit=school)
    client.force_login(cast.randi)
    assert client.get(reverse("logs:answer_handover", args=[handover.code])).status_code == 404
    client.force_login(cast.nina)
    assert client.get(reverse("logs:answer_handover", args=[handover.code])).status_code == 403


def test_holder_downloads_the_printout_and_it_is_logged(client, cast, log):
    client.force_login(cast.kari)
    response = client.get(reverse("logs:printout", args=[log.code]))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(scope_code=log.code, action="log.viewed", details__side="utskrift").exists()
    client.force_login(cast.nina)
    assert client.get(reverse("logs:printout", args=[log.code])).status_code == 403


def test_close_page_shows_the_line_for_the_units_own_records(client, cast, log):
    client.force_login(cast.kari)
    response = client.post(reverse("logs:close", args=[log.code]), {"reason": "erstattet_ip"})
    assert "har ikke lenger aktiv stafettlogg" in response.content.decode()
    assert RelayLog.objects.get().status == LogStatus.CLOSED


def test_yearly_copy_for_individual_decision_within_four_weeks_after_school_year(cast, log):
    from datetime import date

    from stafett.archive.yearly import archive_yearly

    def run(day):
        with time_machine.travel(day, tick=False):
            return archive_yearly(timezone.localdate())

    actions.update_overview(actor=cast.kari, log=log, version=log.version, changes={"has_individual_decision": True})
    assert run(date(2027, 6, 19)) == 0  # before the year ends
    assert run(date(2027, 6, 25)) == 1
    assert run(date(2027, 6, 26)) == 0  # once per year
    assert run(date(2028, 7, 17)) == 1  # the next year, within four weeks
    assert run(date(2028, 7, 19)) == 0  # once per year (a missed window: tests/test_archive_after_meeting.py)
    assert ArchiveCopy.objects.filter(event=ArchiveEvent.YEARLY).count() == 2
