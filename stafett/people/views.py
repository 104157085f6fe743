"""Staff lists (for leaders) and the person register (for system administrators)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from stafett import access
from stafett.access import Action, PersonRequest, needs
from stafett.audit.ratelimit import rate_limited
from stafett.lib import national_id as nid
from stafett.lib.forms import add_form_errors
from stafett.lib.paging import page_of
from stafett.logs.guardians import link_guardian
from stafett.logs.orphans import tell_holders_after_staff_left
from stafett.people import actions
from stafett.people.forms import FindPersonForm, GuardianForm, PersonForm, StaffEndForm, StaffForm, StaffImportForm
from stafett.people.models import Guardianship, Membership, Person, Role, Unit
from stafett.people.staff_csv import CsvFileError, parse_staff_csv

# --- Units and staff lists -------------------------------------------------


@needs(Action.USE_ADMIN)
@require_GET
def unit_list(request: PersonRequest) -> HttpResponse:
    municipality_ids = (
        Membership.objects.active().filter(person=request.user, role=Role.SYSTEM_ADMIN).values("unit__municipality_id")
    )
    units = (
        Unit.objects.filter(Q(municipality_id__in=municipality_ids) | Q(also_serves__in=municipality_ids))
        .distinct()
        .select_related("municipality")
        .order_by("municipality__name", "name")
    )
    return render(request, "people/unit_list.html", {"units": page_of(request, units)})


def _staff_context(request: PersonRequest, unit: Unit, form: StaffForm | None = None) -> dict[str, object]:
    staff = (
        Membership.objects.active()
        .filter(unit=unit)
        .select_related("person")
        .order_by("person__family_name", "person__given_name", "role")
    )
    may_manage = access.can(request.user, Action.MANAGE_STAFF, unit)
    if may_manage and form is None:
        form = StaffForm(roles=actions.assignable_roles(request.user, unit))
    return {"unit": unit, "staff": page_of(request, staff), "form": form, "may_manage": may_manage}


@needs(Action.VIEW_STAFF)
@require_GET
def staff_list(request: PersonRequest, unit: Unit) -> HttpResponse:
    return render(request, "people/staff_list.html", _staff_context(request, unit))


@needs(Action.MANAGE_STAFF)
@require_http_methods(["POST"])
def staff_add(request: PersonRequest, unit: Unit) -> HttpResponse:
    roles = actions.assignable_roles(request.user, unit)
    form = StaffForm(request.POST, roles=roles)
    if form.is_valid():
        try:
            membership = actions.add_staff(actor=request.user, unit=unit, entry=form.entry())
        except ValidationError as e:
            add_form_errors(form, e)
        else:
            messages.success(
                request, _("%(name)s er lagt til på ansattlisten.") % {"name": membership.person.full_name}
            )
            if request.htmx:
                return render(request, "people/_staff_section.html", _staff_context(request, unit))
            return redirect("people:staff", unit_code=unit.code)
    template = "people/_staff_section.html" if request.htmx else "people/staff_list.html"
    return render(request, template, _staff_context(request, unit, form), status=400)


@needs(Action.MANAGE_STAFF)
@require_http_methods(["GET", "POST"])
def staff_end(request: PersonRequest, unit: Unit, membership_code: str) -> HttpResponse:
    membership = get_object_or_404(
        Membership.objects.active().select_related("person", "unit"), code=membership_code, unit=unit
    )
    error = None
    form = StaffEndForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        on = form.cleaned_data["on"]
        try:
            with transaction.atomic():
                actions.end_membership(actor=request.user, membership=membership, on=on)
                if on is None or on <= timezone.localdate():
                    # issue 14 §2: the holders hear now of measures left without a responsible person;
                    # a later end date is the daily job's (logs/orphans.py).
                    tell_holders_after_staff_left(membership.person, unit)
        except ValidationError as e:
            error = " ".join(e.messages)
        else:
            if on and on > timezone.localdate():
                messages.success(
                    request,
                    _("%(name)s slutter %(date)s.") % {"name": membership.person.full_name, "date": f"{on:%d.%m.%Y}"},
                )
            else:
                messages.success(
                    request, _("%(name)s er tatt av ansattlisten.") % {"name": membership.person.full_name}
                )
            return redirect("people:staff", unit_code=unit.code)
    return render(
        request,
        "people/staff_end.html",
        {"unit": unit, "membership": membership, "error": error, "form": form},
        status=400 if error or form.errors else 200,
    )


@needs(Action.MANAGE_STAFF)
@require_http_methods(["GET", "POST"])
def staff_import(request: PersonRequest, unit: Unit) -> HttpResponse:
    context: dict[str, object] = {"unit": unit}
    form = StaffImportForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            rows = parse_staff_csv(form.cleaned_data["file"].read())
        except CsvFileError as e:
            form.add_error("file", str(e))
        else:
            result = actions.import_staff(actor=request.user, unit=unit, rows=rows)
            if result.ok:
                messages.success(
                    request,
                    ngettext(
                        "%(n)d ansatt er lagt til fra filen.", "%(n)d ansatte er lagt til fra filen.", len(result.added)
                    )
                    % {"n": len(result.added)},
                )
                return redirect("people:staff", unit_code=unit.code)
            context["errors"] = result.errors
            context["row_count"] = len(rows)
    if request.method == "POST" and (form.errors or "errors" in context):
        status = 400
    context["form"] = form
    return render(request, "people/staff_import.html", context, status=status)


@needs(Action.MANAGE_STAFF)
@require_GET
def staff_csv_template(request: PersonRequest, unit: Unit) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ansatte-mal.csv"'
    response.write("\ufefffornavn;etternavn;e-post;mobil;stilling;rolle\n")
    response.write("Kari;Nordmann;kari.nordmann@kommune.no;40000000;pedagogisk leder;ansatt\n")
    return response


# --- The person register ---------------------------------------------------
# National ID numbers travel only in POST bodies, never in URLs (they would
# end up in web server logs and browser history).


@sensitive_post_parameters("national_id")
@needs(Action.MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
@rate_limited("national_id")
def person_search(request: PersonRequest) -> HttpResponse:
    form = FindPersonForm(request.POST or None)
    not_found = False
    if request.method == "POST" and form.is_valid():
        person = Person.objects.by_national_id(form.cleaned_data["national_id"]).first()
        if person is not None:
            return redirect("people:person_detail", code=person.code)
        not_found = True
    return render(request, "people/person_search.html", {"form": form, "not_found": not_found})


@sensitive_post_parameters("national_id")
@needs(Action.MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
@rate_limited("national_id")
def person_register(request: PersonRequest) -> HttpResponse:
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = actions.register_person(actor=request.user, data=form.person_data())
        except ValidationError as e:
            add_form_errors(form, e)
        else:
            messages.success(request, _("%(name)s er registrert.") % {"name": person.full_name})
            return redirect("people:person_detail", code=person.code)
    status = 400 if form.errors else 200
    return render(request, "people/person_register.html", {"form": form}, status=status)


def _person(code: str) -> Person:
    return get_object_or_404(Person, code=code)


def _person_context(person: Person, guardian_form: GuardianForm | None = None) -> dict[str, object]:
    return {
        "person": person,
        "masked_id": nid.mask(person.national_id),
        "guardianships": Guardianship.objects.filter(child=person).select_related("guardian"),
        "wards": Guardianship.objects.filter(guardian=person).select_related("child"),
        "memberships": Membership.objects.active().filter(person=person).select_related("unit"),
        "guardian_form": guardian_form or GuardianForm(),
    }


@needs(Action.MANAGE_PEOPLE)
@require_GET
def person_detail(request: PersonRequest, code: str) -> HttpResponse:
    return render(request, "people/person_detail.html", _person_context(_person(code)))


@sensitive_post_parameters("national_id")
@needs(Action.MANAGE_PEOPLE)
@require_http_methods(["POST"])
@rate_limited("national_id")
def guardian_add(request: PersonRequest, code: str) -> HttpResponse:
    child = _person(code)
    form = GuardianForm(request.POST)
    if form.is_valid():
        guardian = Person.objects.by_national_id(form.cleaned_data["national_id"]).first()
        if guardian is None:
            form.add_error("national_id", _("Fant ingen person med dette nummeret. Registrer personen først."))
        else:
            try:
                link_guardian(actor=request.user, child=child, guardian=guardian, kind=form.cleaned_data["kind"])
            except ValidationError as e:
                add_form_errors(form, e)
            else:
                messages.success(request, _("%(name)s er registrert som foresatt.") % {"name": guardian.full_name})
                return redirect("people:person_detail", code=child.code)
    return render(request, "people/person_detail.html", _person_context(child, form), status=400)


@needs(Action.MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
def guardian_remove(request: PersonRequest, code: str, guardian_code: str) -> HttpResponse:
    guardianship = (
        Guardianship.objects.select_related("child", "guardian")
        .filter(child__code=code, guardian__code=guardian_code)
        .first()
    )
    if guardianship is None:
        raise Http404
    if request.method == "POST":
        actions.remove_guardian(actor=request.user, guardianship=guardianship)
        messages.success(
            request, _("%(name)s er ikke lenger registrert som foresatt.") % {"name": guardianship.guardian.full_name}
        )
        return redirect("people:person_detail", code=guardianship.child.code)
    return render(request, "people/guardian_remove.html", {"guardianship": guardianship})
