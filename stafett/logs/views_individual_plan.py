"""From stafettlogg to individuell plan, and the plan's own parts (issue 15 §6)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from stafett.access import Action, PersonRequest, needs
from stafett.lib.forms import add_form_errors
from stafett.logs import actions
from stafett.logs.forms_individual_plan import MakeIndividualPlanForm, OwnGoalsForm, PlanDecisionForm
from stafett.logs.models import RelayLog
from stafett.logs.reads import records_read


def _back(log: RelayLog) -> HttpResponse:
    return redirect(reverse("logs:detail", args=[log.code]) + "#individuell-plan")


@needs(Action.MAKE_INDIVIDUAL_PLAN)
@require_http_methods(["GET", "POST"])
@records_read("gjøre om til individuell plan")
def make_individual_plan(request: PersonRequest, log: RelayLog) -> HttpResponse:
    form = MakeIndividualPlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.make_individual_plan(
                actor=request.user, log=log, guardians_consented_on=d["consented_on"], own_goals=d["own_goals"]
            )
        except ValidationError as e:
            add_form_errors(form, e, default_field="consented_on")
        else:
            messages.success(
                request, _("Loggen er nå en individuell plan. Du er koordinator, og deltakerne er ansvarsgruppen.")
            )
            return _back(log)
    status = 400 if form.errors else 200
    return render(request, "logs/individual_plan_form.html", {"log": log, "form": form}, status=status)


@needs(Action.EDIT_PLAN)
@require_http_methods(["GET", "POST"])
@records_read("mine egne mål")
def edit_own_goals(request: PersonRequest, log: RelayLog) -> HttpResponse:
    form = OwnGoalsForm(request.POST or None, initial={"text": log.own_goals})
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_own_goals(actor=request.user, log=log, text=form.cleaned_data["text"])
        except ValidationError as e:
            add_form_errors(form, e, default_field="text")
        else:
            messages.success(request, _("«Mine egne mål» er lagret."))
            return _back(log)
    status = 400 if form.errors else 200
    return render(request, "logs/own_goals_form.html", {"log": log, "form": form}, status=status)


@needs(Action.EDIT_PLAN)
@require_http_methods(["GET", "POST"])
@records_read("nytt vedtak")
def add_decision(request: PersonRequest, log: RelayLog) -> HttpResponse:
    form = PlanDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            actions.add_plan_decision(actor=request.user, log=log, text=d["text"], decided_on=d["decided_on"])
        except ValidationError as e:
            add_form_errors(form, e, default_field="text")
        else:
            messages.success(request, _("Vedtaket er lagt til i planen."))
            return _back(log)
    status = 400 if form.errors else 200
    return render(request, "logs/plan_decision_form.html", {"log": log, "form": form}, status=status)
