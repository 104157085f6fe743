"""Fiks Arkiv delivery (issue 11 §3): an arkivmelding valid against KS's schema for every copy,
a file drop with the exact package, receipts that mark copies archived, a missing receipt sent
again with the same external key (never archived twice) and then flagged, and a bad receipt
that is set aside with a clear reason while nothing is lost."""

import hashlib
import uuid
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from stafett.archive import copies
from stafett.archive.arkivmelding import (
    MDK,
    MESSAGE_FILE,
    NS,
    build_message,
    document_of,
    message_schema,
    receipt_schema,
)
from stafett.archive.copies import MAX_ATTEMPTS, deliver_pending, make_archive_copy
from stafett.archive.fiks_arkiv import (
    HEADER_FILE,
    FiksArkivTarget,
    FiksIOConfig,
    FiksIOTransport,
    settings_for,
)
from stafett.archive.health import undelivered_summary
from stafett.archive.models import ArchiveCopy, ArchiveEvent, ArchiveSettings, DeliveryStatus
from stafett.archive.receipts import ERROR_NS, BadReceipt, parse_receipt, read_receipts, resend_unanswered
from stafett.core.demo_data import seed_demo
from stafett.lib.demo_pdf import minimal_pdf
from stafett.logs import actions
from stafett.logs.actions import ConsentData
from stafett.notify.models import Kind, Notification

RECEIPT_NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1"
PDF = minimal_pdf()


@pytest.fixture(autouse=True)
def fiks_arkiv(settings, tmp_path, monkeypatch):
    settings.ARCHIVE_TARGET = "fiks-arkiv"
    settings.FIKS_ARKIV_TRANSPORT = "fildrop"
    settings.FIKS_ARKIV_DIR = tmp_path / "fiks-arkiv"
    settings.ARCHIVE_RECEIPT_WAIT_MINUTES = 60
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    # Rendering PDF/A (WeasyPrint) is tested elsewhere; here any PDF will do.
    monkeypatch.setattr(copies, "html_to_pdf", lambda html, identifier: PDF)
    return tmp_path / "fiks-arkiv"


@pytest.fixture
def copy(cast):
    consent = ConsentData(
        services=["barnehage", "helsestasjon"],
        signatories=[cast.silje],
        document=SimpleUploadedFile("s.pdf", minimal_pdf(), content_type="application/pdf"),
        collected_at_unit=cast.kindergarten,
        valid_until=timezone.localdate() + timedelta(days=3 * 365),
    )
    log = actions.open_log(actor=cast.kari, subject=cast.emma, unit=cast.kindergarten, consent=consent)
    with transaction.atomic():
        return make_archive_copy(relay_log=log, event=ArchiveEvent.CLOSED)


def parsed(xml: bytes) -> ET.Element:
    return ET.fromstring(xml)  # noqa: S314 - our own message, written by the test


def text(root: ET.Element, path: str) -> list[str]:
    """Texts at `path`, written with a: for the message's namespace and m: for the metadata catalogue."""
    return [e.text or "" for e in root.iterfind(path, {"a": NS, "m": MDK})]


def packages(drop: Path) -> list[Path]:
    return sorted(p for p in (drop / "utboks").iterdir() if not p.name.startswith("."))


def receipt(key: str, *, existing: bool = False, year: str = "2026", number: str = "42") -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<arkivmeldingKvittering xmlns="{RECEIPT_NS}" xmlns:n5mdk="{MDK}"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <registreringKvittering xsi:type="journalpostKvittering">
    <systemID>{uuid.uuid4()}</systemID>
    <referanseEksternNoekkel><n5mdk:fagsystem>Stafett</n5mdk:fagsystem><n5mdk:noekkel>{key}</n5mdk:noekkel></referanseEksternNoekkel>
    <opprettetEllerEksisterende>{"Eksisterende" if existing else "Opprettet"}</opprettetEllerEksisterende>
    <journalaar>{year}</journalaar>
    <journalsekvensnummer>{number}</journalsekvensnummer>
  </registreringKvittering>
</arkivmeldingKvittering>""".encode()


def refusal(reason: str) -> bytes:
    return f"""<?xml version="1.0" encoding="utf-8"?>
<arkivmeldingKvittering xmlns="{RECEIPT_NS}" xmlns:f="{ERROR_NS}">
  <registreringFeilet><f:feilId>F-17</f:feilId><f:feilmelding>{reason}</f:feilmelding></registreringFeilet>
</arkivmeldingKvittering>""".encode()


class SimulatedArchive:
    """An archive behind the file drop: files a journalpost once per external key, as Fiks Arkiv
    archives do, and answers each package with a receipt in the inbox."""

    def __init__(self, drop: Path) -> None:
        self.drop = drop
        self.journalposts: dict[str, int] = {}
        self.answered: set[str] = set()

    def answer(self) -> None:
        for package in packages(self.drop):
            if package.name in self.answered:
                continue
            message = parsed((package / MESSAGE_FILE).read_bytes())
            key = text(message, "a:registrering/a:referanseEksternNoekkel/m:noekkel")[0]
            existing = key in self.journalposts
            self.journalposts.setdefault(key, len(self.journalposts) + 1)
            (self.drop / "innboks" / f"{package.name}.xml").write_bytes(
                receipt(key, existing=existing, number=str(self.journalposts[key]))
            )
            self.answered.add(package.name)


# --- The message -------------------------------------------------------------


def test_every_demo_archive_copy_gives_an_arkivmelding_valid_against_ks_schema(db):
    seed_demo()
    demo_copies = list(ArchiveCopy.objects.all())
    assert len(demo_copies) >= 3  # the demo's closed, withdrawn and after-meeting copies
    for demo_copy in demo_copies:
        xml = build_message(demo_copy, document_of(demo_copy, PDF), settings_for(demo_copy))
        errors = list(message_schema().iter_errors(xml.decode()))
        assert not errors, f"{demo_copy.event}: {errors[0]}"
        root = parsed(xml)
        assert text(root, "a:registrering/a:referanseEksternNoekkel/m:noekkel") == [demo_copy.external_key]
        assert demo_copy.subject_name not in text(root, "a:registrering/a:offentligTittel")[0]


def test_the_journalpost_holds_the_pdf_a_as_main_document_with_checksum_and_the_stable_key(copy):
    document = document_of(copy, PDF)
    root = parsed(build_message(copy, document, settings_for(copy)))
    record = root.find(f"{{{NS}}}registrering")
    assert record is not None
    assert record.get("{http://www.w3.org/2001/XMLSchema-instance}type") == "journalpost"
    assert text(root, "a:registrering/a:tittel") == [copy.title]
    assert text(root, "a:registrering/a:journalposttype/m:kode") == ["X"]
    assert text(root, "a:registrering/a:dokumentbeskrivelse/a:tilknyttetRegistreringSom/m:kode") == ["H"]
    item = "a:registrering/a:dokumentbeskrivelse/a:dokumentobjekt"
    assert text(root, f"{item}/a:variantformat/m:kode") == ["A"]
    assert text(root, f"{item}/a:format/m:beskrivelse") == ["PDF/A-3b"]
    assert text(root, f"{item}/a:sjekksum") == [hashlib.sha256(PDF).hexdigest()]
    assert text(root, f"{item}/a:filstoerrelse") == [str(len(PDF))]
    assert text(root, f"{item}/a:referanseDokumentfil") == [document.file_name]
    assert text(root, "a:registrering/a:referanseEksternNoekkel/m:fagsystem") == ["Stafett"]
    assert text(root, "a:registrering/a:referanseEksternNoekkel/m:noekkel") == [copy.external_key]


def test_screening_defaults_to_offl_13_and_the_classes_follow_the_municipality_settings(cast, copy):
    root = parsed(build_message(copy, document_of(copy, PDF), settings_for(copy)))
    assert text(root, "a:registrering/a:skjerming/a:tilgangsrestriksjon/m:kode") == ["13"]
    assert text(root, "a:registrering/a:skjerming/a:skjermingshjemmel") == ["Offl. § 13, jf. fvl. § 13"]
    assert text(root, "a:registrering/a:klassifikasjon/a:klassifikasjonssystemID") == ["FNR"]
    assert text(root, "a:registrering/a:klassifikasjon/a:klasseID") == [cast.emma.national_id]

    ArchiveSettings.objects.create(
        municipality=cast.fjordvik,
        topic_class_system="KK",
        topic_class_id="B31",
        access_restriction="26",
        screening_authority="Offl. § 26 femte ledd",
        archive_part="BARNAKT",
    )
    root = parsed(build_message(copy, document_of(copy, PDF), settings_for(copy)))
    assert text(root, "a:registrering/a:klassifikasjon/a:klassifikasjonssystemID") == ["FNR", "KK"]
    assert text(root, "a:registrering/a:klassifikasjon/a:klasseID") == [cast.emma.national_id, "B31"]
    assert text(root, "a:registrering/a:skjerming/a:tilgangsrestriksjon/m:kode") == ["26"]
    assert text(root, "a:registrering/a:dokumentbeskrivelse/a:skjerming/a:skjermingshjemmel") == [
        "Offl. § 26 femte ledd"
    ]
    assert text(root, "a:registrering/a:arkivdel/m:kode") == ["BARNAKT"]


# --- The file drop and receipts ---------------------------------------------


def test_the_file_drop_writes_the_exact_package_and_the_copy_waits_for_its_receipt(copy, fiks_arkiv):
    assert deliver_pending() == 1
    [package] = packages(fiks_arkiv)
    xml = (package / MESSAGE_FILE).read_bytes()
    assert message_schema().is_valid(xml.decode())
    [pdf_name] = text(parsed(xml), "a:registrering/a:dokumentbeskrivelse/a:dokumentobjekt/a:referanseDokumentfil")
    assert (package / pdf_name).read_bytes() == PDF
    assert (package / HEADER_FILE).read_text().count("no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett") == 1
    copy.refresh_from_db()
    assert copy.status == DeliveryStatus.SENT
    assert copy.subject_national_id  # kept (encrypted) until the archive has it: a resend needs it


def test_a_receipt_marks_the_copy_archived_and_the_national_id_is_forgotten(copy, fiks_arkiv):
    deliver_pending()
    archive = SimulatedArchive(fiks_arkiv)
    archive.answer()
    run = read_receipts()
    assert (run.archived, run.rejected) == (1, 0)
    copy.refresh_from_db()
    assert copy.status == DeliveryStatus.ARCHIVED
    assert copy.archive_reference == "2026/1"
    assert copy.subject_national_id == ""
    assert list((fiks_arkiv / "innboks" / "behandlet").iterdir())
    assert undelivered_summary().ok


def test_a_resend_after_a_missing_receipt_has_the_same_external_key_and_is_archived_once(copy, fiks_arkiv):
    archive = SimulatedArchive(fiks_arkiv)
    deliver_pending()
    archive.answer()  # the archive files it, but its receipt is lost on the way
    for lost in (fiks_arkiv / "innboks").glob("*.xml"):
        lost.unlink()
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        assert resend_unanswered() == 1
        assert deliver_pending() == 1
    first, second = packages(fiks_arkiv)
    keys = [
        text(parsed((p / MESSAGE_FILE).read_bytes()), "a:registrering/a:referanseEksternNoekkel/m:noekkel")
        for p in (first, second)
    ]
    assert keys[0] == keys[1] == [copy.external_key]
    archive.answer()
    read_receipts()
    assert archive.journalposts == {copy.external_key: 1}  # one journalpost, not two
    copy.refresh_from_db()
    assert copy.status == DeliveryStatus.ARCHIVED
    # A late duplicate receipt changes nothing.
    (fiks_arkiv / "innboks" / f"{first.name}.xml").write_bytes(receipt(copy.external_key, number="99"))
    read_receipts()
    copy.refresh_from_db()
    assert copy.archive_reference == "2026/1"


def test_a_missing_receipt_is_sent_again_with_a_growing_wait_then_flagged(cast, copy, fiks_arkiv):
    deliver_pending()
    waits = []
    for _ in range(MAX_ATTEMPTS - 1):
        copy.refresh_from_db()
        waits.append(copy.receipt_due_at - copy.sent_at)
        with time_machine.travel(copy.receipt_due_at - timedelta(seconds=1)):
            assert resend_unanswered() == 0  # not before its time
        with time_machine.travel(copy.receipt_due_at + timedelta(seconds=1)):
            assert resend_unanswered() == 1
            deliver_pending()
    assert waits == sorted(waits) and waits[0] < waits[-1]
    copy.refresh_from_db()
    assert copy.attempts == MAX_ATTEMPTS
    with time_machine.travel(copy.receipt_due_at + timedelta(seconds=1)):
        assert resend_unanswered() == 0
        summary = undelivered_summary()
    copy.refresh_from_db()
    assert copy.status == DeliveryStatus.FAILED
    assert "Ingen kvittering" in copy.last_error
    assert len(packages(fiks_arkiv)) == MAX_ATTEMPTS  # bounded
    assert (summary.failed, summary.ok) == (1, False)
    told = Notification.objects.filter(kind=Kind.ARCHIVE_UNANSWERED)
    assert {n.recipient for n in told} == {cast.trude}


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"this is not xml <", "ikke gyldig XML"),
        (b'<?xml version="1.0"?><kvittering>ok</kvittering>', "følger ikke skjemaet"),
        (b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><x>&e;</x>", "ikke gyldig XML"),
    ],
)
def test_a_bad_receipt_is_set_aside_with_a_clear_reason_and_the_copy_is_untouched(copy, fiks_arkiv, content, reason):
    deliver_pending()
    [package] = packages(fiks_arkiv)
    (fiks_arkiv / "innboks" / f"{package.name}.xml").write_bytes(content)
    run = read_receipts()
    assert run.rejected == 1
    rejected = fiks_arkiv / "innboks" / "avvist"
    assert (rejected / f"{package.name}.xml").read_bytes() == content  # kept, for a person to look at
    assert reason in (rejected / f"{package.name}.feil.txt").read_text()
    copy.refresh_from_db()
    assert copy.status == DeliveryStatus.SENT  # still waiting: sent again if no good receipt comes


def test_a_receipt_for_an_unknown_copy_is_refused_by_name():
    with pytest.raises(BadReceipt, match="nøkkelen"):
        parse_receipt(receipt("stafett-other"), answers="stafett-mine--1234")


def test_an_archive_refusal_marks_the_copy_failed_with_the_archives_reason(copy, fiks_arkiv):
    deliver_pending()
    [package] = packages(fiks_arkiv)
    (fiks_arkiv / "innboks" / f"{package.name}.xml").write_bytes(refusal("Ukjent arkivdel"))
    assert read_receipts().refused == 1
    copy.refresh_from_db()
    assert copy.status == DeliveryStatus.FAILED
    assert "Ukjent arkivdel" in copy.last_error and "F-17" in copy.last_error
    assert copy.subject_national_id  # not archived: nothing forgotten


def test_the_receipt_examples_are_valid_receipts():
    assert receipt_schema().is_valid(receipt("k").decode())
    assert receipt_schema().is_valid(refusal("x").decode())


# --- Fiks IO ----------------------------------------------------------------


def test_fiks_io_says_plainly_it_is_not_connected_and_the_copy_stays_queued(copy, settings):
    settings.FIKS_IO = {
        "account_id": str(uuid.uuid4()),
        "integration_id": str(uuid.uuid4()),
        "integration_password_file": "/run/secrets/fiks-io-passord",
        "private_key_file": "/run/secrets/fiks-io.key",
        "certificate_file": "/run/secrets/virksomhet.p12",
    }
    ArchiveSettings.objects.create(municipality_id=copy.municipality_id, fiks_receiver_account=str(uuid.uuid4()))
    target = FiksArkivTarget(FiksIOTransport(FiksIOConfig.from_settings()))
    assert deliver_pending(target=target) == 0
    copy.refresh_from_db()
    assert copy.status == DeliveryStatus.PENDING
    assert "ikke koblet til" in copy.last_error


def test_fiks_io_names_the_settings_it_is_missing(settings):
    settings.FIKS_IO = {"account_id": "x"}
    with pytest.raises(ImproperlyConfigured, match="integration_id"):
        FiksIOConfig.from_settings()


# --- Settings in the admin ------------------------------------------------------


def test_the_system_administrator_sets_classes_and_screening_with_the_municipality_in_the_admin(client, cast):
    from stafett.audit.models import AuditEvent

    client.force_login(cast.trude)
    url = f"/admin/people/municipality/{cast.fjordvik.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Fiks Arkiv" in page.content.decode()
    fields = {
        k: v
        for k, v in {
            f.name: f.value()
            for f in page.context["adminform"].form
            if f.value() is not None and not isinstance(f.value(), bool)
        }.items()
    }
    fields.update({"archive_settings-TOTAL_FORMS": "1", "archive_settings-INITIAL_FORMS": "0"})
    fields.update({"archive_settings-MIN_NUM_FORMS": "0", "archive_settings-MAX_NUM_FORMS": "1"})
    fields.update(
        {
            "archive_settings-0-child_class_system": "FNR",
            "archive_settings-0-topic_class_system": "KK",
            "archive_settings-0-topic_class_id": "B31",
            "archive_settings-0-topic_class_title": "BTI",
            "archive_settings-0-access_restriction": "13",
            "archive_settings-0-screening_authority": "Offl. § 13, jf. fvl. § 13",
            "archive_settings-0-record_type": "X",
        }
    )
    response = client.post(url, fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ArchiveSettings.objects.get(municipality=cast.fjordvik).topic_class_id == "B31"
    row = AuditEvent.objects.filter(object_code=str(cast.fjordvik.code)).order_by("-seq").first()
    assert row is not None and "arkiv.topic_class_id" in row.details["felt"]


def test_an_employee_cannot_open_the_archive_settings(client, cast):
    client.force_login(cast.kari)
    response = client.get(f"/admin/people/municipality/{cast.fjordvik.pk}/change/")
    assert response.status_code in (302, 403, 404)
    assert "Fiks Arkiv" not in response.content.decode()


def test_the_message_stays_valid_after_weasyprint_takes_the_default_xml_prefix(copy):
    """WeasyPrint registers the empty prefix in ElementTree's shared registry when its PDF code is
    imported; xsi:type="journalpost" must still name the arkivmelding type."""
    import xml.etree.ElementTree as ET

    ET.register_namespace("", "")  # what weasyprint.pdf.metadata does at import
    xml = build_message(copy, document_of(copy, PDF), settings_for(copy))
    assert not list(message_schema().iter_errors(xml.decode()))
