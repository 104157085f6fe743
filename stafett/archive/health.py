"""For the health check (/helse/full/): archive copies that have not reached the archive.
Counts only — no titles, names or keys."""

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Min
from django.utils import timezone

from stafett.archive.models import ArchiveCopy, DeliveryStatus

# A copy still on its way after this long is worth a look, even while it is being retried.
STALE_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class UndeliveredSummary:
    pending: int  # queued, not sent yet (or queued again after a missing receipt)
    awaiting_receipt: int  # sent to Fiks Arkiv, no receipt read yet
    overdue_receipt: int  # of those, waited longer than promised
    failed: int  # given up on, or refused by the archive: needs a person
    stale: int  # pending or awaiting a receipt for longer than STALE_AFTER
    oldest_undelivered_at: datetime | None

    @property
    def ok(self) -> bool:
        return self.failed == 0 and self.stale == 0

    def as_dict(self) -> dict[str, object]:
        found = asdict(self)
        found["oldest_undelivered_at"] = self.oldest_undelivered_at.isoformat() if self.oldest_undelivered_at else None
        found["ok"] = self.ok
        return found


def undelivered_summary(now: datetime | None = None) -> UndeliveredSummary:
    """How many archive copies are not yet archived, in three small queries."""
    now = now or timezone.now()
    open_statuses = [DeliveryStatus.PENDING, DeliveryStatus.SENT]
    counts = dict(
        ArchiveCopy.objects.filter(status__in=[*open_statuses, DeliveryStatus.FAILED])
        .order_by()  # no ordering fields in the GROUP BY
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    still_open = ArchiveCopy.objects.filter(status__in=open_statuses)
    return UndeliveredSummary(
        pending=counts.get(DeliveryStatus.PENDING, 0),
        awaiting_receipt=counts.get(DeliveryStatus.SENT, 0),
        overdue_receipt=ArchiveCopy.objects.filter(status=DeliveryStatus.SENT, receipt_due_at__lt=now).count(),
        failed=counts.get(DeliveryStatus.FAILED, 0),
        stale=still_open.filter(created_at__lt=now - STALE_AFTER).count(),
        oldest_undelivered_at=still_open.aggregate(oldest=Min("created_at"))["oldest"],
    )
