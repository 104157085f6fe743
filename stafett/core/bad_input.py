"""Bad input is a 400 page in Norwegian, never a crash (issue 13 §2).

Django reads a form body on first use of `request.POST` — in the CSRF check, before any view.
A body in another charset than UTF-8 (our pages only send UTF-8) or one that cannot be decoded
would raise there and become a 500. This middleware, placed before the CSRF check, reads the body
once and answers 400 itself; the 400 page (`core.views.bad_request`) never reads the body again.
"""

from collections.abc import Callable

from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
READABLE_CHARSETS = {None, "utf-8", "utf8"}
UNREADABLE_CHARSET = gettext_lazy("Skjemaet kom i en tegnkoding vi ikke kan lese. Last siden på nytt og prøv igjen.")


def refuse(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "core/400.html", {"reason": reason}, status=400)


class UnreadableBodyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("POST", "PUT", "PATCH") and request.content_type in FORM_TYPES:
            charset = ((request.content_params or {}).get("charset") or "").lower() or None
            if charset not in READABLE_CHARSETS:
                return refuse(request, str(UNREADABLE_CHARSET))
            try:
                request.POST  # noqa: B018 — parse once, here, where a failure can be answered
            except (RequestDataTooBig, TooManyFieldsSent):
                return refuse(request, _("Skjemaet er for stort. Send mindre om gangen."))
            except (UnicodeDecodeError, ValueError, MultiPartParserError, BadRequest, SuspiciousOperation):
                return refuse(request, _("Vi kunne ikke lese skjemaet. Last siden på nytt og prøv igjen."))
        return self.get_response(request)
