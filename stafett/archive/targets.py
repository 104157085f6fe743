"""Where archive copies go. A directory by default; a Noark 5 archive service
(e.g. through its REST API) is another ArchiveTarget with the same method."""

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
        metadata = {
            "ekstern_nokkel": copy.external_key,
            "tittel": copy.title,
            "person": {"navn": copy.subject_name, "fodselsnummer": copy.subject_national_id},
            "tjenestested": copy.unit_name,
            "hendelse": copy.event,
            "hendelse_tekst": copy.get_event_display(),
            "dato": copy.created_at.isoformat(),
            "sha256": copy.sha256,
            "filnavn": pdf_path.name,
            "format": "PDF/A-3b",
        }
        (self.directory / f"{copy.external_key}.json").write_text(
            json.dumps(metadata, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        return str(pdf_path)


def configured_target() -> ArchiveTarget:
    if settings.ARCHIVE_TARGET == "directory":
        return DirectoryTarget(Path(settings.ARCHIVE_DIR))
    raise ValueError(f"Unknown STAFETT_ARCHIVE_TARGET {settings.ARCHIVE_TARGET!r}")
