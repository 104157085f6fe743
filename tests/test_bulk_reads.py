"""Bulk-read awareness (issue 13 §10): lists never return more than a page, and an account that
reads many logs in an hour is reported to the system administrators (core/bulk_reads.py)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from stafett.audit.models import AuditAction, AuditEvent
from stafett.core import tasks
from stafett.core.bulk_reads import bulk_reads, report_bulk_reads
from stafett.logs.models import RelayLog
from stafett.notify.models import Kind, Notification
from stafett.people import actions
from stafett.people.actions import PersonData, StaffEntry
from stafett.people.models import Person, Role, Unit

# --- Lists page their results --------------------------------------------------


def add_staff(cast, count):
    for i in range(count):
        entry = StaffEntry(
            person=PersonData(given_name=f"Ansatt{i:02}", family_name="Aasen", email=f"a{i}@fjordvik.example"),
            role=Role.EMPLOYEE,
            title="assistent",
        )
        actions.add_staff(actor=cast.berit, unit=cast.kindergarten, entry=entry)


def staff_rows(html: str) -> int:
    return html.count("@fjordvik.example</td>") + html.count("@fjordvik.example<br>")


def test_staff_list_shows_at_most_one_page_with_links_to_the_others(client, cast, settings):
    settings.PAGE_SIZE = 5
    add_staff(cast, 10)  # 12 on the list with Berit and Kari
    client.force_login(cast.berit)
    url = reverse("people:staff", args=[cast.kindergarten.code])
    first = client.get(url).content.decode()
    assert staff_rows(first) == 5
    assert "Ansattlisten (12)" in first and "Side 1 av 3" in first
    assert f'href="{url}?side=2" rel="next">Neste side' in first and "Forrige side" not in first
    assert '<nav class="pager" aria-label="Sider i ansattlisten">' in first
    last = client.get(url, {"side": 3}).content.decode()
    assert staff_rows(last) == 2
    assert f'href="{url}?side=2" rel="prev">Forrige side' in last and "Neste side" not in last


@pytest.mark.parametrize("asked, shown", [("abc", 1), ("", 1), ("0", 3), ("-1", 3), ("99999999999999999999999", 3)])
def test_a_bad_page_number_gives_the_first_or_last_page(client, cast, settings, asked, shown):
    settings.PAGE_SIZE = 5
    add_staff(cast, 10)
    client.force_login(cast.berit)
    response = client.get(reverse("people:staff", args=[cast.kindergarten.code]), {"side": asked})
    assert response.status_code == 200
    assert f"Side {shown} av 3" in response.content.decode()


def test_a_short_list_has_no_page_links(client, cast):
    client.force_login(cast.berit)
    html = client.get(reverse("people:staff", args=[cast.kindergarten.code])).content.decode()
    assert "Ansattlisten (2)" in html and 'class="pager"' not in html


def test_the_list_of_units_pages_too(client, cast, settings):
    settings.PAGE_SIZE = 3
    client.force_login(cast.trude)
    url = reverse("people:units")
    first = client.get(url).content.decode()
    count = Unit.objects.filter(municipality=cast.fjordvik).count()  # trude sees Fjordvik's units
    assert first.count("Ansattliste<span") == 3
    assert f"Side 1 av {-(-count // 3)}" in first and f'href="{url}?side=2"' in first


def test_the_person_register_finds_one_person_and_never_lists(client, cast):
    client.force_login(cast.trude)
    html = client.get(reverse("people:person_search")).content.decode()
    assert cast.emma.full_name not in html and cast.silje.full_name not in html


# --- Many logs read in one hour ------------------------------------------------


def make_logs(cast, count, unit=None):
    logs = []
    for _ in range(count):
        child = Person.objects.create(given_name="Barn", family_name="Testesen")
        logs.append(RelayLog.objects.create(subject=child, unit=unit or cast.kindergarten, holder=cast.kari))
    return logs


def read(client, logs):
    for log in logs:
        assert client.get(reverse("logs:detail", args=[log.code])).status_code == 200


def next_hour():
    """The hour now running is not full yet: the report looks at it an hour from now."""
    return timezone.now() + timedelta(hours=1)


def reports():
    return Notification.objects.filter(kind=Kind.BULK_READ)


def test_an_account_reading_more_logs_than_the_limit_in_an_hour_is_reported_to_its_administrators(
    client, cast, settings
):
    settings.BULK_READ_LOGS_PER_HOUR = 2
    client.force_login(cast.kari)
    read(client, make_logs(cast, 3))
    assert report_bulk_reads(next_hour()) == 1
    # Fjordvik's system administrator; not Nabodal's, whose municipality Kari does not work in.
    assert {n.recipient for n in reports()} == {cast.trude}
    notification = reports().get()
    assert notification.path == "/"
    assert "Kari" not in notification.get_kind_display()


def test_the_same_bulk_read_is_reported_once(client, cast, settings):
    settings.BULK_READ_LOGS_PER_HOUR = 2
    client.force_login(cast.kari)
    read(client, make_logs(cast, 3))
    report_bulk_reads(next_hour())
    report_bulk_reads(next_hour() + timedelta(minutes=10))  # the next run, and the daily job, find it again
    assert reports().count() == 1


def test_reading_up_to_the_limit_or_one_log_often_is_not_reported(client, cast, settings):
    settings.BULK_READ_LOGS_PER_HOUR = 2
    client.force_login(cast.kari)
    logs = make_logs(cast, 2)
    read(client, logs + logs + logs)
    assert bulk_reads(next_hour()) == []
    assert report_bulk_reads(next_hour()) == 0
    assert not reports().exists()


def test_reads_in_the_hour_still_running_wait_for_the_next_run(client, cast, settings):
    settings.BULK_READ_LOGS_PER_HOUR = 2
    client.force_login(cast.kari)
    now = timezone.now()
    read(client, make_logs(cast, 3))
    assert report_bulk_reads(now) == 0


def test_the_logs_municipality_hears_of_an_account_from_elsewhere(client, cast, settings):
    settings.BULK_READ_LOGS_PER_HOUR = 2
    nabodal_unit = Unit.objects.create(municipality=cast.nabodal, name="Nabodal skole", service_type="skole")
    logs = make_logs(cast, 3, unit=nabodal_unit)
    client.force_login(cast.kari)
    read(client, logs)
    report_bulk_reads(next_hour())
    assert {n.recipient for n in reports()} == {cast.trude, cast.ola_admin}


def test_the_hourly_task_reports_what_the_last_hour_read(cast, settings):
    settings.BULK_READ_LOGS_PER_HOUR = 2
    an_hour_ago = timezone.now() - timedelta(hours=1)
    for log in make_logs(cast, 3):
        AuditEvent.objects.create(
            at=an_hour_ago.replace(minute=30),
            actor_code=cast.kari.code,
            actor_name=cast.kari.full_name,
            action=AuditAction.LOG_VIEWED.value,
            object_type="logs.relaylog",
            object_code=str(log.code),
            scope_code=log.code,
        )
    tasks.hourly.call_local()
    assert {n.recipient for n in reports()} == {cast.trude}
