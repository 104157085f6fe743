"""Yearly archive copies for children with an individual decision (enkeltvedtak):
no later than four weeks after the end of the kindergarten/school year (seeds/004 Arkivering).
Run daily; a copy is made once per log and school year.

If the daily job did not run in those four weeks, the next run still makes the copy — late,
and the holder and the municipality's system administrators are told (content-free), so
nobody believes the archive is complete when it was not on time."""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from stafett.archive.copies import make_archive_copy
from stafett.archive.models import ArchiveCopy, ArchiveEvent
from stafett.logs.models import LogStatus, RelayLog
from stafett.notify.events import tell
from stafett.notify.models import Kind
from stafett.people.models import Membership, Person, Role

WINDOW = timedelta(weeks=4)


def school_year_end(log: RelayLog, year: int) -> date:
    m = log.unit.municipality
    return date(year, m.school_year_ends_month, m.school_year_ends_day)


def due_year_end(log: RelayLog, today: date) -> date:
    """The end of the school year whose copy is due: this year's once it has passed, else last year's."""
    end = school_year_end(log, today.year)
    return end if end <= today else school_year_end(log, today.year - 1)


def is_late(end: date, today: date) -> bool:
    return today > end + WINDOW


def _flag_late(log: RelayLog, end: date) -> None:
    admins = Person.objects.filter(
        pk__in=Membership.objects.active()
        .filter(role=Role.SYSTEM_ADMIN, unit__municipality_id=log.unit.municipality_id)
        .values("person_id")
    ).order_by("pk")
    for person, path in [(log.holder, f"/logg/{log.code}/"), *((a, "/") for a in admins)]:
        key = f"arkiv_forsinket:{log.code}:{end.year}:{person.code}"
        tell(person, kind=Kind.ARCHIVE_LATE, path=path, dedupe_key=key)


def archive_yearly(today: date) -> int:
    """Make the copies due today, and those a missed run left behind; returns how many were made."""
    made = 0
    logs = RelayLog.objects.filter(has_individual_decision=True, status=LogStatus.ACTIVE).select_related(
        "unit__municipality", "subject", "holder"
    )
    last_copy = dict(
        ArchiveCopy.objects.filter(event=ArchiveEvent.YEARLY)
        .values("log_code")
        .annotate(last=Max("created_at"))
        .values_list("log_code", "last")
    )
    for log in logs:
        end = due_year_end(log, today)
        if timezone.localdate(log.created_at) > end:
            continue  # opened after that school year ended: its first copy is due next year
        last = last_copy.get(log.code)
        if last is not None and timezone.localdate(last) >= end:
            continue
        with transaction.atomic():
            make_archive_copy(relay_log=log, event=ArchiveEvent.YEARLY)
            if is_late(end, today):
                _flag_late(log, end)
        made += 1
    return made
