from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from stafett.access import Action, PersonRequest, needs
from stafett.followup.overview import unit_overview as build_overview
from stafett.people.models import Unit


@needs(Action.VIEW_UNIT_OVERVIEW)
@require_GET
def unit_overview(request: PersonRequest, unit: Unit) -> HttpResponse:
    """The leader's page: the unit's logs by level and status, and where follow-up is at risk."""
    overview = build_overview(unit, timezone.localdate())
    only_at_risk = request.GET.get("vis") == "risiko"
    rows = overview.at_risk if only_at_risk else overview.rows
    return render(
        request,
        "followup/unit_overview.html",
        {"overview": overview, "rows": rows, "only_at_risk": only_at_risk, "unit": unit},
    )
