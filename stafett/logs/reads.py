"""A form page that shows the log's content is a read of the log, like the log page itself (SPEC §3:
who has seen the log, and when)."""

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpResponse

from stafett.access import PersonRequest
from stafett.logs.actions import record_view
from stafett.logs.models import RelayLog

View = Callable[..., HttpResponse]


def records_read(what: str) -> Callable[[View], View]:
    """Under @needs: a GET the view answers with the page (200) writes a `log.viewed` row naming
    `what`; a POST is a change with its own audit row, and a redirect or refusal showed nothing."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: PersonRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if request.method == "GET" and response.status_code == 200:
                log: RelayLog = kwargs["log"]  # handed in by @needs
                record_view(actor=request.user, log=log, what=what)
            return response

        return wrapper

    return decorate
