"""Families without BankID (issue 15 §7): the holder's page to register a guardian, check their
number, send a code and print; and the code page the guardian uses without login.

The code page is @public (there is no login to ask for); what it shows is decided by
access.require_assisted_reading (the ASSISTED_GUARDIAN relation), after the session's code.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stafett import access
from stafett.access import Action, PersonRequest, needs, public
from stafett.archive.pdf import html_to_pdf, log_context, log_html
from stafett.audit.ratelimit import rate_limited
from stafett.lib.forms import add_form_errors
from stafett.logs.actions import assisted
from stafett.logs.actions.common import guardians_of, record_view
from stafett.logs.forms_assisted import CodeForm, RegisterAssistedForm, VerifyPhoneForm
from stafett.logs.models import AssistedCode, AssistedGuardian, RelayLog

SESSION_KEY = "stafett_assisted_reading"


def _registrations(log: RelayLog) -> list[AssistedGuardian]:
    return list(
        AssistedGuardian.objects.filter(log=log, ended_at__isnull=True)
        .select_related("guardian", "registered_by", "phone_verified_by")
        .order_by("registered_at")
    )


def _page(request: PersonRequest, log: RelayLog, form: RegisterAssistedForm, status: int = 200) -> HttpResponse:
    context = {
        "log": log,
        "form": form,
        "registrations": _registrations(log),
        "phone_form": VerifyPhoneForm(),
        "shielded": log.guardians_shielded_at is not None,
        "session_minutes": assisted.SESSION_MINUTES,
    }
    return render(request, "logs/assisted_guardians.html", context, status=status)


def _register_form(request: PersonRequest, log: RelayLog) -> RegisterAssistedForm:
    registered = {r.guardian_id for r in _registrations(log)}
    guardians = [g for g in guardians_of(log.subject) if g.id not in registered]
    return RegisterAssistedForm(request.POST or None, guardians=guardians)


def _back(log: RelayLog) -> HttpResponse:
    return redirect("logs:assisted_guardians", log_code=log.code)


def _registration(log: RelayLog, assisted_guardian_code: str) -> AssistedGuardian:
    return get_object_or_404(
        AssistedGuardian.objects.select_related("guardian", "log__subject"), log=log, code=assisted_guardian_code
    )


@needs(Action.ASSIST_GUARDIAN)
@require_http_methods(["GET", "POST"])
def assisted_guardians(request: PersonRequest, log: RelayLog) -> HttpResponse:
    form = _register_form(request, log)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            registration = assisted.register_assisted_guardian(
                actor=request.user,
                log=log,
                guardian=form.chosen_guardian(),
                reason=d["reason"],
                phone=d["phone"],
                phone_checked=d["phone_checked"],
            )
        except ValidationError as e:
            add_form_errors(form, e, default_field="guardian")
        else:
            messages.success(
                request, _("%(name)s er registrert uten elektronisk ID.") % {"name": registration.guardian.full_name}
            )
            return _back(log)
    return _page(request, log, form, status=400 if form.errors else 200)


@needs(Action.ASSIST_GUARDIAN)
@require_POST
def verify_phone(request: PersonRequest, log: RelayLog, assisted_guardian_code: str) -> HttpResponse:
    registration = _registration(log, assisted_guardian_code)
    form = VerifyPhoneForm(request.POST)
    if form.is_valid():
        try:
            assisted.verify_phone(actor=request.user, registration=registration, phone=form.cleaned_data["phone"])
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(
                request, _("Mobilnummeret til %(name)s er kontrollert.") % {"name": registration.guardian.full_name}
            )
        return _back(log)
    messages.error(request, _("Skriv mobilnummeret og kryss av for at du har kontrollert det med den foresatte."))
    return _back(log)


@needs(Action.ASSIST_GUARDIAN)
@require_POST
def send_code(request: PersonRequest, log: RelayLog, assisted_guardian_code: str) -> HttpResponse:
    registration = _registration(log, assisted_guardian_code)
    try:
        row = assisted.send_code(actor=request.user, registration=registration)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        until = timezone.localtime(row.expires_at).strftime("%H:%M")
        messages.success(
            request,
            _("En engangskode er sendt på SMS til %(name)s (gjelder til kl. %(until)s).")
            % {"name": registration.guardian.full_name, "until": until},
        )
    return _back(log)


@needs(Action.ASSIST_GUARDIAN)
@require_POST
def end_assisted(request: PersonRequest, log: RelayLog, assisted_guardian_code: str) -> HttpResponse:
    registration = _registration(log, assisted_guardian_code)
    try:
        assisted.end_assisted(actor=request.user, registration=registration)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("Ordningen for %(name)s er avsluttet.") % {"name": registration.guardian.full_name})
    return _back(log)


def _printout(request: PersonRequest, log: RelayLog, assisted_guardian_code: str) -> AssistedGuardian | HttpResponse:
    registration = _registration(log, assisted_guardian_code)
    try:
        assisted.record_printout(actor=request.user, registration=registration)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
        return _back(log)
    return registration


@needs(Action.ASSIST_GUARDIAN)
@require_GET
def print_page(request: PersonRequest, log: RelayLog, assisted_guardian_code: str) -> HttpResponse:
    """The guardian's view to print and hand over (the browser's print, or the PDF)."""
    registration = _printout(request, log, assisted_guardian_code)
    if isinstance(registration, HttpResponse):
        return registration
    context = {**log_context(log), "registration": registration}
    return render(request, "logs/assisted_print.html", context)


@needs(Action.ASSIST_GUARDIAN)
@require_GET
def print_pdf(request: PersonRequest, log: RelayLog, assisted_guardian_code: str) -> HttpResponse:
    registration = _printout(request, log, assisted_guardian_code)
    if isinstance(registration, HttpResponse):
        return registration
    reason = _("utskrift til %(name)s, som er med uten elektronisk ID") % {"name": registration.guardian.full_name}
    html = log_html(log, reason=reason)
    response = HttpResponse(html_to_pdf(html, identifier=log.code.hex), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="stafettlogg-{timezone.localdate():%Y-%m-%d}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- The guardian, with the code ---------------------------------------------------


def _reading(request: HttpRequest) -> AssistedCode | None:
    held = request.session.get(SESSION_KEY) or {}
    return assisted.open_reading(held.get("code"), held.get("token"))


@public
@sensitive_post_parameters("code")
@require_http_methods(["GET", "POST"])
@rate_limited("assisted_code")
def code_page(request: HttpRequest) -> HttpResponse:
    """A fixed address; the code goes in the form body, never in the URL."""
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reading = assisted.redeem_code(text=form.cleaned_data["code"])
        except assisted.CodeRefused as e:
            form.add_error("code", str(e))
        else:
            request.session.cycle_key()
            request.session[SESSION_KEY] = {"code": reading.code.pk, "token": reading.token}
            return redirect("logs:assisted_reading")
    return render(request, "logs/assisted_code.html", {"form": form}, status=400 if form.errors else 200)


@public
@require_GET
def reading_page(request: HttpRequest) -> HttpResponse:
    """The guardian's own view, read-only: no access log of others, no messages form."""
    code = _reading(request)
    if code is None:
        request.session.pop(SESSION_KEY, None)
        messages.info(request, _("Lesingen er avsluttet eller har gått ut. Be stafettholderen om en ny kode."))
        return redirect("logs:assisted_code")
    guardian, log = code.registration.guardian, code.registration.log
    log = access.get_log(log.code)
    try:
        access.require_assisted_reading(guardian, log)
    except Http404:
        request.session.pop(SESSION_KEY, None)
        raise
    record_view(actor=guardian, log=log, what="lest med engangskode")
    context = {**log_context(log), "guardian": guardian, "session_ends_at": code.session_ends_at}
    response = render(request, "logs/assisted_reading.html", context)
    response["Cache-Control"] = "private, no-store"
    return response


@public
@require_POST
def leave_reading(request: HttpRequest) -> HttpResponse:
    code = _reading(request)
    if code is not None:
        assisted.end_reading(code=code)
    request.session.pop(SESSION_KEY, None)
    messages.info(request, _("Du har avsluttet lesingen."))
    return redirect(reverse("logs:assisted_code"))
