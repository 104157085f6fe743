"""The statistics page reads a cached result (issue 12 §1): the same numbers as the live query,
computed once per municipality, period and day, and one query on a cache hit however many logs."""

from datetime import date, timedelta

from django.utils import timezone

from stafett.logs.models import Meeting
from stafett.stats.cache import cached_statistics, forget_statistics
from stafett.stats.queries import Period, statistics
from tests.test_statistics import URL, YEAR, at, make_consent, make_logs, make_measure

PERIOD = Period(date(YEAR, 1, 1), date(YEAR, 12, 31))
TODAY = date(YEAR + 1, 1, 15)


def busy_year(cast):
    """Enough logs that several cells are shown and some hidden."""
    make_logs(cast, 7, opened=at(2))
    make_logs(cast, 3, opened=at(4), closed=at(6))
    for log in make_logs(cast, 6, opened=at(3), closed=at(9)):
        Meeting.objects.create(log=log, starts_at=at(3, 20), place="Barnehagen")
        make_measure(cast, log, evaluation_date=date(YEAR, 9, 1), evaluated_on=date(YEAR, 8, 1))
        make_consent(cast, log, valid_until=date(YEAR, 10, 1))
    make_logs(cast, 2, unit=cast.health_station, opened=at(5))


def test_cached_statistics_are_the_live_query_s_numbers_with_the_same_cells_hidden(cast):
    busy_year(cast)
    live = statistics(cast.fjordvik, PERIOD, today=TODAY)
    first = cached_statistics(cast.fjordvik, PERIOD, today=TODAY)  # computed and stored
    again = cached_statistics(cast.fjordvik, PERIOD, today=TODAY)  # read from the cache
    assert first == live
    assert again == live
    assert [c.text for t in again.tables for r in t.rows for c in r.cells] == [
        c.text for t in live.tables for r in t.rows for c in r.cells
    ]
    assert any(c.hidden for t in live.tables for r in t.rows for c in r.cells)  # suppression is in what is kept


def test_a_cache_hit_costs_one_query_however_many_logs(cast, django_assert_num_queries):
    busy_year(cast)
    cached_statistics(cast.fjordvik, PERIOD, today=TODAY)
    with django_assert_num_queries(1):  # the cache table's row (Redis in production: none)
        cached_statistics(cast.fjordvik, PERIOD, today=TODAY)


def test_each_municipality_and_period_has_its_own_entry(cast):
    busy_year(cast)
    fjordvik = cached_statistics(cast.fjordvik, PERIOD, today=TODAY)
    nabodal = cached_statistics(cast.nabodal, PERIOD, today=TODAY)
    by_quarter = cached_statistics(cast.fjordvik, Period(PERIOD.start, PERIOD.end, True), today=TODAY)
    assert nabodal.municipality == cast.nabodal
    assert nabodal == statistics(cast.nabodal, PERIOD, today=TODAY) != fjordvik
    assert len(by_quarter.by_period.rows) == 4 and len(fjordvik.by_period.rows) == 12


def test_a_new_day_counts_again_and_forgetting_an_entry_counts_again(cast):
    make_logs(cast, 6, opened=at(2))
    before = cached_statistics(cast.fjordvik, PERIOD, today=TODAY)
    make_logs(cast, 5, opened=at(2))
    assert cached_statistics(cast.fjordvik, PERIOD, today=TODAY) == before  # the same day: the kept numbers
    next_day = cached_statistics(cast.fjordvik, PERIOD, today=TODAY + timedelta(days=1))
    assert next_day.by_period.totals[0].text == "11"
    forget_statistics(cast.fjordvik, PERIOD, today=TODAY)
    assert cached_statistics(cast.fjordvik, PERIOD, today=TODAY).by_period.totals[0].text == "11"


def test_statistics_page_queries_at_their_real_values_computed_then_cached(client, cast, django_assert_num_queries):
    busy_year(cast)
    client.force_login(cast.trude)
    params = {"kommune": cast.fjordvik.code, "aar": YEAR}
    with django_assert_num_queries(MISS_QUERIES):
        assert client.get(URL, params).status_code == 200
    make_logs(cast, 20, opened=at(7))  # more data: a hit costs the same
    with django_assert_num_queries(HIT_QUERIES):
        assert client.get(URL, params).status_code == 200
    assert timezone.localdate() > PERIOD.end


# The page's own five (session, person, memberships, municipalities) and the cache row; on a miss
# also the statistics' queries and the database cache's write (Redis in production: no queries).
# The first page of a session also reads the municipality's målform once (core/language.py).
MISS_QUERIES = 25
HIT_QUERIES = 6
