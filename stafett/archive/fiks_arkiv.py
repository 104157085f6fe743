"""Fiks Arkiv as an ArchiveTarget: every archive copy becomes an arkivmelding package (the XML and
the PDF/A), handed to a transport. The copy is archived when the archive's receipt is read
(archive/receipts.py), not when it is sent.

Two transports, behind one small interface:
- FileDrop writes the exact package to a folder (`make run`, tests, or an archive that imports
  from a shared folder); receipts come back as files in an inbox folder.
- FiksIOTransport is KS's message service. It is documented and configured here, but not
  connected: Fiks IO's servers cannot be reached from where Stafett is built and tested, so it
  refuses to send (the copy stays queued and is reported) rather than pretend.
"""

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from stafett.archive.arkivmelding import MESSAGE_FILE, MESSAGE_TYPE, build_message, document_of
from stafett.archive.models import ArchiveCopy, ArchiveSettings

OUTBOX = "utboks"
INBOX = "innboks"
HEADER_FILE = "melding.json"
SEPARATOR = "--"  # between the copy's key and the message id in a package's name


@dataclass(frozen=True)
class MessagePackage:
    """One message as Fiks IO carries it: a type, an id of its own, the files."""

    message_type: str
    message_id: uuid.UUID  # new for every send
    external_key: str  # the copy's stable key: the same in every send of one copy
    receiver: str  # the archive's Fiks IO account (blank for a file drop)
    files: tuple[tuple[str, bytes], ...]

    @property
    def name(self) -> str:
        """The package's name; a file-drop receipt is named after the message it answers."""
        return f"{self.external_key}{SEPARATOR}{self.message_id}"


class Transport(Protocol):
    def send(self, package: MessagePackage) -> str:
        """Hand the package over; return where it went. Raise to have it sent again later."""
        ...


class TransportUnavailable(RuntimeError):
    pass


def external_key_of(package_name: str) -> str:
    """The copy's key from a package's (or its receipt file's) name."""
    return package_name.rsplit(SEPARATOR, 1)[0]


class FileDrop:
    """Writes `utboks/<key>--<message id>/` with arkivmelding.xml, the PDF and melding.json (the
    Fiks IO headers). The folder appears whole (written under a dot name, then renamed)."""

    def __init__(self, directory: Path) -> None:
        self.outbox = Path(directory) / OUTBOX
        self.inbox = Path(directory) / INBOX

    def send(self, package: MessagePackage) -> str:
        self.outbox.mkdir(parents=True, exist_ok=True)
        self.inbox.mkdir(parents=True, exist_ok=True)
        final = self.outbox / package.name
        partial = self.outbox / f".{package.name}.part"
        partial.mkdir()
        for file_name, content in package.files:
            (partial / file_name).write_bytes(content)
        header = {
            "meldingstype": package.message_type,
            "meldingId": str(package.message_id),
            "klientMeldingId": package.external_key,
            "mottakerKontoId": package.receiver,
            "filer": [file_name for file_name, _ in package.files],
        }
        (partial / HEADER_FILE).write_text(json.dumps(header, ensure_ascii=False, indent=2), encoding="utf-8")
        partial.rename(final)
        return str(final)


@dataclass(frozen=True)
class FiksIOConfig:
    """What a Fiks IO client needs (KS: «Fiks IO», integrasjon in Fiks Forvaltning)."""

    account_id: str  # Stafett's own Fiks IO account (kontoId, UUID)
    integration_id: str  # the integration that may use the account
    integration_password_file: Path
    private_key_file: Path  # the account's private key: decrypts replies (receipts)
    certificate_file: Path  # the organisation certificate: signs the package, Maskinporten token (ks:fiks)

    @classmethod
    def from_settings(cls) -> "FiksIOConfig":
        values = settings.FIKS_IO
        missing = [name for name in cls.__dataclass_fields__ if not values.get(name)]
        if missing:
            raise ImproperlyConfigured(f"Fiks IO mangler innstillinger: {', '.join(missing)} (README «Fiks Arkiv»)")
        return cls(
            account_id=values["account_id"],
            integration_id=values["integration_id"],
            integration_password_file=Path(values["integration_password_file"]),
            private_key_file=Path(values["private_key_file"]),
            certificate_file=Path(values["certificate_file"]),
        )


class FiksIOTransport:
    """Sends the package as an ASiC-E over Fiks IO — not connected (see the module's docstring)."""

    def __init__(self, config: FiksIOConfig) -> None:
        self.config = config

    def send(self, package: MessagePackage) -> str:
        if not package.receiver:
            raise TransportUnavailable("Kommunen har ikke oppgitt arkivets Fiks IO-konto (arkivinnstillinger).")
        raise TransportUnavailable(
            "Fiks IO er ikke koblet til i denne versjonen av Stafett: KS' tjenere kan ikke nås herfra. "
            "Bruk fildrop (STAFETT_FIKS_ARKIV_TRANSPORT=fildrop)."
        )


def settings_for(copy: ArchiveCopy) -> ArchiveSettings:
    """The municipality's archive settings, or the defaults if it has none."""
    if copy.municipality_id is None:  # a copy from before municipalities had settings
        return ArchiveSettings()
    found = ArchiveSettings.objects.filter(municipality_id=copy.municipality_id).first()
    return found or ArchiveSettings(municipality_id=copy.municipality_id)


class FiksArkivTarget:
    """An ArchiveTarget whose copies are done only when the archive's receipt is read."""

    awaits_receipt = True

    def __init__(self, transport: Transport) -> None:
        self.transport = transport

    def package_for(self, copy: ArchiveCopy, pdf: bytes) -> MessagePackage:
        archive_settings = settings_for(copy)
        document = document_of(copy, pdf)
        xml = build_message(copy, document, archive_settings)  # validated against the schema
        return MessagePackage(
            message_type=MESSAGE_TYPE,
            message_id=uuid.uuid4(),
            external_key=copy.external_key,
            receiver=archive_settings.fiks_receiver_account,
            files=((MESSAGE_FILE, xml), (document.file_name, pdf)),
        )

    def deliver(self, copy: ArchiveCopy, pdf: bytes) -> str:
        return self.transport.send(self.package_for(copy, pdf))


def configured_transport() -> Transport:
    if settings.FIKS_ARKIV_TRANSPORT == "fildrop":
        return FileDrop(Path(settings.FIKS_ARKIV_DIR))
    if settings.FIKS_ARKIV_TRANSPORT == "fiks-io":
        return FiksIOTransport(FiksIOConfig.from_settings())
    raise ImproperlyConfigured(f"Ukjent STAFETT_FIKS_ARKIV_TRANSPORT {settings.FIKS_ARKIV_TRANSPORT!r}")
