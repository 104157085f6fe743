"""Digital consent: the holder asks, guardians (and the youth by age) answer after logging in."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from stafett.access import Action, PersonRequest, needs, signed_in
from stafett.audit.ratelimit import rate_limited
from stafett.lib.forms import add_form_errors
from stafett.logs import actions
from stafett.logs.actions import LogStart
from stafett.logs.family_answer_page import FamilyQuestion, answer_page
from stafett.logs.forms import DigitalConsentForm
from stafett.logs.models import ConsentRequest, ConsentRequestStatus, RelayLog
from stafett.people.models import Person, Unit


def _terms(form: DigitalConsentForm) -> actions.ConsentTerms:
    d = form.cleaned_data
    return actions.ConsentTerms(
        services=d["services"], valid_until=d["valid_until"], not_shared=d["not_shared"], level=d["level"]
    )


@needs(Action.OPEN_LOG)
@require_http_methods(["GET", "POST"])
def open_with_digital_consent(request: PersonRequest, unit: Unit, person_code: str) -> HttpResponse:
    child = get_object_or_404(Person, code=person_code, national_id__isnull=False)
    form = DigitalConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            consent_request = actions.open_log_with_digital_consent(
                actor=request.user, start=LogStart(subject=child, unit=unit), terms=_terms(form)
            )
        except ValidationError as e:
            add_form_errors(form, e)
        else:
            messages.success(
                request,
                _(
                    "Stafettloggen er opprettet og venter på samtykke. "
                    "De foresatte ser forespørselen når de logger inn."
                ),
            )
            return redirect("logs:detail", log_code=consent_request.log.code)
    context = {"unit": unit, "child": child, "form": form}
    return render(request, "logs/digital_consent_form.html", context, status=400 if form.errors else 200)


@needs(Action.RENEW_CONSENT)
@require_http_methods(["GET", "POST"])
def request_digital_consent(request: PersonRequest, log: RelayLog) -> HttpResponse:
    form = DigitalConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.request_consent(actor=request.user, log=log, terms=_terms(form))
        except ValidationError as e:
            add_form_errors(form, e)
        else:
            messages.success(request, _("Forespørselen om samtykke er sendt til de foresatte."))
            return redirect("logs:detail", log_code=log.code)
    context = {"log": log, "child": log.subject, "form": form}
    return render(request, "logs/digital_consent_form.html", context, status=400 if form.errors else 200)


@signed_in
@require_http_methods(["GET", "POST"])
@rate_limited("consent_answer")
def answer_consent(request: PersonRequest, request_code: str) -> HttpResponse:
    consent_request = (
        ConsentRequest.objects.select_related("log__subject", "log__unit", "log__holder", "requested_by")
        .filter(code=request_code)
        .first()
    )
    if consent_request is None:
        raise Http404
    return answer_page(
        request,
        FamilyQuestion(
            log=consent_request.log,
            signers=list(consent_request.required_signers.all()),
            answers=consent_request.approvals.all(),
            is_open=consent_request.status == ConsentRequestStatus.PENDING,
            answer=lambda approve, method: actions.answer_consent(
                actor=request.user, request=consent_request, approve=approve, authenticated_by=method
            ),
            said_yes=_("Takk. Samtykket ditt er registrert."),
            said_no=_("Du har sagt nei. Ingen opplysninger deles, og stafettholderen får beskjed."),
            template="logs/consent_answer.html",
            context={"consent_request": consent_request},
        ),
    )
