"""The Fiks Arkiv message for one archive copy: an `arkivmelding` (message type
`no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett`) holding one `journalpost` with the
PDF/A as its main document, valid against KS's schema (vendored in schemas/fiks-arkiv-v1/).

The same copy always gives the same message (nothing in it depends on when it is built), so a
copy sent again after a missing receipt carries the same `referanseEksternNoekkel`, and the
archive answers «Eksisterende» instead of filing it twice."""

import functools
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import xmlschema
from django.utils import timezone

from stafett.archive.models import ArchiveCopy, ArchiveSettings

MESSAGE_TYPE = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett"
RECEIPT_TYPE = "no.ks.fiks.arkiv.v1.arkivering.arkivmelding.opprett.kvittering"
SYSTEM = "Stafett"  # `system` and the `fagsystem` of every external key
MESSAGE_FILE = "arkivmelding.xml"

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas" / "fiks-arkiv-v1"
NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/v1"
MDK = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/metadatakatalog/v1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
# Prefixes for the two other namespaces. The message's own namespace is the default one, given
# to tostring() itself: `xsi:type="journalpost"` names a type in it, and ElementTree's global
# prefix registry is shared — WeasyPrint registers "" for its PDF metadata when it is imported.
ET.register_namespace("n5mdk", MDK)
ET.register_namespace("xsi", XSI)

# Noark 5 codes (kode, beskrivelse).
MAIN_DOCUMENT = ("H", "Hoveddokument")
ARCHIVE_VARIANT = ("A", "Arkivformat")
PDF_A_3B = ("fmt/480", "PDF/A-3b")  # PRONOM, the format register Noark 5 points to
DOCUMENT_FINISHED = ("F", "Dokumentet er ferdigstilt")
RECORD_TYPES = {"X": "Organinternt dokument uten oppfølging", "N": "Organinternt dokument for oppfølging"}


class InvalidMessage(ValueError):
    """The message does not follow KS's schema: a fault in Stafett or its settings, not the archive's."""


@functools.cache
def message_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(SCHEMA_DIR / f"{MESSAGE_TYPE}.xsd")


@functools.cache
def receipt_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(SCHEMA_DIR / f"{RECEIPT_TYPE}.xsd")


def validate_message(xml: bytes) -> None:
    """Raise InvalidMessage with the schema's reason unless `xml` is a valid arkivmelding."""
    errors = list(message_schema().iter_errors(xml.decode("utf-8")))
    if errors:
        raise InvalidMessage(f"Arkivmeldingen følger ikke skjemaet: {errors[0].reason} ({errors[0].path})")


@dataclass(frozen=True)
class Document:
    """The PDF/A as it goes in the package."""

    file_name: str
    content: bytes
    sha256: str


def document_of(copy: ArchiveCopy, pdf: bytes) -> Document:
    import hashlib

    return Document(f"{copy.external_key}.pdf", pdf, copy.sha256 or hashlib.sha256(pdf).hexdigest())


def public_title(copy: ArchiveCopy) -> str:
    """The title with the child's name screened, as the public record (offentlig journal) shows it."""
    return copy.title.replace(copy.subject_name, "*****") if copy.subject_name else copy.title


def build_message(copy: ArchiveCopy, document: Document, settings: ArchiveSettings) -> bytes:
    """The arkivmelding XML (UTF-8) for `copy`, its PDF described as `document`."""
    root = ET.Element(_q("arkivmelding"))
    _text(root, "system", SYSTEM)
    _text(root, "antallFiler", "1")
    record = ET.SubElement(root, _q("registrering"), {f"{{{XSI}}}type": "journalpost"})
    if settings.archive_part:
        _code(record, "arkivdel", (settings.archive_part, ""))
    _party(record, copy)
    _screening(record, settings)
    _document(record, copy, document, settings)
    _text(record, "tittel", copy.title)
    _text(record, "offentligTittel", public_title(copy))
    _text(record, "beskrivelse", f"{copy.get_event_display()}. Tjenestested: {copy.unit_name}.")
    _classes(record, copy, settings)
    _external_key(record, copy.external_key)
    _code(record, "journalposttype", (settings.record_type, RECORD_TYPES.get(settings.record_type, "")))
    _text(record, "dokumentetsDato", timezone.localdate(copy.created_at).isoformat())
    ET.indent(root)
    xml = ET.tostring(root, encoding="utf-8", xml_declaration=True, default_namespace=NS)
    validate_message(xml)
    return xml


def _q(name: str, ns: str = NS) -> str:
    return f"{{{ns}}}{name}"


def _text(parent: ET.Element, name: str, value: str, ns: str = NS) -> ET.Element:
    element = ET.SubElement(parent, _q(name, ns))
    element.text = value
    return element


def _code(parent: ET.Element, name: str, code: tuple[str, str]) -> None:
    """A Fiks Arkiv `kode` (M800): the code and, if known, what it means."""
    element = ET.SubElement(parent, _q(name))
    _text(element, "kode", code[0], MDK)
    if code[1]:
        _text(element, "beskrivelse", code[1], MDK)


def _external_key(parent: ET.Element, key: str) -> None:
    element = ET.SubElement(parent, _q("referanseEksternNoekkel"))
    _text(element, "fagsystem", SYSTEM, MDK)
    _text(element, "noekkel", key, MDK)


def _screening(parent: ET.Element, settings: ArchiveSettings) -> None:
    element = ET.SubElement(parent, _q("skjerming"))
    _code(element, "tilgangsrestriksjon", (settings.access_restriction, ""))
    _text(element, "skjermingshjemmel", settings.screening_authority)


def _party(parent: ET.Element, copy: ArchiveCopy) -> None:
    """The child the log is about, screened."""
    party = ET.SubElement(parent, _q("part"))
    _text(party, "partNavn", copy.subject_name)
    _code(party, "partRolle", ("BARN", "Barnet eller ungdommen loggen gjelder"))
    if copy.subject_national_id:
        person = ET.SubElement(party, _q("personID"))
        _text(person, "landkode", "NO")
        _text(person, "identifikator", copy.subject_national_id)
    _text(party, "erSkjermet", "true")
    _text(party, "erPersonnavn", "true")


def _document(parent: ET.Element, copy: ArchiveCopy, document: Document, settings: ArchiveSettings) -> None:
    description = ET.SubElement(parent, _q("dokumentbeskrivelse"))
    _code(description, "dokumentstatus", DOCUMENT_FINISHED)
    _text(description, "tittel", copy.title)
    _code(description, "tilknyttetRegistreringSom", MAIN_DOCUMENT)
    _text(description, "dokumentnummer", "1")
    _screening(description, settings)
    item = ET.SubElement(description, _q("dokumentobjekt"))
    _text(item, "versjonsnummer", "1")
    _code(item, "variantformat", ARCHIVE_VARIANT)
    _code(item, "format", PDF_A_3B)
    _text(item, "mimeType", "application/pdf")
    _text(item, "filnavn", f"Stafettlogg {timezone.localdate(copy.created_at):%Y-%m-%d}.pdf")
    _text(item, "referanseDokumentfil", document.file_name)
    _text(item, "sjekksum", document.sha256)
    _text(item, "sjekksumAlgoritme", "SHA-256")
    _text(item, "filstoerrelse", str(len(document.content)))


def _classes(parent: ET.Element, copy: ArchiveCopy, settings: ArchiveSettings) -> None:
    if settings.child_class_system and copy.subject_national_id:
        child = ET.SubElement(parent, _q("klassifikasjon"))
        _text(child, "klassifikasjonssystemID", settings.child_class_system)
        _text(child, "klasseID", copy.subject_national_id)
        _text(child, "erSkjermet", "true")
    if settings.topic_class_id:
        topic = ET.SubElement(parent, _q("klassifikasjon"))
        if settings.topic_class_system:
            _text(topic, "klassifikasjonssystemID", settings.topic_class_system)
        _text(topic, "klasseID", settings.topic_class_id)
        if settings.topic_class_title:
            _text(topic, "tittel", settings.topic_class_title)
