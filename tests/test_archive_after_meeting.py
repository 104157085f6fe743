"""Archive after every meeting (seeds/003 4.3, issue 15 §2), and the yearly copy caught up after
a missed window — late, and flagged to the holder and the system administrators."""

import io
from datetime import date, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from pypdf import PdfReader

from stafett.archive.models import ArchiveCopy, ArchiveEvent, DeliveryStatus
from stafett.archive.yearly import archive_yearly
from stafett.lib.demo_pdf import minimal_pdf
from stafett.logs import actions
from stafett.logs.actions import ConsentData
from stafett.logs.models import GOOD_MEETINGS_AGENDA, ChildAttends
from stafett.notify.models import Kind, Notification


@pytest.fixture(autouse=True)
def archive_dir(settings, tmp_path):
    settings.ARCHIVE_DIR = str(tmp_path / "arkiv")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    return tmp_path / "arkiv"


@pytest.fixture
def log(cast):
    consent = ConsentData(
        services=["barnehage", "helsestasjon"],
        signatories=[cast.silje],
        document=SimpleUploadedFile("s.pdf", minimal_pdf(), content_type="application/pdf"),
        collected_at_unit=cast.kindergarten,
        valid_until=timezone.localdate() + timedelta(days=3 * 365),
    )
    return actions.open_log(actor=cast.kari, subject=cast.emma, unit=cast.kindergarten, consent=consent)


def hold_meeting(cast, log, minutes="Vi avtalte å lese bildebok hver kveld."):
    meeting = actions.schedule_meeting(
        actor=cast.kari, log=log, starts_at=timezone.now(), place="Solsikken", agenda=GOOD_MEETINGS_AGENDA
    )
    return actions.record_minutes(
        actor=cast.kari,
        meeting=meeting,
        version=meeting.version,
        attendees=[cast.kari, cast.silje],
        minutes=minutes,
        next_meeting_date=None,
        child_attends=ChildAttends.NO,
    )


@pytest.mark.django_db(transaction=True)
def test_saving_minutes_makes_an_archive_copy_with_the_minutes(cast, log, archive_dir):
    assert not ArchiveCopy.objects.exists()  # opening a log is no archive moment
    hold_meeting(cast, log)
    copy = ArchiveCopy.objects.get(event=ArchiveEvent.MEETING)
    assert copy.log_code == log.code and copy.status == DeliveryStatus.DELIVERED  # rendered after commit
    pdf = (archive_dir / f"{copy.external_key}.pdf").read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Vi avtalte å lese bildebok hver kveld." in text and "Barnet/ungdommen deltok: Nei" in text


def test_no_copy_after_a_meeting_where_the_municipality_turned_it_off(cast, log):
    cast.fjordvik.archive_after_meeting = False
    cast.fjordvik.save()
    log.refresh_from_db()
    hold_meeting(cast, log)
    assert not ArchiveCopy.objects.filter(event=ArchiveEvent.MEETING).exists()


def test_archive_after_every_meeting_is_on_by_default(cast):
    assert cast.nabodal.archive_after_meeting is True


def yearly(day: date) -> int:
    with time_machine.travel(day, tick=False):
        return archive_yearly(timezone.localdate())


@pytest.fixture
def decided_log(cast):
    """A log opened in the spring for a child with an individual decision (enkeltvedtak)."""
    with time_machine.travel(date(2027, 3, 1), tick=False):
        consent = ConsentData(
            services=["barnehage"],
            signatories=[cast.silje],
            document=SimpleUploadedFile("s.pdf", minimal_pdf(), content_type="application/pdf"),
            collected_at_unit=cast.kindergarten,
            valid_until=date(2029, 12, 31),
        )
        log = actions.open_log(actor=cast.kari, subject=cast.emma, unit=cast.kindergarten, consent=consent)
        actions.update_overview(
            actor=cast.kari, log=log, version=log.version, changes={"has_individual_decision": True}
        )
    Notification.objects.all().delete()
    return log


def late_flags():
    return {n.recipient for n in Notification.objects.filter(kind=Kind.ARCHIVE_LATE)}


def test_missed_yearly_window_is_caught_up_by_the_next_run_and_flagged_late(cast, decided_log):
    # The daily job did not run between 20 June and 18 July 2027; it runs again in August.
    assert yearly(date(2027, 8, 9)) == 1
    assert ArchiveCopy.objects.filter(event=ArchiveEvent.YEARLY, log_code=decided_log.code).count() == 1
    assert late_flags() == {cast.kari, cast.trude}  # the holder and Fjordvik's system administrator
    flagged = Notification.objects.filter(kind=Kind.ARCHIVE_LATE)
    assert {n.path for n in flagged} == {f"/logg/{decided_log.code}/", "/"}  # content-free
    assert yearly(date(2027, 8, 10)) == 0  # caught up once, not every day after
    assert Notification.objects.filter(kind=Kind.ARCHIVE_LATE).count() == 2


def test_missed_window_is_caught_up_even_when_the_job_first_runs_in_the_new_year(cast, decided_log):
    assert yearly(date(2028, 1, 10)) == 1
    assert late_flags() == {cast.kari, cast.trude}
    assert yearly(date(2028, 6, 25)) == 1  # and the next year's copy comes on time
    assert Notification.objects.filter(kind=Kind.ARCHIVE_LATE).count() == 2


def test_yearly_copy_made_in_the_window_is_not_flagged(cast, decided_log):
    assert yearly(date(2027, 6, 19)) == 0  # the school year has not ended
    assert yearly(date(2027, 7, 18)) == 1  # four weeks after 20 June: still in time
    assert late_flags() == set()
