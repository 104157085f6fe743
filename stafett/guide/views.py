"""The guide's pages (read by all staff, edited by superusers) and the holder's guide actions on a log."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stafett import access
from stafett.access import Action, PersonRequest, needs, signed_in
from stafett.guide import actions
from stafett.guide.forms import (
    FACTORS_SLUG,
    DecisionForm,
    MaintainingFactorsForm,
    StartForm,
    StepForm,
    TimelineForm,
)
from stafett.guide.models import DecisionKind, GuidePosition, GuideStep, GuideTimeline, MaintainingFactors
from stafett.guide.printable import build_paper, paper_pdf
from stafett.guide.queries import guide_by_service, steps_using_tool
from stafett.guide.source import ToolboxEntry, guide, level_label
from stafett.lib.forms import add_form_errors
from stafett.lib.versioning import StaleEdit
from stafett.logs.actions import record_view
from stafett.logs.models import RelayLog

SECTION = "#veileder"
DONE = gettext_lazy("Beslutningen er registrert.")


def _back_to_log(log: RelayLog) -> str:
    return reverse("logs:detail", kwargs={"log_code": log.code}) + SECTION


# --- The guide ------------------------------------------------------------------------


@signed_in
@require_GET
def index(request: PersonRequest) -> HttpResponse:
    context = {
        "guide": guide(),
        "services": guide_by_service(),
        "may_edit": access.can(request.user, Action.MANAGE_GUIDE),
    }
    return render(request, "guide/index.html", context)


def _tool_or_404(slug: str) -> ToolboxEntry:
    entry = guide().toolbox.get(slug)
    if entry is None:
        raise Http404
    return entry


@signed_in
@require_GET
def tool(request: PersonRequest, slug: str) -> HttpResponse:
    entry = _tool_or_404(slug)
    context = {
        "tool": entry,
        "warning": guide().warning,
        "steps": steps_using_tool(slug),
        "see_also": [guide().toolbox[other] for other in entry.content.see_also],
        "paper": build_paper(entry, request.user) if entry.content.printable else None,
        # The analysis is written on a log: the holder gets a way there from the tool.
        "held_logs": access.logs_for(request.user, Action.EDIT_PLAN)
        .select_related("subject")
        .order_by("subject__given_name", "id")
        if slug == FACTORS_SLUG
        else None,
    }
    return render(request, "guide/tool.html", context)


@signed_in
@require_GET
def tool_pdf(request: PersonRequest, slug: str) -> HttpResponse:
    """The printable forms as PDF: blank forms, no personal data, for any signed-in person."""
    entry = _tool_or_404(slug)
    if entry.content.printable is None:
        raise Http404
    response = HttpResponse(paper_pdf(entry, request.user), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{slug}.pdf"'
    return response


@needs(Action.MANAGE_GUIDE)
@require_http_methods(["GET", "POST"])
def edit_step(request: PersonRequest, code: str) -> HttpResponse:
    step = get_object_or_404(GuideStep, code=code)
    form = StepForm(request.POST or None, instance=step, initial={"version": step.version})
    if request.method == "POST" and form.is_valid():
        try:
            fresh = GuideStep.objects.get(pk=step.pk)
            actions.update_step(
                actor=request.user, step=fresh, version=form.cleaned_data["version"], changes=form.cleaned_data
            )
        except StaleEdit:
            form.add_error(None, StaleEdit.message)
        except ValidationError as e:
            add_form_errors(form, e)
        else:
            messages.success(
                request, _("Nivå %(level)s, steg %(step)s er lagret.") % {"level": step.level, "step": step.number}
            )
            return redirect(reverse("guide:index") + f"#steg-{step.code}")
    context = {"step": step, "form": form, "service_name": guide().services.get(step.service, step.service)}
    return render(request, "guide/step_form.html", context, status=400 if form.errors else 200)


# --- A log's place in the guide (the holder) -------------------------------------------


@needs(Action.EDIT_PLAN)
@require_POST
def start(request: PersonRequest, log: RelayLog) -> HttpResponse:
    form = StartForm(request.POST, levels=actions.startable_levels(log))
    if form.is_valid():
        try:
            actions.start_level(actor=request.user, log=log, level=form.cleaned_data["level"])
        except ValidationError as e:
            add_form_errors(form, e)
        else:
            messages.success(
                request, _("%(level)s i veilederen er startet.") % {"level": level_label(form.cleaned_data["level"])}
            )
            return redirect(_back_to_log(log))
    return render(request, "guide/start_error.html", {"log": log, "form": form}, status=400)


@needs(Action.EDIT_PLAN)
@require_POST
def decide(request: PersonRequest, log: RelayLog, position_code: str) -> HttpResponse:
    position = get_object_or_404(GuidePosition.objects.select_related("log__unit"), log=log, code=position_code)
    form = DecisionForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            result = actions.decide(
                actor=request.user,
                position=position,
                version=d["version"],
                decision=d["decision"],
                note=d["note"],
                keep_level=d["keep_level"],
            )
        except StaleEdit:
            form.add_error(None, StaleEdit.message)
        except ValidationError as e:
            add_form_errors(form, e)
        else:
            return _after_decision(request, log, result)
    context = {"log": log, "position": position, "form": form}
    return render(request, "guide/decision_error.html", context, status=400)


def _after_decision(request: PersonRequest, log: RelayLog, result: actions.DecisionResult) -> HttpResponse:
    decision, position = result.decision, result.position
    if result.needs_log_level:
        # The level of the log itself changes only in the overview, which asks for consent (seeds/001 §6).
        messages.info(
            request,
            _(
                "Beslutningen er registrert. Loggen er på nivå %(current)s. For å gå opp til nivå "
                "%(needed)s endrer du nivået her – det krever samtykke for nivå %(needed)s. "
                "Start så det nye nivået i veilederen fra loggen."
            )
            % {"current": log.level, "needed": result.needs_log_level},
        )
        return redirect("logs:edit_overview", log_code=log.code)
    if result.to_child_welfare:
        text = _(
            "Beslutningen er registrert. Nivå 3 i veilederen er barneverntjenestens: "
            "se «Fem trinn fra bekymring til melding» i verktøykassen."
        )
        if log.level < 3:
            change = _("Vil du endre loggens nivå, gjør du det her (det krever samtykke).")
            messages.info(request, f"{text} {change}")
            return redirect("logs:edit_overview", log_code=log.code)
        messages.info(request, text)
    elif result.started is not None:
        lower = decision.decision == DecisionKind.DOWN
        follows = _("Loggen følger nå %(level)s.") % {"level": level_label(result.started.level)}
        if lower:
            follows += " " + _("Husk å endre loggens nivå i oversikten hvis loggen skal ned.")
        messages.success(request, f"{DONE} {follows}")
    elif position.ended_at is not None:
        ended = _("%(level)s er avsluttet i veilederen.") % {"level": level_label(position.level)}
        messages.success(request, f"{DONE} {ended}")
    else:
        next_step = _("Neste: %(level)s, steg %(step)s.") % {
            "level": level_label(position.level),
            "step": position.step,
        }
        messages.success(request, f"{DONE} {next_step}")
    return redirect(_back_to_log(log))


@needs(Action.CHILD_WELFARE_DATES)
@require_http_methods(["GET", "POST"])
def timeline(request: PersonRequest, log: RelayLog) -> HttpResponse:
    if request.method == "GET":
        record_view(actor=request.user, log=log, what="BTI-veilederen, frister")
    current = GuideTimeline.objects.filter(log=log).first() or GuideTimeline(log=log)
    form = TimelineForm(request.POST or None, instance=current, initial={"version": current.version})
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data[f] for f in actions.TIMELINE_FIELDS}
        try:
            actions.save_timeline(actor=request.user, log=log, version=form.cleaned_data["version"], values=values)
        except StaleEdit:
            form.add_error(None, StaleEdit.message)
        except ValidationError as e:
            add_form_errors(form, e)
        else:
            messages.success(request, _("Datoene er lagret."))
            return redirect(_back_to_log(log))
    return render(request, "guide/timeline_form.html", {"log": log, "form": form}, status=400 if form.errors else 200)


# --- The log's analysis of maintaining factors (the holder writes, readers see it on the log) ------


@needs(Action.EDIT_PLAN)
@require_http_methods(["GET", "POST"])
def factors(request: PersonRequest, log: RelayLog) -> HttpResponse:
    if request.method == "GET":
        record_view(actor=request.user, log=log, what="BTI-veilederen, opprettholdende faktorer")
    current = MaintainingFactors.objects.filter(log=log).first() or MaintainingFactors(log=log)
    form = MaintainingFactorsForm(request.POST or None, instance=current, initial={"version": current.version})
    if request.method == "POST" and form.is_valid():
        values = {f: form.cleaned_data[f] for f in actions.FACTOR_FIELDS}
        try:
            actions.save_maintaining_factors(
                actor=request.user, log=log, version=form.cleaned_data["version"], values=values
            )
        except StaleEdit:
            form.add_error(None, StaleEdit.message)
        except ValidationError as e:
            add_form_errors(form, e)
        else:
            messages.success(request, _("Analysen av opprettholdende faktorer er lagret."))
            return redirect(reverse("logs:detail", kwargs={"log_code": log.code}) + "#opprettholdende-faktorer")
    context = {"log": log, "form": form, "tool": guide().toolbox[FACTORS_SLUG]}
    return render(request, "guide/factors_form.html", context, status=400 if form.errors else 200)
