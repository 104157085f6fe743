"""The statistics, computed once per municipality, period and day and then read from the cache
(issue 12 §1): the live query (queries.py) scans the municipality's logs, measures and consents,
and its cost grows with the municipality; a cache hit costs one query whatever the size.

What is cached is the finished, already suppressed `Statistics`: the page, the CSV file and the
API show the same numbers, hidden the same way, as the live query gave. The key holds the day, so
a new day (after the daily job) computes afresh, and an entry lives at most `FRESH_SECONDS`: a log
opened this morning is counted within a quarter of an hour. The cache is the shared one (Redis or
the database table, settings.CACHES), so every app server reads the same entry.
"""

from datetime import date

from django.core.cache import cache
from django.utils import timezone, translation

from stafett.lib.languages import CODES
from stafett.people.models import Municipality
from stafett.stats.queries import Period, Statistics, statistics

FRESH_SECONDS = 15 * 60
# Raise when Statistics (or what it holds) changes shape: old entries are then never read.
VERSION = 1


def cache_key(municipality: Municipality, period: Period, today: date, language: str | None = None) -> str:
    """Per language too: the titles and labels are in the language of the page (issue 10)."""
    quarter = "q" if period.by_quarter else "m"
    language = language or translation.get_language() or "nb"
    return (
        f"stats:v{VERSION}:{municipality.pk}:{period.start:%Y%m%d}-{period.end:%Y%m%d}{quarter}:{today:%Y%m%d}"
        f":{language}"
    )


def cached_statistics(municipality: Municipality, period: Period, *, today: date | None = None) -> Statistics:
    today = today or timezone.localdate()
    key = cache_key(municipality, period, today)
    found = cache.get(key)
    if isinstance(found, Statistics) and found.municipality.pk == municipality.pk:
        return found
    fresh = statistics(municipality, period, today=today)
    cache.set(key, fresh, FRESH_SECONDS)
    return fresh


def forget_statistics(municipality: Municipality, period: Period, *, today: date | None = None) -> None:
    day = today or timezone.localdate()
    cache.delete_many([cache_key(municipality, period, day, code) for code in sorted(CODES)])
