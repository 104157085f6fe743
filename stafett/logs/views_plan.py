"""Goals, measures, evaluations and messages in a log (meetings: views_meetings.py)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from stafett import access
from stafett.access import Action, PersonRequest, needs
from stafett.lib.forms import add_form_errors
from stafett.lib.versioning import StaleEdit
from stafett.logs import actions
from stafett.logs.forms import (
    EvaluationForm,
    GoalEditForm,
    GoalForm,
    MeasureForm,
    MessageForm,
)
from stafett.logs.models import Goal, Measure, RelayLog
from stafett.logs.reads import records_read
from stafett.people.models import Person


def _back(log: RelayLog, anchor: str = "") -> HttpResponse:
    return redirect(reverse("logs:detail", args=[log.code]) + (f"#{anchor}" if anchor else ""))


def _hint_message(request: PersonRequest, form: object, saved: str) -> None:
    hints = form.hints()  # type: ignore[attr-defined]
    if hints:
        messages.info(
            request, saved + " " + _("Tips til klarspråk:") + " " + " ".join(h for hs in hints.values() for h in hs)
        )
    else:
        messages.success(request, saved)


@needs(Action.EDIT_PLAN)
@require_POST
def add_goal(request: PersonRequest, log: RelayLog) -> HttpResponse:
    form = GoalForm(request.POST)
    if form.is_valid():
        try:
            actions.add_goal(
                actor=request.user, log=log, arena=form.cleaned_data["arena"], text=form.cleaned_data["text"]
            )
        except ValidationError as e:
            add_form_errors(form, e)
        else:
            _hint_message(request, form, _("Målet er lagt til."))
            return _back(log, "mal")
    return render(request, "logs/goal_form.html", {"log": log, "form": form}, status=400)


def _responsible_choices(log: RelayLog) -> list[tuple[Person, str]]:
    choices = [(log.holder, f"{log.holder.full_name} ({log.holder_label.lower()})")]
    for p in log.participants.filter(removed_at__isnull=True).select_related("person", "unit"):
        choices.append((p.person, f"{p.person.full_name} ({p.unit.name})"))
    guardian, child = _("foresatt"), _("barnet selv")
    for g in actions.guardians_of(log.subject):
        choices.append((g, f"{g.full_name} ({guardian})"))
    choices.append((log.subject, f"{log.subject.full_name} ({child})"))
    return choices


@needs(Action.EDIT_PLAN)
@require_http_methods(["GET", "POST"])
@records_read("nytt tiltak")
def add_measure(request: PersonRequest, log: RelayLog, goal_code: str) -> HttpResponse:
    goal = get_object_or_404(Goal, log=log, code=goal_code)
    form = MeasureForm(request.POST or None, choices=_responsible_choices(log))
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_measure(actor=request.user, goal=goal, data=form.measure_data())
        except ValidationError as e:
            add_form_errors(form, e)
        else:
            _hint_message(request, form, _("Tiltaket er lagt til."))
            return _back(log, "mal")
    context = {"log": log, "goal": goal, "form": form}
    return render(request, "logs/measure_form.html", context, status=400 if form.errors else 200)


@needs(Action.EDIT_PLAN)
@require_http_methods(["GET", "POST"])
@records_read("endre tiltak")
def edit_measure(request: PersonRequest, log: RelayLog, measure_code: str) -> HttpResponse:
    measure = get_object_or_404(Measure.objects.select_related("goal"), log=log, code=measure_code)
    initial = {f: getattr(measure, f) for f in ("what", "category", "responsible", "deadline", "evaluation_date")}
    initial["version"] = measure.version
    form = MeasureForm(request.POST or None, initial=initial, choices=_responsible_choices(log))
    if request.method == "POST" and form.is_valid():
        try:
            version = form.cleaned_data["version"] or 0
            actions.update_measure(actor=request.user, measure=measure, version=version, data=form.measure_data())
        except StaleEdit:
            form.add_error(None, StaleEdit.message)
        except ValidationError as e:
            add_form_errors(form, e)
        else:
            _hint_message(request, form, _("Tiltaket er endret."))
            return _back(log, "mal")
    context = {"log": log, "goal": measure.goal, "measure": measure, "form": form}
    return render(request, "logs/measure_form.html", context, status=400 if form.errors else 200)


@needs(Action.EVALUATE_OWN_MEASURE)
@require_http_methods(["GET", "POST"])
@records_read("evalueringsskjema")
def evaluate_measure(request: PersonRequest, log: RelayLog, measure_code: str) -> HttpResponse:
    measure = get_object_or_404(Measure.objects.select_related("responsible"), log=log, code=measure_code)
    if not access.can(request.user, Action.EVALUATE_ANY_MEASURE, log) and measure.responsible_id != request.user.id:
        raise PermissionDenied
    form = EvaluationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = actions.EvaluationData(**form.cleaned_data)
        try:
            actions.evaluate_measure(actor=request.user, measure=measure, data=data)
        except ValidationError as e:
            add_form_errors(form, e)
        else:
            _hint_message(request, form, _("Evalueringen er lagret."))
            return _back(log, "mal")
    evaluations = measure.evaluations.select_related("author")
    context = {"log": log, "measure": measure, "form": form, "evaluations": evaluations}
    return render(request, "logs/evaluation_form.html", context, status=400 if form.errors else 200)


# --- Messages ---------------------------------------------------------------------------


@needs(Action.POST_MESSAGE)
@require_POST
def post_message(request: PersonRequest, log: RelayLog) -> HttpResponse:
    form = MessageForm(request.POST)
    if form.is_valid():
        measure = None
        if form.cleaned_data["measure"]:
            measure = get_object_or_404(Measure, log=log, code=form.cleaned_data["measure"])
        try:
            message = actions.post_message(actor=request.user, log=log, text=form.cleaned_data["text"], measure=measure)
        except ValidationError as e:
            add_form_errors(form, e, default_field="text")
        else:
            if request.htmx:
                return render(request, "logs/_message.html", {"message": message})
            messages.success(request, _("Meldingen er sendt.") if measure is None else _("Kommentaren er lagret."))
            return _back(log, "meldinger" if measure is None else f"tiltak-{measure.code}")
    return render(request, "logs/message_error.html", {"log": log, "form": form}, status=400)


@needs(Action.EDIT_PLAN)
@require_http_methods(["GET", "POST"])
@records_read("endre mål")
def edit_goal(request: PersonRequest, log: RelayLog, goal_code: str) -> HttpResponse:
    goal = get_object_or_404(Goal, log=log, code=goal_code)
    form = GoalEditForm(request.POST or None, initial={"text": goal.text, "version": goal.version})
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_goal(
                actor=request.user, goal=goal, version=form.cleaned_data["version"], text=form.cleaned_data["text"]
            )
        except StaleEdit:
            form.add_error(None, StaleEdit.message)
        except ValidationError as e:
            add_form_errors(form, e)
        else:
            _hint_message(request, form, _("Målet er endret."))
            return _back(log, "mal")
    return render(request, "logs/goal_form.html", {"log": log, "form": form}, status=400 if form.errors else 200)
