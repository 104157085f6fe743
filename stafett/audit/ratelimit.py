"""Rate limits on views: login starts, look-ups by national ID number, consent answers and the demo
login (settings.RATE_LIMITS). Over a limit the view is not run — nothing changes — and the
person gets the Norwegian 429 page; the first refused request in a window writes an audit row
(not every one: a flood of refusals must not become a flood of rows in the hash chain).

The counting is stafett/lib/ratelimit.py, in the cache every app server shares, so a limit per
person holds across browsers, IP addresses and servers.
"""

import functools
import logging
import math
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from stafett.audit.context import current_ip
from stafett.audit.models import AuditAction, AuditEvent
from stafett.lib import ratelimit

log = logging.getLogger(__name__)
NOT_SIGNED_IN = "Ikke innlogget"
KEYS = ("person", "ip")  # what a limit is counted per

ViewFunc = Callable[..., HttpResponseBase]


def _key(request: HttpRequest, per: str) -> str | None:
    if per == "person":
        return str(request.user.code) if request.user.is_authenticated else None  # type: ignore[union-attr]
    if per == "ip":
        # REMOTE_ADDR is the client: the proxy in front must set it (README «Drift»), as for the audit trail.
        return request.META.get("REMOTE_ADDR") or "ukjent"
    raise ValueError(f"A rate limit is counted per {' or '.join(KEYS)}, not {per!r}")


def over_limit(request: HttpRequest, scope: str) -> tuple[str, ratelimit.Hit] | None:
    """Count this request against every limit of `scope`; the first one it is over, if any."""
    refused = None
    for per, value in settings.RATE_LIMITS[scope].items():
        key = _key(request, per)
        if key is None:
            continue
        hit = ratelimit.count(f"{scope}.{per}", key, ratelimit.limit_from(value))
        if hit.over and refused is None:
            refused = (per, hit)
    return refused


def _record_refusal(request: HttpRequest, scope: str, per: str, hit: ratelimit.Hit) -> None:
    user = request.user
    signed_in = user.is_authenticated
    log.warning("Rate limit %s per %s reached (%s)", scope, per, hit.limit)
    AuditEvent.objects.create(
        actor_code=getattr(user, "code", None) if signed_in else None,
        actor_name=getattr(user, "full_name", "") if signed_in else NOT_SIGNED_IN,
        action=AuditAction.RATE_LIMITED.value,
        object_type="fartsgrense",
        object_code=scope,
        ip=current_ip.get(),
        details={"grense": scope, "per": per, "antall": hit.limit.count, "sekunder": hit.limit.seconds},
    )


def too_many(request: HttpRequest, hit: ratelimit.Hit) -> HttpResponse:
    minutes = max(1, math.ceil(hit.retry_after / 60))
    response = render(request, "core/429.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(hit.retry_after)
    return response


def rate_limited(scope: str, *, methods: tuple[str, ...] = ("POST",)) -> Callable[[ViewFunc], ViewFunc]:
    """Count `methods` requests to the view against settings.RATE_LIMITS[scope]. Put it under
    the access rule (@needs), so only requests that may reach the view are counted."""
    if scope not in settings.RATE_LIMITS:
        raise ValueError(f"No rate limit called {scope!r} in settings.RATE_LIMITS")

    def decorator(view: ViewFunc) -> ViewFunc:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if request.method in methods:
                refused = over_limit(request, scope)
                if refused is not None:
                    per, hit = refused
                    if hit.first_over:
                        _record_refusal(request, scope, per, hit)
                    return too_many(request, hit)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
