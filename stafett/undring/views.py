"""Level 0 pages: the owner's notes, the reflection, the undringssamtale, clarifying,
and the path for suspected violence or abuse. Only the owner ever gets past @needs."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stafett.access import Action, PersonRequest, needs, signed_in
from stafett.guide.models import GuideStep
from stafett.guide.source import guide_service_for
from stafett.lib.forms import add_form_errors
from stafett.lib.versioning import StaleEdit
from stafett.people.models import Membership, Role, Unit
from stafett.undring import actions
from stafett.undring.forms import ConcernForm, ReflectionForm, TalkForm
from stafett.undring.models import URO_SCALE, ConcernNote, Dimension, Outcome, Step

SESSION_KEY = "undring_til_niva_1"


def _saved(form: forms.Form, save: Callable[[], object]) -> bool:
    """Run the action; on refusal put its Norwegian message on the form instead."""
    try:
        save()
    except StaleEdit as e:
        form.add_error(None, str(e))
    except ValidationError as e:
        add_form_errors(form, e)
    else:
        return True
    return False


def _version(request: PersonRequest, note: ConcernNote) -> int:
    try:
        return int(request.POST.get("version", note.version))
    except ValueError:
        return note.version


@signed_in
@require_GET
def my_notes(request: PersonRequest) -> HttpResponse:
    units = sorted(
        {
            m.unit
            for m in Membership.objects.active()
            .filter(person=request.user, role__in=[Role.EMPLOYEE, Role.LEADER])
            .select_related("unit")
        },
        key=lambda u: u.name,
    )
    return render(request, "undring/my_notes.html", {"notes": actions.open_notes(request.user), "units": units})


@needs(Action.WRITE_NOTE)
@require_http_methods(["GET", "POST"])
def create(request: PersonRequest, unit: Unit) -> HttpResponse:
    form = ReflectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            note = actions.create_note(actor=request.user, unit=unit, reflection=form.reflection())
        except ValidationError as e:
            add_form_errors(form, e)
        else:
            messages.success(request, "Undringen er lagret. Bare du kan lese den.")
            return redirect("undring:detail", note_code=note.code)
    context = {"form": form, "unit": unit, "scale": URO_SCALE}
    return render(request, "undring/reflection_form.html", context, status=400 if form.errors else 200)


@needs(Action.VIEW_NOTE)
@require_GET
def detail(request: PersonRequest, note: ConcernNote) -> HttpResponse:
    context = {
        "note": note,
        "dimensions": Dimension.choices,
        "scale": URO_SCALE,
        "guide_steps": level_zero_steps(note.unit),
    }
    return render(request, "undring/detail.html", context)


def level_zero_steps(unit: Unit) -> list[GuideStep]:
    """The action guide's level 0 for the unit's service (seeds/004), as superusers keep it."""
    service = guide_service_for(unit.service_type)
    return list(GuideStep.objects.filter(service=service, level="0").order_by("number")) if service else []


@needs(Action.EDIT_NOTE)
@require_http_methods(["GET", "POST"])
def edit_reflection(request: PersonRequest, note: ConcernNote) -> HttpResponse:
    form = ReflectionForm(request.POST or None, initial=ReflectionForm.initial_from(note))
    version = _version(request, note)
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form,
            lambda: actions.update_reflection(
                actor=request.user, note=note, version=version, reflection=form.reflection()
            ),
        )
    ):
        messages.success(request, "Undringen er lagret.")
        return redirect("undring:detail", note_code=note.code)
    context = {"form": form, "note": note, "unit": note.unit, "scale": URO_SCALE}
    return render(request, "undring/reflection_form.html", context, status=400 if form.errors else 200)


@needs(Action.EDIT_NOTE)
@require_http_methods(["GET", "POST"])
def talk(request: PersonRequest, note: ConcernNote) -> HttpResponse:
    initial = {"talk_with": note.talk_with, "talk_on": note.talk_on, "talk_result": note.talk_result}
    form = TalkForm(request.POST or None, initial=initial)
    version = _version(request, note)
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form, lambda: actions.record_talk(actor=request.user, note=note, version=version, **form.cleaned_data)
        )
    ):
        messages.success(request, "Undringssamtalen er lagret.")
        return redirect("undring:detail", note_code=note.code)
    return render(request, "undring/talk_form.html", {"form": form, "note": note}, status=400 if form.errors else 200)


@needs(Action.EDIT_NOTE)
@require_http_methods(["GET", "POST"])
def concern(request: PersonRequest, note: ConcernNote) -> HttpResponse:
    form = ConcernForm(request.POST or None, initial={"categories": note.categories, "concern": note.concern})
    version = _version(request, note)
    if (
        request.method == "POST"
        and form.is_valid()
        and _saved(
            form, lambda: actions.record_concern(actor=request.user, note=note, version=version, **form.cleaned_data)
        )
    ):
        messages.success(request, "Bekymringen er konkretisert. Neste steg er å åpne en stafettlogg på nivå 1.")
        return redirect("undring:detail", note_code=note.code)
    return render(
        request, "undring/concern_form.html", {"form": form, "note": note}, status=400 if form.errors else 200
    )


@needs(Action.EDIT_NOTE)
@require_POST
def to_level_one(request: PersonRequest, note: ConcernNote) -> HttpResponse:
    """Go on to open a log with consent; the note is destroyed once the log exists."""
    if note.step != Step.CONCERN:
        messages.error(request, "Konkretiser bekymringen før du går videre til nivå 1.")
        return redirect("undring:detail", note_code=note.code)
    request.session[SESSION_KEY] = str(note.code)
    return redirect("logs:find_child", unit_code=note.unit.code)


@needs(Action.EDIT_NOTE)
@require_http_methods(["GET", "POST"])
def close(request: PersonRequest, note: ConcernNote) -> HttpResponse:
    """«Ikke bekymring»: after a confirmation, the note is destroyed for good."""
    if request.method == "POST":
        actions.close_note(actor=request.user, note=note, outcome=Outcome.NO_CONCERN)
        messages.success(request, "Undringen er avsluttet, og notatet er slettet for godt.")
        return redirect("undring:mine")
    return render(request, "undring/close_confirm.html", {"note": note})


@needs(Action.EDIT_NOTE)
@require_http_methods(["GET", "POST"])
def abuse(request: PersonRequest, note: ConcernNote) -> HttpResponse:
    """Suspected violence or sexual abuse: straight to child welfare, nobody contacts the guardians."""
    if request.method == "POST":
        actions.close_note(actor=request.user, note=note, outcome=Outcome.CHILD_WELFARE)
        messages.success(request, "Undringen er avsluttet som meldt til barnevernet, og notatet er slettet.")
        return redirect("undring:mine")
    context = {"note": note, "dimensions": Dimension.choices, "child_welfare": note.unit.child_welfare_services()}
    return render(request, "undring/abuse.html", context)


def note_waiting_for_log(request: PersonRequest, unit: Unit) -> ConcernNote | None:
    """The owner's concretised note, if they came here from «Gå videre til nivå 1»."""
    code = request.session.get(SESSION_KEY)
    if not code:
        return None
    return ConcernNote.objects.filter(code=code, owner=request.user, unit=unit, step=Step.CONCERN).first()


def forget_note_waiting_for_log(request: PersonRequest) -> None:
    request.session.pop(SESSION_KEY, None)
