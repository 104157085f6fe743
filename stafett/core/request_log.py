"""One log line per request (logger `stafett.request`): request id, the signed-in person's
internal id, method, path, status and duration. In production the line is JSON
(settings.LOGGING, python-json-logger); in debug and demo the logger is quiet — runserver prints
its own line.

Never a national ID: the person is their database id, the query string is left out (a search
carries what was searched for), and a path that looks like it holds a number is masked. The
request id comes from the proxy's X-Request-ID when it is a plain token, else a new one; it
goes back in the response so a user's report can be matched with the line.
"""

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

from stafett.lib.national_id import mask_text

log = logging.getLogger("stafett.request")
HEADER = "X-Request-ID"
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")


def request_id_from(header: str | None) -> str:
    """The proxy's id if it is 8–64 plain characters and could not be a national ID; else a new one."""
    if header and _SANE_ID.fullmatch(header) and mask_text(header) == header:
        return header
    return uuid.uuid4().hex


class RequestLogMiddleware:
    """First in MIDDLEWARE, so the duration covers every other middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        request_id = request_id_from(request.headers.get(HEADER))
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response[HEADER] = request_id
        if not log.isEnabledFor(logging.INFO):
            return response  # debug and demo: nothing to write, and no session read for it
        user = getattr(request, "user", None)
        log.info(
            "%s %s %s",
            request.method,
            mask_text(request.path),
            response.status_code,
            extra={
                "request_id": request_id,
                "user_id": user.pk if user is not None and user.is_authenticated else None,
                "method": request.method,
                "path": mask_text(request.path),
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            },
        )
        return response
