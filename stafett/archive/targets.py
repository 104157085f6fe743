"""Where archive copies go. A directory by default; Fiks Arkiv (archive/fiks_arkiv.py) is the
other ArchiveTarget. A target whose `awaits_receipt` is true is done only when the archive's
receipt is read (archive/receipts.py); the directory is done when the files are written."""

import json
from pathlib import Path
from typing import Protocol

from django.conf import settings

from stafett.archive.models import ArchiveCopy


class ArchiveTarget(Protocol):
    def deliver(self, copy: ArchiveCopy, pdf: bytes) -> str:
        """Store the copy; return where it went. Raise to have it retried."""
        ...


class DirectoryTarget:
    """Writes `<external_key>.pdf` and `<external_key>.json` (the metadata) to a directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def deliver(self, copy: ArchiveCopy, pdf: bytes) -> str:
        self.directory.mkdir(parents=True, exist_ok=True)
        pdf_path = self.directory / f"{copy.external_key}.pdf"
        tmp = pdf_path.with_suffix(".pdf.part")
        tmp.write_bytes(pdf)
        tmp.replace(pdf_path)  # atomic: the archive never sees half a file
        (self.directory / f"{copy.external_key}.json").write_text(metadata_json(copy, pdf_path.name), encoding="utf-8")
        return str(pdf_path)


def metadata_json(copy: ArchiveCopy, filename: str) -> str:
    metadata = {
        "ekstern_nokkel": copy.external_key,
        "tittel": copy.title,
        "person": {"navn": copy.subject_name, "fodselsnummer": copy.subject_national_id},
        "tjenestested": copy.unit_name,
        "hendelse": copy.event,
        "hendelse_tekst": copy.get_event_display(),
        "dato": copy.created_at.isoformat(),
        "sha256": copy.sha256,
        "filnavn": filename,
        "format": "PDF/A-3b",
    }
    return json.dumps(metadata, ensure_ascii=False, indent=2)


class StorageTarget:
    """The same two files as DirectoryTarget, under `arkiv/` in the file storage (S3 in production,
    STAFETT_ARCHIVE_TARGET=storage): every app server and worker sees one store, no local path."""

    prefix = "arkiv"

    def deliver(self, copy: ArchiveCopy, pdf: bytes) -> str:
        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage

        name = f"{self.prefix}/{copy.external_key}.pdf"
        for old in (name, f"{self.prefix}/{copy.external_key}.json"):  # a retry writes the same names again
            if default_storage.exists(old):
                default_storage.delete(old)
        saved = default_storage.save(name, ContentFile(pdf))
        default_storage.save(f"{self.prefix}/{copy.external_key}.json", ContentFile(metadata_json(copy, saved)))
        return saved


def awaits_receipt(target: ArchiveTarget) -> bool:
    return bool(getattr(target, "awaits_receipt", False))


def configured_target() -> ArchiveTarget:
    if settings.ARCHIVE_TARGET == "directory":
        return DirectoryTarget(Path(settings.ARCHIVE_DIR))
    if settings.ARCHIVE_TARGET == "storage":
        return StorageTarget()
    if settings.ARCHIVE_TARGET == "fiks-arkiv":
        from stafett.archive.fiks_arkiv import FiksArkivTarget, configured_transport

        return FiksArkivTarget(configured_transport())
    raise ValueError(f"Unknown STAFETT_ARCHIVE_TARGET {settings.ARCHIVE_TARGET!r}")
