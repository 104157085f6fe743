"""Checking uploaded documents by their content, not their name (a renamed .exe is not a PDF)."""

import logging
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext as _

logger = logging.getLogger("stafett.storage")

DOCUMENT_TYPES = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}
IMAGE_TYPES = {"image/jpeg": ".jpg", "image/png": ".png"}


@dataclass(frozen=True)
class CheckedFile:
    content_type: str
    extension: str


def check_upload(file: UploadedFile, allowed: dict[str, str] = DOCUMENT_TYPES) -> CheckedFile:
    limit_mb = settings.MAX_UPLOAD_MB
    if file.size is not None and file.size > limit_mb * 1024 * 1024:
        raise ValidationError(_("Filen er for stor. Største tillatte størrelse er %(mb)s MB.") % {"mb": limit_mb})
    if not file.size:
        raise ValidationError(_("Filen er tom."))
    head = file.read(262)
    file.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in allowed:
        names = ", ".join(ext.lstrip(".").upper() for ext in dict.fromkeys(allowed.values()))
        if allowed is DOCUMENT_TYPES:
            message = _("Filen må være %(types)s. Skann eller ta bilde av det signerte skjemaet og prøv igjen.")
        else:
            message = _("Filen må være %(types)s.")
        raise ValidationError(message % {"types": names})
    return CheckedFile(content_type=kind.mime, extension=allowed[kind.mime])


class StoredFileMissing(Exception):
    """A row names a file that the storage no longer has (restored database, lost disk, bucket)."""


def open_stored(field: FieldFile) -> File:
    """Open a stored upload for reading, or raise StoredFileMissing (logged for the operator) —
    never a 500 page for the reader."""
    try:
        return field.open("rb")
    except (FileNotFoundError, OSError) as error:
        logger.error("Lagret fil mangler: %s (%s)", field.name, type(error).__name__)
        raise StoredFileMissing(field.name) from error
