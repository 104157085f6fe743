"""Opening a relay log: never without valid consent, and nothing half-made (SPEC §4, §6 Create)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from stafett.audit.models import AuditEvent
from stafett.logs import actions
from stafett.logs.models import Consent, LevelChange, LogStatus, RelayLog


def open_for_emma(cast, consent, actor=None, **kw):
    return actions.open_log(actor=actor or cast.kari, subject=cast.emma, unit=cast.kindergarten, consent=consent, **kw)


@pytest.fixture
def nothing_created():
    """Asserts, after the block, that no log, consent, level row or audit row was made."""
    before = (
        RelayLog.objects.count(),
        Consent.objects.count(),
        LevelChange.objects.count(),
        AuditEvent.objects.count(),
    )

    def check():
        after = (
            RelayLog.objects.count(),
            Consent.objects.count(),
            LevelChange.objects.count(),
            AuditEvent.objects.count(),
        )
        assert after == before

    return check


def test_the_employee_who_opens_a_log_becomes_its_holder(cast, make_consent):
    log = open_for_emma(cast, make_consent())
    assert log.holder == cast.kari
    assert log.status == LogStatus.ACTIVE
    assert log.unit == cast.kindergarten
    consent = log.consents.get()
    assert consent.collected_by == cast.kari
    assert set(consent.signatories.all()) == {cast.silje}
    assert consent.services == ["barnehage", "helsestasjon", "skole"]


def test_a_new_consent_is_valid_for_two_years_by_default(cast, make_consent):
    log = open_for_emma(cast, make_consent())
    today = timezone.localdate()
    consent = log.consents.get()
    assert consent.valid_from == today
    assert consent.valid_until == today.replace(year=today.year + 2)


def test_the_signed_consent_form_is_stored_under_a_neutral_name(cast, make_consent, media_root):
    log = open_for_emma(cast, make_consent())
    consent = log.consents.get()
    assert consent.document.name == f"consents/{consent.code}.pdf"
    assert "emma" not in consent.document.name.lower()
    assert (media_root / consent.document.name).read_bytes().startswith(b"%PDF")
    assert consent.document_content_type == "application/pdf"


def test_a_photographed_form_is_accepted_as_png(cast, make_consent, png):
    consent = open_for_emma(cast, make_consent(document=png)).consents.get()
    assert consent.document_extension == ".png"
    assert consent.document_content_type == "image/png"


def test_opening_a_log_is_audited_in_the_logs_own_access_log(cast, make_consent):
    log = open_for_emma(cast, make_consent())
    opened = AuditEvent.objects.get(action="log.opened")
    recorded = AuditEvent.objects.get(action="consent.recorded")
    assert opened.scope_code == log.code
    assert recorded.scope_code == log.code
    assert opened.actor_name == "Kari Lunde"
    assert opened.details["holder"] == "Kari Lunde"
    assert recorded.details["signert_av"] == ["Silje Hansen"]


def test_opening_a_log_records_its_first_level(cast, make_consent):
    log = open_for_emma(cast, make_consent())
    assert list(log.level_changes.values_list("level", "changed_by_name")) == [(1, "Kari Lunde")]


def test_the_unit_leader_may_appoint_an_employee_as_holder(cast, make_consent):
    log = open_for_emma(cast, make_consent(), actor=cast.berit, holder=cast.kari)
    assert log.holder == cast.kari
    assert AuditEvent.objects.get(action="log.opened").actor_name == "Berit Solheim"


def test_an_employee_may_not_appoint_someone_else_as_holder(cast, make_consent, nothing_created):
    with pytest.raises(PermissionDenied):
        open_for_emma(cast, make_consent(), holder=cast.berit)
    nothing_created()


def test_the_holder_must_be_on_the_units_staff_list(cast, make_consent, nothing_created):
    with pytest.raises(ValidationError, match="ansattlisten ved Solsikken barnehage"):
        open_for_emma(cast, make_consent(), actor=cast.berit, holder=cast.nina)
    nothing_created()


@pytest.mark.parametrize("who", ["outsider", "nina", "silje", "ola_admin", "randi"])
def test_someone_outside_the_unit_is_told_the_unit_does_not_exist(cast, make_consent, nothing_created, who):
    # OPEN_LOG is a unit action; without VIEW_STAFF on the unit the answer is 404.
    with pytest.raises(Http404):
        open_for_emma(cast, make_consent(), actor=getattr(cast, who))
    nothing_created()


def test_the_system_administrator_sees_the_unit_but_may_not_open_logs_there(cast, make_consent, nothing_created):
    with pytest.raises(PermissionDenied):
        open_for_emma(cast, make_consent(), actor=cast.trude)
    nothing_created()


def test_access_is_checked_before_the_consent_is_validated(cast, make_consent, nothing_created):
    with pytest.raises(Http404):
        open_for_emma(cast, make_consent(signatories=[cast.outsider]), actor=cast.outsider)
    nothing_created()


# --- Consent that is not good enough: a Norwegian explanation, and nothing created --------


def test_consent_without_a_guardians_signature_is_refused(cast, make_consent, nothing_created):
    with pytest.raises(ValidationError) as e:
        open_for_emma(cast, make_consent(signatories=[]))
    assert e.value.message_dict["signatories"] == ["Minst én foresatt må ha signert samtykket."]
    nothing_created()


def test_consent_signed_by_someone_who_is_not_a_guardian_is_refused(cast, make_consent, nothing_created):
    with pytest.raises(ValidationError) as e:
        open_for_emma(cast, make_consent(signatories=[cast.outsider]))
    assert "Minst én foresatt må ha signert samtykket." in e.value.message_dict["signatories"]
    assert any(m.startswith("Bare foresatte") for m in e.value.message_dict["signatories"])
    nothing_created()


def test_expired_consent_is_refused(cast, make_consent, nothing_created):
    yesterday = timezone.localdate() - timedelta(days=1)
    with pytest.raises(ValidationError) as e:
        open_for_emma(cast, make_consent(valid_from=yesterday - timedelta(days=30), valid_until=yesterday))
    assert e.value.message_dict["valid_until"] == ["Samtykket er utløpt. Det må gjelde fram i tid."]
    nothing_created()


def test_consent_that_ends_before_it_starts_is_refused(cast, make_consent, nothing_created):
    today = timezone.localdate()
    with pytest.raises(ValidationError, match="Sluttdatoen må være etter startdatoen"):
        open_for_emma(cast, make_consent(valid_from=today + timedelta(days=10), valid_until=today + timedelta(days=5)))
    nothing_created()


def test_consent_that_does_not_cover_the_holders_service_is_refused(cast, make_consent, nothing_created):
    with pytest.raises(ValidationError) as e:
        open_for_emma(cast, make_consent(services=["helsestasjon", "skole"]))
    assert e.value.message_dict["services"] == ["Samtykket må gjelde barnehage, der stafettholderen arbeider."]
    nothing_created()


def test_consent_naming_no_services_is_refused(cast, make_consent, nothing_created):
    with pytest.raises(ValidationError, match="Kryss av for hvilke tjenester"):
        open_for_emma(cast, make_consent(services=[]))
    nothing_created()


def test_a_text_file_renamed_to_pdf_is_refused(cast, make_consent, fake_pdf, nothing_created, media_root):
    with pytest.raises(ValidationError) as e:
        open_for_emma(cast, make_consent(document=fake_pdf))
    assert e.value.message_dict["document"] == [
        "Filen må være PDF, JPG, PNG. Skann eller ta bilde av det signerte skjemaet og prøv igjen."
    ]
    nothing_created()
    assert not media_root.exists() or not any(media_root.rglob("*.*"))


def test_an_oversized_file_is_refused(cast, make_consent, oversized_pdf, nothing_created, media_root):
    with pytest.raises(ValidationError) as e:
        open_for_emma(cast, make_consent(document=oversized_pdf))
    assert e.value.message_dict["document"] == ["Filen er for stor. Største tillatte størrelse er 1 MB."]
    nothing_created()
    assert not media_root.exists() or not any(media_root.rglob("*.*"))


def test_an_empty_file_is_refused(cast, make_consent, nothing_created):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError, match="Filen er tom"):
        open_for_emma(cast, make_consent(document=SimpleUploadedFile("s.pdf", b"", content_type="application/pdf")))
    nothing_created()


def test_a_consent_refused_after_the_upload_check_leaves_no_file_behind(
    cast, make_consent, nothing_created, media_root
):
    with pytest.raises(ValidationError):
        open_for_emma(cast, make_consent(level=7))  # not a level: Consent.full_clean refuses it
    nothing_created()
    assert not media_root.exists() or not any(media_root.rglob("*.*"))


def test_a_youth_of_16_who_has_not_signed_is_refused(cast, make_consent, nothing_created):
    with pytest.raises(ValidationError) as e:
        actions.open_log(actor=cast.kari, subject=cast.jonas, unit=cast.kindergarten, consent=make_consent())
    assert e.value.message_dict["signatories"] == ["Jonas er 16 år og må selv signere samtykket (fra 15 år)."]
    nothing_created()


def test_a_youth_who_signed_with_a_guardian_gets_a_log(cast, youth_log):
    assert set(youth_log.consents.get().signatories.all()) == {cast.silje, cast.jonas}


def test_a_youth_cannot_consent_alone_without_a_guardian(cast, make_consent, nothing_created):
    with pytest.raises(ValidationError, match="Minst én foresatt"):
        actions.open_log(
            actor=cast.kari, subject=cast.jonas, unit=cast.kindergarten, consent=make_consent(signatories=[cast.jonas])
        )
    nothing_created()


def test_a_person_without_national_id_cannot_get_a_log(cast, make_consent, nothing_created):
    cast.emma.national_id = None
    cast.emma.save()
    with pytest.raises(ValidationError, match="Fødselsnummer eller D-nummer"):
        open_for_emma(cast, make_consent())
    nothing_created()


def test_a_second_active_log_for_the_same_child_is_refused(cast, make_consent, log, nothing_created):
    with pytest.raises(ValidationError, match="Det kan ikke opprettes en ny stafettlogg for dette barnet nå"):
        open_for_emma(cast, make_consent(), actor=cast.berit)
    nothing_created()
    assert RelayLog.objects.filter(subject=cast.emma).count() == 1


def test_a_child_whose_log_is_closed_can_get_a_new_one(cast, make_consent, log):
    RelayLog.objects.filter(pk=log.pk).update(status=LogStatus.CLOSED)
    new = open_for_emma(cast, make_consent())
    assert new.pk != log.pk
