"""Municipality statistics (issue 5): aggregate counts only, small counts hidden everywhere.

The logs here are built straight in the database: the statistics read what the
actions left behind (created_at, closed_at, meetings, evaluations, consents),
and each test needs many logs at chosen dates.
"""

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from stafett.logs.models import (
    Arena,
    CloseReason,
    Consent,
    Decision,
    Evaluation,
    Goal,
    LevelChange,
    LogStatus,
    Measure,
    MeasureCategory,
    Meeting,
    RelayLog,
    ResponsibleKind,
)
from stafett.people.models import Person
from stafett.stats.queries import Period, statistics
from stafett.stats.suppression import Cell, Hidden, share, suppress_partition

YEAR = date.today().year - 1  # a whole year that is over: nothing depends on today's date
URL = reverse("stats:statistics")
CSV_URL = reverse("stats:csv")


def at(month: int, day: int = 10, hour: int = 12) -> datetime:
    return datetime(YEAR, month, day, hour, tzinfo=timezone.get_current_timezone())


def make_logs(cast, count, *, unit=None, opened=None, closed=None, reason=CloseReason.GOALS_MET, level=1):
    """`count` logs at `unit`, each about a new child, opened (and perhaps closed) at the given times."""
    unit = unit or cast.kindergarten
    logs = []
    for _ in range(count):
        child = Person.objects.create(given_name="Barn", family_name="Testesen")
        log = RelayLog.objects.create(subject=child, unit=unit, holder=cast.kari, level=level)
        LevelChange.objects.create(log=log, level=level, changed_by_name="Kari Lunde")
        fields = {"created_at": opened or at(3)}
        if closed:
            fields |= {"status": LogStatus.CLOSED, "closed_at": closed, "closed_reason": reason}
        RelayLog.objects.filter(pk=log.pk).update(**fields)
        logs.append(log)
    return logs


def make_measure(cast, log, *, evaluation_date, evaluated_on=None):
    goal = Goal.objects.create(log=log, arena=Arena.HOME, text="Et mål")
    measure = Measure.objects.create(
        log=log,
        goal=goal,
        what="Et tiltak",
        category=MeasureCategory.SPRAK,
        responsible_kind=ResponsibleKind.GUARDIAN,
        responsible=cast.silje,
        deadline=evaluation_date - timedelta(days=7),
        evaluation_date=evaluation_date,
    )
    if evaluated_on:
        evaluation = Evaluation.objects.create(
            measure=measure, carried_out=True, decision=Decision.CONTINUE, author=cast.silje
        )
        Evaluation.objects.filter(pk=evaluation.pk).update(
            created_at=datetime.combine(evaluated_on, datetime.min.time(), tzinfo=timezone.get_current_timezone())
        )
    return measure


def make_consent(cast, log, *, valid_until, recorded=None):
    consent = Consent.objects.create(
        log=log,
        valid_from=valid_until - timedelta(days=700),
        valid_until=valid_until,
        collected_by=cast.kari,
        collected_at_unit=cast.kindergarten,
    )
    if recorded:
        Consent.objects.filter(pk=consent.pk).update(created_at=recorded)
    return consent


def year_stats(cast, municipality=None, *, by_quarter=False):
    return statistics(municipality or cast.fjordvik, Period(date(YEAR, 1, 1), date(YEAR, 12, 31), by_quarter))


def row(table, label):
    return next(r for r in table.rows if r.label == label)


def texts(cells):
    return [c.text for c in cells]


def get_csv(client, cast, **params):
    response = client.get(CSV_URL, {"kommune": cast.fjordvik.code, "aar": YEAR, **params})
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    return response, list(csv.reader(io.StringIO(body), delimiter=";"))


# --- Suppression --------------------------------------------------------------------


def test_counts_below_five_are_suppressed(cast):
    make_logs(cast, 3)
    stats = year_stats(cast)
    assert texts(row(stats.by_service, "Barnehage").cells) == ["under 5", "under 5"]
    assert texts(stats.by_service.totals) == ["under 5", "under 5"]
    assert all(c.value is None for r in stats.by_service.rows for c in r.cells)


def test_counts_below_five_are_suppressed_on_the_page(client, cast):
    make_logs(cast, 3)
    client.force_login(cast.trude)
    response = client.get(URL, {"kommune": cast.fjordvik.code, "aar": YEAR})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<td>under 5</td>" in page
    stats = response.context["stats"]
    assert row(stats.by_period, f"mars {YEAR}").cells[0].text == "under 5"


def test_counts_below_five_are_suppressed_in_csv(client, cast):
    make_logs(cast, 1)
    make_logs(cast, 2, closed=at(5))
    client.force_login(cast.trude)
    _, rows = get_csv(client, cast)
    values = {r[-1] for r in rows[1:] if r[3] != "Tid fra loggen ble opprettet til første møte (median)"}
    assert values <= {"<5", "skjult"}, values
    assert ["Barnehage", "Opprettet", "<5"] in [r[4:] for r in rows]


def test_counts_of_five_or_more_are_shown(cast):
    make_logs(cast, 7)
    make_logs(cast, 6, unit=cast.health_station)
    stats = year_stats(cast)
    assert row(stats.by_service, "Barnehage").cells[0].text == "7"
    assert row(stats.by_service, "Helsestasjon").cells[0].text == "6"
    assert stats.by_service.totals[0].text == "13"


def test_a_lone_hidden_cell_hides_the_smallest_shown_cell_too_so_it_cannot_be_subtracted():
    cells, total = suppress_partition([12, 3, 7])
    assert texts(cells) == ["12", "under 5", "skjult"]
    assert total.text == "22"


def test_two_hidden_cells_need_no_further_hiding():
    cells, total = suppress_partition([12, 3, 0])
    assert texts(cells) == ["12", "under 5", "under 5"]
    assert total.text == "15"


def test_a_share_built_on_a_hidden_count_is_hidden():
    assert share(Cell(None, Hidden.SECONDARY), Cell(11)) == "skjult"
    assert share(Cell(6), Cell(None, Hidden.SMALL)) == "skjult"
    assert share(Cell(6), Cell(12)) == "50 %"


def test_closing_reasons_hide_a_second_cell_when_only_one_is_small(cast):
    make_logs(cast, 8, closed=at(4), reason=CloseReason.GOALS_MET)
    make_logs(cast, 6, closed=at(4), reason=CloseReason.REPLACED_BY_IP)
    make_logs(cast, 5, closed=at(4), reason=CloseReason.CONSENT_WITHDRAWN)
    make_logs(cast, 5, closed=at(4), reason=CloseReason.DELETION)
    make_logs(cast, 2, closed=at(4), reason=CloseReason.DELETION)
    reasons = year_stats(cast).close_reasons
    assert [r.cells[0].text for r in reasons.rows] == ["8", "6", "5", "7"]
    assert reasons.totals[0].text == "26"


# --- What is counted ----------------------------------------------------------------


def test_another_municipalitys_logs_are_not_counted(cast):
    make_logs(cast, 5)
    make_logs(cast, 6, unit=cast.nabodal_office)
    assert year_stats(cast).by_period.totals[0].text == "5"
    assert year_stats(cast, cast.nabodal).by_period.totals[0].text == "6"


def test_logs_are_counted_per_month_and_folded_into_quarters(cast):
    make_logs(cast, 3, opened=at(1))
    make_logs(cast, 3, opened=at(2))
    make_logs(cast, 5, opened=at(2), closed=at(3))
    by_month = year_stats(cast).by_period
    assert texts(row(by_month, f"februar {YEAR}").cells) == ["8", "under 5"]
    by_quarter = year_stats(cast, by_quarter=True).by_period
    assert len(by_quarter.rows) == 4
    assert texts(row(by_quarter, f"1. kvartal {YEAR}").cells) == ["11", "5"]


def test_logs_waiting_for_consent_are_not_counted_as_opened(cast):
    logs = make_logs(cast, 6)
    RelayLog.objects.filter(pk=logs[0].pk).update(status=LogStatus.AWAITING_CONSENT)
    assert year_stats(cast).by_period.totals[0].text == "5"


def test_opened_logs_count_at_their_first_level_and_closed_logs_at_their_last(cast):
    for log in make_logs(cast, 5, level=3, closed=at(6)):
        LevelChange.objects.filter(log=log).update(level=1)  # opened at level 1, raised to 3 later
    levels = year_stats(cast).by_level
    assert texts(levels.rows[0].cells) == ["5", "under 5"]
    assert texts(levels.rows[2].cells) == ["under 5", "5"]


def test_time_to_first_meeting_is_the_median_over_logs_that_have_had_a_meeting(cast):
    for log, days in zip(make_logs(cast, 6, opened=at(3, 1)), [2, 4, 6, 8, 10, None], strict=True):
        if days is not None:
            Meeting.objects.create(log=log, starts_at=at(3, 1 + days), place="Barnehagen")
            Meeting.objects.create(log=log, starts_at=at(3, 20 + days), place="Barnehagen")
    assert year_stats(cast).first_meeting.text == "6,0 dager"


def test_time_to_first_meeting_is_hidden_below_five_logs(cast):
    for log in make_logs(cast, 4, opened=at(3, 1)):
        Meeting.objects.create(log=log, starts_at=at(3, 5), place="Barnehagen")
    assert year_stats(cast).first_meeting.days is None


def test_measures_evaluated_on_or_before_the_evaluation_date_are_on_time(cast):
    (log,) = make_logs(cast, 1)
    due = date(YEAR, 4, 15)
    for _ in range(6):
        make_measure(cast, log, evaluation_date=due, evaluated_on=due)
    for _ in range(3):
        make_measure(cast, log, evaluation_date=due, evaluated_on=due + timedelta(days=1))
    for _ in range(3):
        make_measure(cast, log, evaluation_date=due)
    make_measure(cast, log, evaluation_date=date(YEAR + 1, 1, 5))  # outside the period
    stats = year_stats(cast)
    assert texts(c for r in stats.measures.rows for c in r.cells) == ["6", "6"]
    assert stats.measures.totals[0].text == "12"
    assert stats.measures_on_time_share == "50 %"


def test_a_small_count_of_late_measures_hides_the_on_time_count_and_the_share(cast):
    (log,) = make_logs(cast, 1)
    due = date(YEAR, 4, 15)
    for _ in range(6):
        make_measure(cast, log, evaluation_date=due, evaluated_on=due - timedelta(days=2))
    for _ in range(2):
        make_measure(cast, log, evaluation_date=due)
    stats = year_stats(cast)
    assert texts(c for r in stats.measures.rows for c in r.cells) == ["skjult", "under 5"]
    assert stats.measures.totals[0].text == "8"
    assert stats.measures_on_time_share == "skjult"


def test_consent_renewed_before_it_ran_out_counts_as_renewed_otherwise_as_lapsed(cast):
    ends = date(YEAR, 5, 31)
    for log in make_logs(cast, 5, opened=at(1)):
        make_consent(cast, log, valid_until=ends, recorded=at(1))
        make_consent(cast, log, valid_until=ends + timedelta(days=730), recorded=at(5, 20))
    for log in make_logs(cast, 5, opened=at(1)):
        make_consent(cast, log, valid_until=ends, recorded=at(1))
        make_consent(cast, log, valid_until=ends + timedelta(days=730), recorded=at(6, 10))  # too late
    for log in make_logs(cast, 3, opened=at(1), closed=at(4)):
        make_consent(cast, log, valid_until=ends, recorded=at(1))  # closed first: nothing to renew
    stats = year_stats(cast)
    assert texts(c for r in stats.consents.rows for c in r.cells) == ["5", "5"]
    assert stats.consents.totals[0].text == "10"
    assert stats.consents_renewed_share == "50 %"


# --- No personal data ---------------------------------------------------------------


def test_no_personal_data_in_page_or_csv(client, cast):
    logs = make_logs(cast, 5)
    RelayLog.objects.filter(pk=logs[0].pk).update(subject=cast.emma)
    make_measure(cast, logs[0], evaluation_date=date(YEAR, 4, 1))
    client.force_login(cast.trude)
    page = client.get(URL, {"kommune": cast.fjordvik.code, "aar": YEAR}).content.decode()
    _, rows = get_csv(client, cast)
    body = "\n".join(";".join(r) for r in rows)
    for text in (page, body):
        for secret in ("Emma", cast.emma.national_id, "Testesen", "Kari Lunde", "Et tiltak", str(logs[0].code)):
            assert secret not in text


# --- The CSV file -------------------------------------------------------------------


def test_csv_downloads_as_an_attachment_with_a_header_row(client, cast):
    make_logs(cast, 6)
    client.force_login(cast.trude)
    response, rows = get_csv(client, cast)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="statistikk-fjordvik-kommune-{YEAR}-01-01-{YEAR}-12-31.csv"'
    )
    assert rows[0] == ["kommune", "fra", "til", "tabell", "kategori", "kolonne", "verdi"]
    assert ["Fjordvik kommune", f"{YEAR}-01-01", f"{YEAR}-12-31"] == rows[1][:3]
    assert ["Barnehage", "Opprettet", "6"] in [r[4:] for r in rows]


# --- Access -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["kari", "berit", "silje", "outsider"])
def test_employees_leaders_guardians_and_citizens_may_not_see_statistics(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(URL).status_code in (403, 404)
    assert client.get(CSV_URL).status_code in (403, 404)


def test_anonymous_is_sent_to_login(db, client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_system_admin_of_the_municipality_sees_its_statistics(client, cast):
    client.force_login(cast.trude)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["stats"].municipality == cast.fjordvik
    assert [m.name for m in response.context["form"].municipalities.values()] == ["Fjordvik kommune"]


def test_system_admin_of_another_municipality_is_told_it_does_not_exist(client, cast):
    client.force_login(cast.ola_admin)
    assert client.get(URL, {"kommune": cast.fjordvik.code}).status_code == 404
    assert client.get(CSV_URL, {"kommune": cast.fjordvik.code}).status_code == 404
    assert client.get(URL).context["stats"].municipality == cast.nabodal


def test_superuser_may_choose_any_municipality(client, cast):
    client.force_login(cast.randi)
    response = client.get(URL, {"kommune": cast.nabodal.code})
    assert response.status_code == 200
    assert {m.name for m in response.context["form"].municipalities.values()} == {"Fjordvik kommune", "Nabodal kommune"}


def test_statistics_page_refuses_post(client, cast):
    client.force_login(cast.trude)
    assert client.post(URL).status_code == 405


def test_a_period_that_ends_before_it_starts_is_refused(client, cast):
    client.force_login(cast.trude)
    response = client.get(URL, {"kommune": cast.fjordvik.code, "fra": f"{YEAR}-06-01", "til": f"{YEAR}-05-01"})
    assert response.status_code == 400
    assert "Fra-datoen må være før til-datoen" in response.content.decode()


def test_default_period_is_this_year_so_far(client, cast):
    client.force_login(cast.trude)
    period = client.get(URL).context["stats"].period
    today = timezone.localdate()
    assert (period.start, period.end, period.by_quarter) == (date(today.year, 1, 1), today, False)


def test_start_page_links_to_statistics_only_for_those_who_may_see_them(client, cast):
    for who, sees in [("trude", True), ("randi", True), ("kari", False), ("silje", False)]:
        client.force_login(getattr(cast, who))
        assert (URL in client.get(reverse("core:start")).content.decode()) is sees, who


def test_every_chart_has_a_title_and_the_same_numbers_in_a_table(client, cast):
    make_logs(cast, 7)
    client.force_login(cast.trude)
    page = client.get(URL, {"kommune": cast.fjordvik.code, "aar": YEAR}).content.decode()
    charts = len(year_stats(cast).tables)
    assert charts >= 6
    assert page.count('<svg role="img"') == charts
    assert page.count("<title id=") == charts
    assert page.count("<table>") == charts
    assert ">7</text>" in page and "<td>7</td>" in page


def test_statistics_page_uses_a_fixed_number_of_queries(client, cast, django_assert_max_num_queries):
    make_logs(cast, 2, closed=at(5))
    client.force_login(cast.trude)
    params = {"kommune": cast.fjordvik.code, "aar": YEAR}
    with django_assert_max_num_queries(30) as baseline:
        client.get(URL, params)
    for log in make_logs(cast, 20, closed=at(8)):
        Meeting.objects.create(log=log, starts_at=at(3, 20), place="Barnehagen")
        make_measure(cast, log, evaluation_date=date(YEAR, 9, 1), evaluated_on=date(YEAR, 8, 1))
        make_consent(cast, log, valid_until=date(YEAR, 10, 1))
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        client.get(URL, params)
