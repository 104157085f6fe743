"""Families ask a unit to consider a log (seeds/001 §1); the unit's leader answers."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from stafett.access import Action, PersonRequest, needs, signed_in
from stafett.lib.forms import add_form_errors
from stafett.logs import actions
from stafett.logs.models import ANSWER_WITHIN_DAYS, LogRequest
from stafett.logs.request_forms import AnswerRequestForm, AskForLogForm
from stafett.people.models import Unit


@signed_in
@require_http_methods(["GET", "POST"])
def ask(request: PersonRequest) -> HttpResponse:
    """Only the person's own children (or themself) can be chosen: the form offers nothing else."""
    children = actions.children_to_ask_for(request.user)
    form = AskForLogForm(request.POST or None, children=children)
    if request.method == "POST" and form.is_valid():
        try:
            actions.ask_for_log(actor=request.user, **form.cleaned_data)
        except ValidationError as e:
            add_form_errors(form, e)
        except (PermissionDenied, Http404):
            form.add_error("unit", _("Du kan ikke be om stafettlogg for deg selv ved dette tjenestestedet."))
        else:
            messages.success(
                request,
                _(
                    "Forespørselen er sendt. Tjenestestedet skal svare innen %(days)s dager. "
                    "Ingen stafettlogg opprettes uten samtykke fra dere."
                )
                % {"days": ANSWER_WITHIN_DAYS},
            )
            return redirect("core:start")
    context = {"form": form, "children": children, "days": ANSWER_WITHIN_DAYS}
    return render(request, "logs/log_request_form.html", context, status=400 if form.errors else 200)


@needs(Action.VIEW_LOG_REQUESTS)
@require_GET
def unit_requests(request: PersonRequest, unit: Unit) -> HttpResponse:
    """«Forespørsler fra familier»: names and deadlines only; the text is read on the answer page."""
    context = {"unit": unit, "requests": list(actions.requests_to(unit)[:200]), "today": timezone.localdate()}
    return render(request, "logs/log_requests.html", context)


@needs(Action.ANSWER_LOG_REQUEST)
@require_http_methods(["GET", "POST"])
def answer(request: PersonRequest, log_request: LogRequest) -> HttpResponse:
    form = AnswerRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.answer_log_request(actor=request.user, log_request=log_request, **form.cleaned_data)
        except ValidationError as e:
            add_form_errors(form, e)
        else:
            messages.success(request, _("Svaret er sendt til familien."))
            return redirect("logs:log_requests", unit_code=log_request.unit.code)
    if request.method == "GET":
        actions.record_request_read(actor=request.user, log_request=log_request)
    context = {"form": form, "log_request": log_request, "today": timezone.localdate()}
    return render(request, "logs/log_request_answer.html", context, status=400 if form.errors else 200)
