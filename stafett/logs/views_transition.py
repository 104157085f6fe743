"""Transitions: start the routine, notify the school, the principal adds the contact teacher,
transition meetings 1 and 2. The log page shows which step is due and what is missing."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from stafett.access import Action, PersonRequest, needs
from stafett.lib.forms import add_form_errors
from stafett.logs import actions, transitions
from stafett.logs.forms import ContactTeacherForm, TransitionForm, TransitionMeetingForm
from stafett.logs.models import RelayLog, Transition


def _back(log: RelayLog) -> HttpResponse:
    return redirect(f"/logg/{log.code}/#overgang")


@needs(Action.EDIT_PLAN)
@require_http_methods(["GET", "POST"])
def start(request: PersonRequest, log: RelayLog) -> HttpResponse:
    form = TransitionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.start_transition(actor=request.user, log=log, **form.cleaned_data)
        except ValidationError as e:
            add_form_errors(form, e)
        else:
            messages.success(request, _("Overgangen er startet. Stegene vises på loggen."))
            return _back(log)
    return render(request, "logs/transition_form.html", {"log": log, "form": form}, status=400 if form.errors else 200)


@needs(Action.EDIT_PLAN)
@require_POST
def notify(request: PersonRequest, log: RelayLog, transition_code: str) -> HttpResponse:
    transition = get_object_or_404(Transition, log=log, code=transition_code)
    try:
        actions.notify_school(actor=request.user, transition=transition)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("%(unit)s er varslet.") % {"unit": transition.to_unit.name})
    return _back(log)


@needs(Action.ADD_CONTACT_TEACHER)
@require_http_methods(["GET", "POST"])
def contact_teacher(request: PersonRequest, log: RelayLog, transition_code: str) -> HttpResponse:
    transition = get_object_or_404(Transition.objects.select_related("to_unit"), log=log, code=transition_code)
    form = ContactTeacherForm(request.POST or None, unit=transition.to_unit)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_contact_teacher(actor=request.user, transition=transition, teacher=form.cleaned_data["teacher"])
        except ValidationError as e:
            add_form_errors(form, e, default_field="teacher")
        else:
            messages.success(
                request, _("%(name)s er lagt til som kontaktlærer.") % {"name": form.cleaned_data["teacher"].full_name}
            )
            return _back(log)
    context = {"log": log, "transition": transition, "form": form}
    return render(request, "logs/contact_teacher_form.html", context, status=400 if form.errors else 200)


@needs(Action.EDIT_PLAN)
@require_http_methods(["GET", "POST"])
def meeting(request: PersonRequest, log: RelayLog, transition_code: str, number: int) -> HttpResponse:
    """Call transition meeting 1 or 2; a meeting already called is moved, not doubled."""
    transition = get_object_or_404(Transition, log=log, code=transition_code)
    if number not in (1, 2):
        raise Http404
    existing = getattr(transition, f"meeting_{number}")
    if existing is not None and existing.cancelled_at is not None:
        existing = None  # a cancelled meeting stays in the log; a new one is called
    initial = {"starts_at": timezone.localtime(existing.starts_at), "place": existing.place} if existing else None
    form = TransitionMeetingForm(request.POST or None, initial=initial, number=number)
    if request.method == "POST" and form.is_valid():
        try:
            actions.schedule_transition_meeting(
                actor=request.user, transition=transition, number=number, **form.cleaned_data
            )
        except ValidationError as e:
            add_form_errors(form, e)
        else:
            done = (
                _("Overgangsmøte %(number)s er flyttet. Last ned invitasjonen under «Møter».")
                if existing
                else _("Overgangsmøte %(number)s er kalt inn. Last ned invitasjonen under «Møter».")
            )
            messages.success(request, done % {"number": number})
            return _back(log)
    context = {
        "log": log,
        "transition": transition,
        "form": form,
        "number": number,
        "existing": existing,
        "deadline": transitions.meeting_deadline(transition, number),
        "measures": transitions.measures_to_evaluate(transition) if number == 2 else [],
    }
    return render(request, "logs/transition_meeting_form.html", context, status=400 if form.errors else 200)
