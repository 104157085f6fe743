"""Consent renewal and withdrawal, handover of the baton, closing, reopening, deletion, printout."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from stafett import access
from stafett.access import Action, PersonRequest, needs, signed_in
from stafett.archive.pdf import render_log_pdf
from stafett.lib.forms import add_form_errors
from stafett.logs import actions
from stafett.logs.forms import AcceptHandoverForm, CloseForm, DeclineForm, HandoverForm, RenewConsentForm, ReopenForm
from stafett.logs.models import FormerHolder, Handover, HandoverStatus, RelayLog, current_consent
from stafett.logs.views import member_choices, preselected
from stafett.people.models import Person, Unit


def _consent_data(form: RenewConsentForm, log: RelayLog, unit: Unit) -> actions.ConsentData:
    d = form.cleaned_data
    return actions.ConsentData(
        services=d["services"],
        signatories=list(d["signatories"]),
        document=d["document"],
        collected_at_unit=unit,
        valid_until=d["valid_until"],
        not_shared=d["not_shared"],
        level=d["level"],
        unsigned_reason=d["unsigned_reason"],
        unsigned_note=d["unsigned_note"],
    )


def _signing(log: RelayLog) -> dict[str, list[Person]]:
    """Who the consent form offers as signatories (actions.may_sign), and who must sign."""
    return {"signers": actions.may_sign(log.subject, log.unit), "guardians": actions.guardians_of(log.subject)}


def _last_terms(log: RelayLog) -> dict[str, object]:
    """A renewal starts from the last consent's terms, even when it has run out (issue 15 §8)."""
    last = log.consents.order_by("-created_at", "-id").first()
    return {"services": last.services, "not_shared": last.not_shared, "level": last.level} if last else {}


@needs(Action.RENEW_CONSENT)
@require_http_methods(["GET", "POST"])
def renew_consent(request: PersonRequest, log: RelayLog) -> HttpResponse:
    form = RenewConsentForm(request.POST or None, request.FILES or None, initial=_last_terms(log), **_signing(log))
    if request.method == "POST" and form.is_valid():
        before = set(log.participants.filter(removed_at__isnull=True).values_list("pk", flat=True))
        try:
            actions.renew_consent(actor=request.user, log=log, consent=_consent_data(form, log, log.unit))
        except ValidationError as e:
            add_form_errors(form, e)
        else:
            messages.success(request, _("Det nye samtykket er registrert. Det gamle ligger i historikken."))
            lost = log.participants.filter(pk__in=before, removed_at__isnull=False).select_related("person", "unit")
            for p in lost:
                messages.warning(
                    request,
                    _("%(name)s (%(unit)s) har ikke lenger tilgang: samtykket gjelder ikke %(service)s.")
                    % {
                        "name": p.person.full_name,
                        "unit": p.unit.name,
                        "service": p.unit.get_service_type_display().lower(),
                    },
                )
            return redirect("logs:detail", log_code=log.code)
    return render(request, "logs/renew_consent.html", {"log": log, "form": form}, status=400 if form.errors else 200)


@needs(Action.WITHDRAW_CONSENT)
@require_http_methods(["GET", "POST"])
def withdraw_consent(request: PersonRequest, log: RelayLog) -> HttpResponse:
    relations = access.relations_to(request.user, log)
    on_paper = not relations & {access.Relation.GUARDIAN, access.Relation.YOUTH}
    if request.method == "POST":
        try:
            actions.withdraw_consent(actor=request.user, log=log, on_paper=on_paper)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(
                request, _("Samtykket er trukket tilbake. Loggen er nå passiv, og deltakerne har ikke lenger tilgang.")
            )
        return redirect("logs:detail", log_code=log.code)
    return render(request, "logs/withdraw_consent.html", {"log": log, "on_paper": on_paper})


def _handover_choices(log: RelayLog, actor: Person) -> list[tuple[str, str]]:
    """Staff at services the consent covers — never the one proposing (SPEC §3)."""
    consent = current_consent(log)
    services = set(consent.services) if consent else set()
    return [
        (key, label)
        for key, label, unit in member_choices(log, with_units=True)
        if unit.service_type in services and not key.startswith(f"{actor.code}:")
    ]


@needs(Action.HAND_OVER)
@require_http_methods(["GET", "POST"])
def propose_handover(request: PersonRequest, log: RelayLog) -> HttpResponse:
    members = _handover_choices(log, request.user)
    form = HandoverForm(request.POST or None, members=members, initial=preselected(request, members))
    if request.method == "POST" and form.is_valid():
        person_code, unit_code = form.cleaned_data["member"].split(":")
        to = get_object_or_404(Person, code=person_code)
        unit = get_object_or_404(Unit, code=unit_code)
        try:
            actions.propose_handover(actor=request.user, log=log, to=to, unit=unit, note=form.cleaned_data["note"])
        except ValidationError as e:
            add_form_errors(form, e, default_field="member")
        else:
            messages.success(
                request,
                _("%(name)s er spurt om å overta. Til det er godtatt, er %(holder)s %(role)s.")
                % {"name": to.full_name, "holder": log.holder.full_name, "role": log.holder_label.lower()},
            )
            if access.can(request.user, Action.VIEW_LOG, log):
                return redirect("logs:detail", log_code=log.code)
            if access.can(request.user, Action.VIEW_UNIT_OVERVIEW, log.unit):
                return redirect("followup:unit_overview", unit_code=log.unit.code)
            return redirect("core:start")
    return render(request, "logs/handover_form.html", {"log": log, "form": form}, status=400 if form.errors else 200)


@signed_in
@require_http_methods(["GET", "POST"])
def answer_handover(request: PersonRequest, handover_code: str) -> HttpResponse:
    """The proposed holder accepts or declines; others who can read the log get 403, anyone else 404."""
    handover = (
        Handover.objects.select_related("log__subject", "log__unit", "from_holder", "to_unit")
        .filter(code=handover_code)
        .first()
    )
    if handover is None:
        raise Http404
    if handover.status != HandoverStatus.PROPOSED and handover.to_person_id == request.user.id:
        messages.info(
            request, _("Forslaget er allerede %(status)s.") % {"status": handover.get_status_display().lower()}
        )
        return redirect("core:start")
    # Until they accept, the proposed holder sees only what is needed to answer (access.POLICY).
    access.require(request.user, Action.ANSWER_HANDOVER, handover.log)
    if handover.to_person_id != request.user.id:
        raise access.PermissionDenied
    form = DeclineForm(request.POST or None)
    accept = AcceptHandoverForm(request.POST or None)
    if request.method == "POST" and handover.status == HandoverStatus.PROPOSED:
        try:
            if "accept" in request.POST and accept.is_valid():
                actions.accept_handover(actor=request.user, handover=handover, **accept.old_holder_choice())
                log = handover.log
                messages.success(
                    request,
                    _("Du er nå %(role)s for %(name)s.")
                    % {"role": log.holder_label.lower(), "name": log.subject.full_name},
                )
                return redirect("logs:detail", log_code=handover.log.code)
            if form.is_valid():
                actions.decline_handover(actor=request.user, handover=handover, reason=form.cleaned_data["reason"])
                label = handover.log.holder_label.lower()
                messages.info(
                    request,
                    _("Du har sagt nei. %(name)s er fortsatt %(role)s.")
                    % {"name": handover.from_holder.full_name, "role": label},
                )
                return redirect("core:start")
        except ValidationError as e:
            (accept if "accept" in request.POST else form).add_error(None, e.messages)
    status = 400 if form.errors or accept.errors else 200
    context = {"handover": handover, "form": form, "accept": accept}
    return render(request, "logs/handover_answer.html", context, status=status)


@needs(Action.MANAGE_PARTICIPANTS)
@require_POST
def end_former_holder(request: PersonRequest, log: RelayLog, former_holder_code: str) -> HttpResponse:
    """Issue 15 §8: the holder ends a passive former holder's reading of the history."""
    former = get_object_or_404(FormerHolder.objects.select_related("person", "log"), code=former_holder_code, log=log)
    try:
        actions.end_former_holder(actor=request.user, former=former)
    except ValidationError as e:
        messages.error(request, " ".join(e.messages))
    else:
        messages.success(request, _("%(name)s kan ikke lenger lese loggen.") % {"name": former.person.full_name})
    return redirect(reverse("logs:detail", args=[log.code]) + "#deltakere")


@needs(Action.CLOSE_LOG)
@require_http_methods(["GET", "POST"])
def close_log(request: PersonRequest, log: RelayLog) -> HttpResponse:
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            closed = actions.close_log(actor=request.user, log=log, reason=form.cleaned_data["reason"])
        except ValidationError as e:
            add_form_errors(form, e, default_field="reason")
        else:
            return render(request, "logs/closed.html", {"log": closed.log, "record_line": closed.record_line})
    return render(request, "logs/close_form.html", {"log": log, "form": form}, status=400 if form.errors else 200)


@needs(Action.CLOSE_LOG)
@require_http_methods(["GET", "POST"])
def delete_content(request: PersonRequest, log: RelayLog) -> HttpResponse:
    if request.method == "POST":
        try:
            actions.delete_content(actor=request.user, log=log)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(
                request, _("Innholdet er slettet. Arkivkopien og loggen over hvem som har gjort hva, er tatt vare på.")
            )
        return redirect("logs:detail", log_code=log.code)
    return render(request, "logs/delete_confirm.html", {"log": log})


@needs(Action.VIEW_LOG)
@require_http_methods(["GET", "POST"])
def reopen_log(request: PersonRequest, log: RelayLog) -> HttpResponse:
    access.require(request.user, Action.OPEN_LOG, log.unit)
    form = ReopenForm(request.POST or None, request.FILES or None, initial=_last_terms(log), **_signing(log))
    if request.method == "POST" and form.is_valid():
        try:
            data = _consent_data(form, log, log.unit)
            actions.reopen_log(actor=request.user, log=log, consent=data, concern=form.cleaned_data["concern"])
        except ValidationError as e:
            add_form_errors(form, e)
        else:
            messages.success(request, _("Loggen er åpnet igjen med nytt samtykke. Du er stafettholder."))
            return redirect("logs:detail", log_code=log.code)
    return render(request, "logs/reopen.html", {"log": log, "form": form}, status=400 if form.errors else 200)


@needs(Action.EXPORT)
@require_GET
def printout(request: PersonRequest, log: RelayLog) -> HttpResponse:
    actions.record_view(actor=request.user, log=log, what="utskrift")
    try:
        pdf = render_log_pdf(log, reason=_("Utskrift"))
    except OSError:  # WeasyPrint without the Pango system library
        return render(request, "logs/printout_unavailable.html", {"log": log}, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="stafettlogg-{log.created_at:%Y%m%d}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@needs(Action.SHIELD_FROM_GUARDIANS)
@require_http_methods(["GET", "POST"])
def suspected_abuse(request: PersonRequest, log: RelayLog) -> HttpResponse:
    """«Mistanke om vold eller overgrep»: the duty to report, child welfare's contacts, and
    shielding the log from the guardians at once."""
    if request.method == "POST":
        actions.shield_from_guardians(actor=request.user, log=log)
        messages.success(request, _("Loggen er skjermet. De foresatte ser den ikke og får ingen varsler om den."))
        return redirect("logs:suspected_abuse", log_code=log.code)
    context = {"log": log, "child_welfare": log.unit.child_welfare_services()}
    return render(request, "logs/suspected_abuse.html", context)
