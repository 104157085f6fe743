"""The archive's answers to Fiks Arkiv messages (`…arkivmelding.opprett.kvittering`).

With the file drop, the archive (or the person importing for it) puts the receipt as
`innboks/<package name>.xml` — the name says which message it answers, as Fiks IO's
`svarPaMelding` does. A receipt that files the journalpost marks the copy archived (and the
child's number, kept only for a resend, is emptied); one that says the archive refused it marks
the copy failed with the archive's reason. A file that is not a receipt, or answers no copy we
know, is moved aside with the reason beside it — the copy is untouched and nothing is lost.

A copy whose receipt does not come is sent again (same external key: the archive answers
«Eksisterende»), with a doubling wait, at most MAX_ATTEMPTS sends in all; then it is marked
failed, the municipality's system administrators are told, and the health check shows it."""

import logging
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import xmlschema
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from stafett.archive.arkivmelding import MDK, receipt_schema
from stafett.archive.copies import MAX_ATTEMPTS
from stafett.archive.fiks_arkiv import INBOX, external_key_of
from stafett.archive.models import ArchiveCopy, DeliveryStatus
from stafett.notify.events import tell
from stafett.notify.models import Kind
from stafett.people.models import Membership, Person, Role

log = logging.getLogger(__name__)
RECEIPT_NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/arkivmelding/opprett/kvittering/v1"
ERROR_NS = "https://ks-no.github.io/standarder/fiks-protokoll/fiks-arkiv/feil/feilmelding/v1"
DONE = "behandlet"
REJECTED = "avvist"
NO_RECEIPT = "Ingen kvittering fra arkivet etter {n} forsendelser."


class BadReceipt(ValueError):
    """The file is not a receipt Stafett can use; the message says why, in Norwegian."""


@dataclass(frozen=True)
class Receipt:
    external_key: str
    archived: bool
    reference: str = ""  # the archive's id for the journalpost
    existing: bool = False  # «Eksisterende»: the archive had it from an earlier send
    error: str = ""  # why the archive refused it


def parse_receipt(xml: bytes, *, answers: str) -> Receipt:
    """Read a receipt for the message named `answers` (a package name). Raises BadReceipt."""
    try:
        resource = xmlschema.XMLResource(xml, defuse="always")
        errors = list(receipt_schema().iter_errors(resource))
    except (xmlschema.XMLResourceError, ET.ParseError, ValueError) as e:
        raise BadReceipt(f"Filen er ikke gyldig XML: {e}") from e
    if errors:
        raise BadReceipt(f"Kvitteringen følger ikke skjemaet: {errors[0].reason}")
    root = resource.root  # parsed by xmlschema with entities and external references refused (defuse)
    key = external_key_of(answers)
    failed = root.find(f"{{{RECEIPT_NS}}}registreringFeilet")
    if failed is not None:
        reason = failed.findtext(f"{{{ERROR_NS}}}feilmelding", "")
        error_id = failed.findtext(f"{{{ERROR_NS}}}feilId", "")
        return Receipt(key, archived=False, error=f"Arkivet avviste arkivkopien: {reason} (feil-ID {error_id})")
    record = root.find(f"{{{RECEIPT_NS}}}registreringKvittering")
    if record is None:
        raise BadReceipt("Kvitteringen sier ingenting om journalposten (registreringKvittering mangler).")
    stated = record.findtext(f"{{{RECEIPT_NS}}}referanseEksternNoekkel/{{{MDK}}}noekkel")
    if stated is not None and stated != key:
        raise BadReceipt(f"Kvitteringen gjelder nøkkelen {stated}, men svarer på meldingen for {key}.")
    year = record.findtext(f"{{{RECEIPT_NS}}}journalaar")
    number = record.findtext(f"{{{RECEIPT_NS}}}journalsekvensnummer")
    reference = f"{year}/{number}" if year and number else record.findtext(f"{{{RECEIPT_NS}}}systemID", "")
    existing = record.findtext(f"{{{RECEIPT_NS}}}opprettetEllerEksisterende") == "Eksisterende"
    return Receipt(key, archived=True, reference=reference, existing=existing)


@transaction.atomic
def apply_receipt(receipt: Receipt) -> ArchiveCopy:
    """Mark the copy the receipt answers. A second receipt for an archived copy changes nothing."""
    copy = ArchiveCopy.objects.select_for_update().filter(external_key=receipt.external_key).first()
    if copy is None:
        raise BadReceipt(f"Ingen arkivkopi har nøkkelen {receipt.external_key}.")
    if copy.status == DeliveryStatus.ARCHIVED:
        return copy
    if receipt.archived:
        copy.status = DeliveryStatus.ARCHIVED
        copy.archived_at = timezone.now()
        copy.archive_reference = receipt.reference[:120]
        copy.subject_national_id = ""  # the archive has it now (issue 13 §4)
        copy.last_error = ""
        copy.receipt_due_at = None
    else:
        copy.status = DeliveryStatus.FAILED
        copy.last_error = receipt.error[:300]
        copy.receipt_due_at = None
        _tell_admins(copy)
    copy.save(
        update_fields=[
            "status",
            "archived_at",
            "archive_reference",
            "subject_national_id",
            "last_error",
            "receipt_due_at",
        ]
    )
    return copy


@dataclass(frozen=True)
class ReceiptRun:
    archived: int = 0
    refused: int = 0
    rejected: int = 0  # files that were not usable receipts, moved to innboks/avvist/

    def __str__(self) -> str:
        return f"{self.archived} arkivert, {self.refused} avvist av arkivet, {self.rejected} ugyldige kvitteringer"


def read_receipts(inbox: Path | None = None) -> ReceiptRun:
    """Read every receipt file in the file drop's inbox, oldest name first."""
    inbox = Path(inbox or Path(settings.FIKS_ARKIV_DIR) / INBOX)
    archived = refused = rejected = 0
    for path in sorted(inbox.glob("*.xml")) if inbox.is_dir() else []:
        try:
            copy = apply_receipt(parse_receipt(path.read_bytes(), answers=path.stem))
        except BadReceipt as e:
            log.error("Archive receipt %s rejected: %s", path.name, e)
            _move(path, inbox / REJECTED, reason=str(e))
            rejected += 1
            continue
        _move(path, inbox / DONE)
        if copy.status == DeliveryStatus.ARCHIVED:
            archived += 1
        else:
            refused += 1
    return ReceiptRun(archived, refused, rejected)


def _move(path: Path, folder: Path, *, reason: str = "") -> None:
    folder.mkdir(exist_ok=True)
    target = folder / path.name
    if target.exists():  # the same receipt twice: keep both
        target = folder / f"{path.stem}.{timezone.now():%Y%m%dT%H%M%S%f}{path.suffix}"
    path.replace(target)
    if reason:
        target.with_suffix(".feil.txt").write_text(reason + "\n", encoding="utf-8")


def resend_unanswered(now: datetime | None = None) -> int:
    """Copies whose receipt is overdue: queued to be sent again, or failed once MAX_ATTEMPTS is used."""
    now = now or timezone.now()
    overdue = ArchiveCopy.objects.filter(status=DeliveryStatus.SENT, receipt_due_at__lte=now)
    queued = 0
    for copy in overdue:
        if copy.attempts >= MAX_ATTEMPTS:
            with transaction.atomic():
                changed = ArchiveCopy.objects.filter(pk=copy.pk, status=DeliveryStatus.SENT).update(
                    status=DeliveryStatus.FAILED, last_error=NO_RECEIPT.format(n=copy.attempts), receipt_due_at=None
                )
                if changed:
                    _tell_admins(copy)
            continue
        # Back in the queue: deliver_pending() claims it and sends the same message again.
        queued += ArchiveCopy.objects.filter(pk=copy.pk, status=DeliveryStatus.SENT).update(
            status=DeliveryStatus.PENDING, last_error="Ingen kvittering ennå; sendes på nytt."
        )
    return queued


def check_receipts() -> ReceiptRun:
    """The worker's step (every minute): read the file drop's receipts, then resend what is overdue."""
    if settings.ARCHIVE_TARGET != "fiks-arkiv":
        return ReceiptRun()
    run = read_receipts() if settings.FIKS_ARKIV_TRANSPORT == "fildrop" else ReceiptRun()
    resend_unanswered()
    return run


def _tell_admins(copy: ArchiveCopy) -> None:
    """The municipality's system administrators are told (content-free) that a copy is not archived."""
    if copy.municipality_id is None:
        return
    admins = Person.objects.filter(
        pk__in=Membership.objects.active()
        .filter(role=Role.SYSTEM_ADMIN, unit__municipality_id=copy.municipality_id)
        .values("person_id")
    ).order_by("pk")
    for admin in admins:
        tell(admin, kind=Kind.ARCHIVE_UNANSWERED, path="/", dedupe_key=f"arkiv_ukvittert:{copy.code}:{admin.code}")
