"""Yearly archive copies for children with an individual decision (enkeltvedtak):
no later than four weeks after the end of the kindergarten/school year (seeds/004 Arkivering).
Run daily; a copy is made once per log and school year."""

from datetime import date, timedelta

from django.db import transaction

from stafett.archive.copies import make_archive_copy
from stafett.archive.models import ArchiveCopy, ArchiveEvent
from stafett.logs.models import LogStatus, RelayLog

WINDOW = timedelta(weeks=4)


def school_year_end(log: RelayLog, year: int) -> date:
    m = log.unit.municipality
    return date(year, m.school_year_ends_month, m.school_year_ends_day)


def archive_yearly(today: date) -> int:
    """Make the copies due today; returns how many were made."""
    made = 0
    logs = RelayLog.objects.filter(has_individual_decision=True, status=LogStatus.ACTIVE).select_related(
        "unit__municipality", "subject", "holder"
    )
    done = set(
        ArchiveCopy.objects.filter(event=ArchiveEvent.YEARLY, created_at__year=today.year).values_list(
            "log_code", flat=True
        )
    )
    for log in logs:
        end = school_year_end(log, today.year)
        if end <= today <= end + WINDOW and log.code not in done:
            with transaction.atomic():
                make_archive_copy(relay_log=log, event=ArchiveEvent.YEARLY)
            made += 1
    return made
