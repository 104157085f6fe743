"""A fixed-window counter in Django's cache, shared by every app server that shares the cache
(Redis in production, the database cache otherwise; settings.CACHES).

django-ratelimit would do the counting, but its system check refuses the database cache (no
atomic increment), which is the default here so `make run` needs no other server. On Redis
`incr` is atomic; on the database cache two requests at the same moment may both count as one,
which lets a handful more through on one host — never the thousands a limit is for.
"""

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache

PREFIX = "stafett:fartsgrense"


@dataclass(frozen=True)
class Limit:
    count: int  # at most this many in one window
    seconds: int  # the window

    def __str__(self) -> str:
        return f"{self.count} per {self.seconds} s"


def limit_from(value: object) -> Limit:
    """A limit from settings: (count, seconds)."""
    if not isinstance(value, tuple | list) or len(value) != 2:
        raise ValueError(f"A rate limit is (count, seconds), not {value!r}")
    count, seconds = int(value[0]), int(value[1])
    if count < 1 or seconds < 1:
        raise ValueError(f"A rate limit needs a count and a window of at least 1, not {value!r}")
    return Limit(count, seconds)


@dataclass(frozen=True)
class Hit:
    """One request counted against one limit."""

    count: int  # this request's number in the window
    limit: Limit

    @property
    def over(self) -> bool:
        return self.count > self.limit.count

    @property
    def first_over(self) -> bool:
        """The first refused request in the window: the one worth an audit row."""
        return self.count == self.limit.count + 1

    @property
    def retry_after(self) -> int:
        """Seconds until the window ends."""
        return self.limit.seconds - int(time.time()) % self.limit.seconds


def count(scope: str, key: str, limit: Limit) -> Hit:
    """Count one request by `key` (a person's code, an IP address) against `scope`'s limit."""
    window = int(time.time()) // limit.seconds
    # Hashed: the cache never holds who or where, and any key is a valid cache key.
    digest = hashlib.sha256(f"{scope}\0{key}".encode()).hexdigest()[:32]
    cache_key = f"{PREFIX}:{scope}:{limit.seconds}:{window}:{digest}"
    # add() starts the window only if no other server has; the key outlives the window a little.
    if cache.add(cache_key, 1, timeout=limit.seconds + 60):
        return Hit(1, limit)
    try:
        return Hit(cache.incr(cache_key), limit)
    except ValueError:  # expired between add() and incr()
        cache.add(cache_key, 1, timeout=limit.seconds + 60)
        return Hit(1, limit)
