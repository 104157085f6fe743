"""The calendar feed: a page to make, see and revoke one's private iCalendar address (under
«Varsler»), and the feed itself — public, opened by the token in its URL, rate limited."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from stafett.access import PersonRequest, public, signed_in
from stafett.audit.ratelimit import rate_limited, too_many
from stafett.followup.calendar_feed import active_feed, create_feed, feed_for_token, read_feed, revoke_feed
from stafett.lib import ratelimit


@signed_in
@require_http_methods(["GET", "POST"])
def calendar_feed_page(request: PersonRequest) -> HttpResponse:
    """GET shows whether there is an address; POST makes a new one and shows it, this once."""
    context: dict[str, object] = {"feed": active_feed(request.user)}
    if request.method == "POST":
        new = create_feed(actor=request.user)
        context.update(feed=new.feed, new_url=new.url)
    return render(request, "followup/calendar_feed.html", context)


@signed_in
@require_http_methods(["GET", "POST"])
def revoke_calendar_feed(request: PersonRequest) -> HttpResponse:
    """A confirmation page (works without JavaScript), then the address stops working."""
    feed = active_feed(request.user)
    if feed is None:
        messages.info(request, _("Du har ingen kalenderadresse å trekke tilbake."))
        return redirect("followup:calendar_feed_page")
    if request.method == "POST":
        revoke_feed(actor=request.user, feed=feed)
        messages.success(request, _("Kalenderadressen er trukket tilbake. Kalenderen din får ikke lenger nye møter."))
        return redirect("followup:calendar_feed_page")
    return render(request, "followup/calendar_feed_revoke.html", {"feed": feed})


@public
@require_GET
@rate_limited("calendar_feed", methods=("GET",))
def calendar_feed(request: PersonRequest, token: str) -> HttpResponse:
    """The feed. The token is the only credential: unknown or revoked → 404, as if never there."""
    feed = feed_for_token(token)
    if feed is None:
        raise Http404("Ukjent kalenderadresse")
    hit = ratelimit.count("calendar_feed.feed", feed.token_hash, ratelimit.limit_from(settings.CALENDAR_FEED_LIMIT))
    if hit.over:
        return too_many(request, hit)
    response = HttpResponse(read_feed(feed), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response
