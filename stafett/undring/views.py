"""Level 0 pages: the owner's notes, the reflection, the undringssamtale, clarifying,
and the path for suspected violence or abuse. Only the owner ever gets past @needs."""

import uuid
from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stafett.access import Action, PersonRequest, needs, signed_in
from stafett.guide.models import GuideStep
from stafett.guide.source import guide_service_for
from stafett.lib.forms import add_form_errors
from stafett.lib.versioning import StaleEdit
from stafett.people.models import Membership, Role, Unit
from stafett.undring import actions
from stafett.undring.forms import ConcernForm, DiscussionForm, ReflectionForm, TalkForm
from stafett.undring.models import URO_SCALE, ConcernNote, Dimension, Discussion, Outcome, Step

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
    context = {
        "notes": actions.open_notes(request.user),
        "units": units,
        "discussions": actions.own_discussions(request.user),
    }
    return render(request, "undring/my_notes.html", context)


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
            messages.success(request, _("Undringen er lagret. Bare du kan lese den."))
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
        "discussions": list(note.discussions.all()),
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
        messages.success(request, _("Undringen er lagret."))
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
        messages.success(request, _("Undringssamtalen er lagret."))
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
        messages.success(request, _("Bekymringen er konkretisert. Neste steg er å åpne en stafettlogg på nivå 1."))
        return redirect("undring:detail", note_code=note.code)
    return render(
        request, "undring/concern_form.html", {"form": form, "note": note}, status=400 if form.errors else 200
    )


@needs(Action.EDIT_NOTE)
@require_POST
def to_level_one(request: PersonRequest, note: ConcernNote) -> HttpResponse:
    """Go on to open a log with consent; the note is destroyed once the log exists."""
    if note.step != Step.CONCERN:
        messages.error(request, _("Konkretiser bekymringen før du går videre til nivå 1."))
        return redirect("undring:detail", note_code=note.code)
    request.session[SESSION_KEY] = str(note.code)
    return redirect("logs:find_child", unit_code=note.unit.code)


@needs(Action.EDIT_NOTE)
@require_http_methods(["GET", "POST"])
def close(request: PersonRequest, note: ConcernNote) -> HttpResponse:
    """«Ikke bekymring»: after a confirmation, the note is destroyed for good."""
    if request.method == "POST":
        actions.close_note(actor=request.user, note=note, outcome=Outcome.NO_CONCERN)
        messages.success(request, _("Undringen er avsluttet, og notatet er slettet for godt."))
        return redirect("undring:mine")
    return render(request, "undring/close_confirm.html", {"note": note})


@needs(Action.EDIT_NOTE)
@require_http_methods(["GET", "POST"])
def abuse(request: PersonRequest, note: ConcernNote) -> HttpResponse:
    """Suspected violence or sexual abuse: straight to child welfare, nobody contacts the guardians."""
    if request.method == "POST":
        actions.close_note(actor=request.user, note=note, outcome=Outcome.CHILD_WELFARE)
        messages.success(request, _("Undringen er avsluttet som meldt til barnevernet, og notatet er slettet."))
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


# --- Anonymous discussion with the resource team (seeds/004) ----------------------------


@needs(Action.RECORD_DISCUSSION)
@require_http_methods(["GET", "POST"])
def new_discussion(request: PersonRequest, unit: Unit) -> HttpResponse:
    """A refused national ID number is an error; names from the register are a warning that
    the employee confirms by saving again (the names go back in a hidden field)."""
    notes = ConcernNote.objects.filter(owner=request.user, unit=unit)
    linked = request.GET.get("undring", "")
    initial = {"note": notes.filter(code=linked).first()} if _is_uuid(linked) else {}
    data = request.POST.copy() if request.method == "POST" else None
    form = DiscussionForm(data, initial=initial, teams=actions.resource_teams(unit), notes=notes)
    names_warning = False
    if data is not None and form.is_valid():
        try:
            discussion = actions.record_discussion(
                actor=request.user, unit=unit, data=form.discussion(), confirmed_names=form.confirmed_names()
            )
        except actions.NamesFound as e:
            data["names_seen"] = ",".join(sorted(form.confirmed_names() | set(e.names)))
            form = DiscussionForm(data, teams=actions.resource_teams(unit), notes=notes)
            form.is_valid()
            form.add_error(None, e.messages)
            names_warning = True
        except ValidationError as e:
            add_form_errors(form, e)
        else:
            messages.success(request, _("Drøftingen er registrert. Bare du kan lese den; den telles i statistikken."))
            return redirect("undring:discussion", discussion_code=discussion.code)
    context = {"form": form, "unit": unit, "names_warning": names_warning}
    return render(request, "undring/discussion_form.html", context, status=400 if form.errors else 200)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


@needs(Action.VIEW_DISCUSSION)
@require_GET
def discussion_detail(request: PersonRequest, discussion: Discussion) -> HttpResponse:
    return render(request, "undring/discussion_detail.html", {"discussion": discussion})
