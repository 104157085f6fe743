"""The pages behind the API's credentials: a person's «API-nøkler», and the system
administrator's «Systemer» where record systems, archives and data warehouses are registered.
A secret is shown once, on the page that made it, and never again."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from stafett.access import Action, PersonRequest, needs, signed_in
from stafett.api import credentials
from stafett.api.forms import SystemClientForm, TokenForm
from stafett.api.models import PersonalToken, SystemClient
from stafett.lib.forms import add_form_errors
from stafett.people.models import Unit


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


@signed_in
@require_http_methods(["GET", "POST"])
def tokens(request: PersonRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = credentials.create_token(actor=request.user, name=form.cleaned_data["name"])
        except ValidationError as e:
            add_form_errors(form, e, default_field="name")
        else:
            form = TokenForm()
    context = {
        "form": form,
        "issued": issued,
        "tokens": request.user.api_tokens.all(),
    }
    return _no_store(render(request, "api/tokens.html", context, status=400 if form.errors else 200))


@signed_in
@require_POST
def revoke_token(request: PersonRequest, personal_token_code: str) -> HttpResponse:
    token = get_object_or_404(PersonalToken, code=personal_token_code, person=request.user)
    credentials.revoke_token(actor=request.user, token=token)
    messages.success(request, _("Nøkkelen «%(name)s» virker ikke lenger.") % {"name": token.name})
    return redirect("api_pages:tokens")


@needs(Action.MANAGE_SYSTEM_CLIENTS)
@require_http_methods(["GET", "POST"])
def system_clients(request: PersonRequest) -> HttpResponse:
    municipalities = credentials.administered_municipalities(request.user)
    units = Unit.objects.filter(Q(municipality__in=municipalities) | Q(also_serves__in=municipalities)).distinct()
    form = SystemClientForm(request.POST or None, municipalities=municipalities, units=units.order_by("name"))
    issued = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            issued = credentials.register_system(
                actor=request.user,
                name=d["name"],
                municipality=d["municipality"],
                units=list(d["units"]),
                scopes=list(d["scopes"]),
            )
        except ValidationError as e:
            add_form_errors(form, e, default_field="name")
        else:
            form = SystemClientForm(municipalities=municipalities, units=units.order_by("name"))
    context = {"form": form, "issued": issued, "clients": credentials.clients_managed_by(request.user)}
    return _no_store(render(request, "api/systems.html", context, status=400 if form.errors else 200))


@needs(Action.MANAGE_SYSTEM_CLIENTS)
@require_POST
def revoke_system(request: PersonRequest, system_client_code: str) -> HttpResponse:
    managed = {c.code for c in credentials.clients_managed_by(request.user)}
    client = get_object_or_404(SystemClient, code=system_client_code)
    if client.code not in managed:
        return redirect("api_pages:systems")  # another municipality's system: nothing to do here
    credentials.revoke_system(actor=request.user, client=client)
    messages.success(request, _("«%(name)s» har ikke lenger tilgang til API-et.") % {"name": client.name})
    return redirect("api_pages:systems")
