import hmac

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from stafett import access
from stafett.access import Action, public
from stafett.core.health import database_answers, full_report
from stafett.followup.overview import holder_attention
from stafett.logs.actions import (
    awaiting_answer_from,
    children_to_ask_for,
    open_request_counts,
    pending_for,
    requests_from_family,
)
from stafett.logs.models import Handover, HandoverStatus
from stafett.logs.queries import logs_for_guardian, logs_for_staff, logs_for_youth, tasks_for
from stafett.logs.reminders import stand_in_tasks
from stafett.logs.transitions import announced_to
from stafett.people.models import Guardianship, Membership, Role
from stafett.undring.models import ConcernNote


@public
@require_GET
def start(request: HttpRequest) -> HttpResponse:
    """The start page fits the role: staff see their units, guardians their children."""
    if not request.user.is_authenticated:
        return render(request, "core/welcome.html")
    person = request.user
    memberships = list(
        Membership.objects.active()
        .filter(person=person)
        .select_related("unit", "unit__municipality")
        .order_by("unit__name", "role")
    )
    roles = {m.role for m in memberships}
    managed_units = sorted({m.unit for m in memberships if m.role in (Role.LEADER,)}, key=lambda u: u.name)
    wards = list(Guardianship.objects.filter(guardian=person).select_related("child").order_by("child__birth_date"))
    logs = logs_for_staff(person) if memberships else {"holder": [], "participant": []}
    waiting = open_request_counts(managed_units) if managed_units else {}
    context = {
        "logs_as_holder": logs["holder"],
        "logs_as_participant": logs["participant"],
        "logs_as_former_holder": logs.get("former", []),
        "children_logs": logs_for_guardian(person),
        "own_logs": logs_for_youth(person),
        "tasks": tasks_for(person),
        "stand_in_tasks": stand_in_tasks(person, timezone.localdate()) if memberships else [],
        "open_notes": ConcernNote.objects.filter(owner=person).count() if memberships else 0,
        "attention": holder_attention(person, timezone.localdate()) if memberships else [],
        "consent_requests": pending_for(person),
        "participants_to_approve": awaiting_answer_from(person),
        "announced": announced_to(person),
        "handovers": Handover.objects.filter(
            to_person=person, status=HandoverStatus.PROPOSED, log__in=access.logs_for(person, Action.ANSWER_HANDOVER)
        ).select_related("log__subject", "proposed_by"),
        "today": timezone.localdate(),
        "open_log_units": sorted(
            {m.unit for m in memberships if m.role in (Role.EMPLOYEE, Role.LEADER)}, key=lambda u: u.name
        ),
        "memberships": memberships,
        "staff_list_units": {m.unit.id for m in memberships if access.can(person, Action.VIEW_STAFF, m.unit)},
        "managed_units": managed_units,
        "is_system_admin": access.can(person, Action.USE_ADMIN),
        "is_superuser": Role.SUPERUSER in roles,
        "may_view_statistics": access.can(person, Action.VIEW_STATISTICS),
        "wards": wards,
        # seeds/001 §1: families ask for a log; the unit's leader answers within the deadline.
        "family_requests": list(requests_from_family(person)[:20]),
        "may_ask_for_log": bool(children_to_ask_for(person)),
        "request_counts": [(u, *waiting.get(u.id, (0, 0))) for u in managed_units],
    }
    return render(request, "core/start.html", context)


@public
@require_GET
def health(request: HttpRequest) -> HttpResponse:
    """For the load balancer: the database answers (core/health.py). No session, no template."""
    try:
        database_answers()
    except DatabaseError:
        return HttpResponse("database unavailable", content_type="text/plain", status=503)
    return HttpResponse("ok", content_type="text/plain")


@public  # the token below is the access rule: monitoring is a system, not a person
@require_GET
def health_full(request: HttpRequest) -> HttpResponse:
    """For monitoring: every part, as JSON; 503 when one is not ok. Only with the bearer token in
    STAFETT_HEALTH_TOKEN (compared in constant time); 404 when no token is set, 401 without it."""
    token = settings.HEALTH_TOKEN
    if not token:
        return not_found(request)
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        response = JsonResponse({"status": "unauthorized"}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="stafett-health"'
        return response
    ok, checks = full_report()
    response = JsonResponse({"status": "ok" if ok else "feil", "checks": checks}, status=200 if ok else 503)
    response["Cache-Control"] = "no-store"
    return response


@public
@require_GET
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Never reads the body again: it may be what was wrong (core/bad_input.py)."""
    return render(request, "core/400.html", status=400)


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/403.html", status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: Django's own page has inline style, which the CSP blocks."""
    return render(request, "core/403_csrf.html", status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "core/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "core/500.html", status=500)
