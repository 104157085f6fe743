"""Issue 15 §4: the family answers about a new participant; the holder records a paper approval."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from stafett.access import Action, PersonRequest, needs, signed_in
from stafett.audit.ratelimit import rate_limited
from stafett.lib.forms import BoundedForm, add_form_errors
from stafett.logs import actions
from stafett.logs.family_answer_page import FamilyQuestion, answer_page
from stafett.logs.models import Participant, ParticipantApproval, RelayLog


class PaperApprovalForm(BoundedForm):
    document = forms.FileField(
        label=gettext_lazy("Signert godkjenning"),
        help_text=gettext_lazy("PDF, JPG eller PNG. Skann eller ta bilde av det de foresatte signerte."),
    )


@signed_in
@require_http_methods(["GET", "POST"])
@rate_limited("consent_answer")
def answer_participant(request: PersonRequest, participant_code: str) -> HttpResponse:
    participant = (
        Participant.objects.select_related("log__subject", "log__unit__municipality", "log__holder", "person", "unit")
        .filter(code=participant_code)
        .first()
    )
    if participant is None:
        raise Http404
    said_no = _("Du har sagt nei. %(name)s blir ikke med, og stafettholderen får beskjed.") % {
        "name": participant.person.full_name
    }
    return answer_page(
        request,
        FamilyQuestion(
            log=participant.log,
            signers=actions.required_signers(participant.log),
            answers=participant.answers.all(),
            is_open=participant.approval == ParticipantApproval.PENDING and participant.removed_at is None,
            answer=lambda approve, method: actions.answer_participant(
                actor=request.user, participant=participant, approve=approve, authenticated_by=method
            ),
            said_yes=_("Takk. Svaret ditt er registrert."),
            said_no=said_no,
            template="logs/participant_answer.html",
            context={"participant": participant, "log": participant.log},
        ),
    )


@needs(Action.MANAGE_PARTICIPANTS)
@require_http_methods(["GET", "POST"])
def paper_approval(request: PersonRequest, log: RelayLog, participant_code: str) -> HttpResponse:
    participant = get_object_or_404(
        Participant.objects.select_related("person", "unit"),
        log=log,
        code=participant_code,
        removed_at__isnull=True,
        approval=ParticipantApproval.PENDING,
    )
    form = PaperApprovalForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_paper_approval(
                actor=request.user, participant=participant, document=form.cleaned_data["document"]
            )
        except ValidationError as e:
            add_form_errors(form, e)
        else:
            messages.success(
                request,
                _("Godkjenningen er registrert. %(name)s har nå tilgang.") % {"name": participant.person.full_name},
            )
            return redirect("logs:detail", log_code=log.code)
    context = {"log": log, "participant": participant, "form": form}
    return render(request, "logs/participant_paper_approval.html", context, status=400 if form.errors else 200)
