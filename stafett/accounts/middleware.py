import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

SESSION_KEY = "stafett_last_seen"
# When the person signed in (set at login); the session ends STAFETT_SESSION_MAX_HOURS later.
SIGNED_IN_KEY = "stafett_signed_in_at"
# Write the timestamp at most this often, so a burst of requests is one session write.
RESOLUTION_SECONDS = 30


class IdleTimeoutMiddleware:
    """Ends a session after STAFETT_SESSION_IDLE_MINUTES without a request, and
    STAFETT_SESSION_MAX_HOURS after login however busy the person is."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            # A session signed in some other way (or before this rule) counts from its first request.
            signed_in_at = request.session.setdefault(SIGNED_IN_KEY, now)
            if now - signed_in_at > settings.SESSION_MAX_SECONDS:
                logout(request)
                hours = settings.SESSION_MAX_SECONDS // 3600
                messages.info(
                    request,
                    ngettext(
                        "Du ble logget ut fordi du har vært logget inn i %(hours)d time. "
                        "Logg inn igjen for å fortsette.",
                        "Du ble logget ut fordi du har vært logget inn i %(hours)d timer. "
                        "Logg inn igjen for å fortsette.",
                        hours,
                    )
                    % {"hours": hours},
                )
                return redirect("accounts:login")
            last_seen = request.session.get(SESSION_KEY, now)
            if now - last_seen > settings.SESSION_IDLE_SECONDS:
                logout(request)
                minutes = settings.SESSION_IDLE_SECONDS // 60
                messages.info(
                    request,
                    _("Du ble logget ut fordi du ikke hadde gjort noe på %(minutes)d minutter.") % {"minutes": minutes},
                )
                return redirect("accounts:login")
            if now - last_seen >= RESOLUTION_SECONDS or SESSION_KEY not in request.session:
                request.session[SESSION_KEY] = now
        return self.get_response(request)
