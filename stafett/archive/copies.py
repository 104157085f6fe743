"""Making archive copies (inside the action's transaction) and delivering them (after commit, and retried)."""

import hashlib
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from stafett.archive.models import ArchiveCopy, ArchiveEvent, DeliveryStatus
from stafett.archive.pdf import html_to_pdf, log_html
from stafett.archive.targets import ArchiveTarget, awaits_receipt, configured_target
from stafett.logs.models import RelayLog

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


def make_archive_copy(*, relay_log: RelayLog, event: ArchiveEvent) -> ArchiveCopy:
    """Freeze the log as it is now and queue it for the archive (rendered to PDF/A on delivery)."""
    now = timezone.now()
    # The copy is in the municipality's målform (issue 10), whoever's page led to it.
    with translation.override(relay_log.unit.municipality.language or "nb"):
        title = _("Stafettlogg – %(name)s – %(event)s %(date)s") % {
            "name": relay_log.subject.full_name,
            "event": event.label,
            "date": f"{timezone.localdate():%d.%m.%Y}",
        }
        html_snapshot = log_html(relay_log, reason=str(event.label))
    copy = ArchiveCopy(
        log_code=relay_log.code,
        event=event,
        title=title,
        subject_name=relay_log.subject.full_name,
        subject_national_id=relay_log.subject.national_id or "",
        unit_name=relay_log.unit.name,
        municipality_id=relay_log.unit.municipality_id,
        html_snapshot=html_snapshot,
        # The copy's own code too: two archive moments in one action (minutes, then a handover) share a clock tick.
        external_key=f"stafett-{relay_log.code}-{event.value}-{now:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}",
    )
    copy.save()
    # Delivered after commit; if that fails or the process dies, deliver_pending() retries.
    transaction.on_commit(lambda: deliver_pending(only=[copy.pk]))
    return copy


def deliver_pending(*, only: list[int] | None = None, target: ArchiveTarget | None = None) -> int:
    """Deliver queued copies; returns how many were delivered. Safe to run from several processes."""
    target = target or configured_target()
    pending = ArchiveCopy.objects.filter(status=DeliveryStatus.PENDING)
    if only is not None:
        pending = pending.filter(pk__in=only)
    delivered = 0
    for copy in pending.order_by("created_at"):
        # Claim the row with a conditional UPDATE so two workers never deliver it twice.
        claimed = ArchiveCopy.objects.filter(pk=copy.pk, status=DeliveryStatus.PENDING, attempts=copy.attempts).update(
            attempts=F("attempts") + 1
        )
        if not claimed:
            continue
        try:
            where = target.deliver(copy, _pdf_of(copy))
        except Exception as e:  # noqa: BLE001 - any failure is retried, then reported
            log.warning("Archive delivery of %s failed: %s", copy.external_key, e)
            status = DeliveryStatus.FAILED if copy.attempts + 1 >= MAX_ATTEMPTS else DeliveryStatus.PENDING
            ArchiveCopy.objects.filter(pk=copy.pk).update(status=status, last_error=str(e)[:300])
            continue
        delivered += 1
        if awaits_receipt(target):
            # Not done until the archive's receipt is read; a resend needs the number, so it stays (encrypted).
            sent_at = timezone.now()
            ArchiveCopy.objects.filter(pk=copy.pk).update(
                status=DeliveryStatus.SENT,
                sent_at=sent_at,
                receipt_due_at=sent_at + receipt_wait(copy.attempts + 1),
                delivered_to=where[:300],
                last_error="",
            )
            continue
        # The archive has the number now; nothing in Stafett needs the copy's (issue 13 §4).
        ArchiveCopy.objects.filter(pk=copy.pk).update(
            status=DeliveryStatus.DELIVERED,
            delivered_at=timezone.now(),
            delivered_to=where[:300],
            last_error="",
            subject_national_id="",
        )
    return delivered


def receipt_wait(sends: int) -> timedelta:
    """How long to wait for the archive's receipt after the n-th send: doubling, at most a day."""
    first = timedelta(minutes=settings.ARCHIVE_RECEIPT_WAIT_MINUTES)
    return min(first * 2 ** max(0, sends - 1), timedelta(days=1))


def _pdf_of(copy: ArchiveCopy) -> bytes:
    """Render once; a retry after a failed delivery sends the same bytes."""
    if copy.pdf:
        with copy.pdf.open("rb") as f:
            return f.read()
    pdf = html_to_pdf(copy.html_snapshot, identifier=copy.log_code.hex)
    copy.sha256 = hashlib.sha256(pdf).hexdigest()
    copy.pdf.save(f"{copy.external_key}.pdf", ContentFile(pdf), save=False)
    ArchiveCopy.objects.filter(pk=copy.pk).update(pdf=copy.pdf.name, sha256=copy.sha256)
    return pdf
