"""The page where a guardian (or the youth with rights) answers yes or no in the app: a digital
consent (views_consent.py) or a new participant (views_participant_approval.py). One page
for both, as one action path answers both (logs/actions/family.py)."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render

from stafett import access
from stafett.access import Action, PersonRequest
from stafett.accounts.views import authenticated_by
from stafett.logs.models import FamilyAnswer, RelayLog
from stafett.people.models import Person


@dataclass(frozen=True)
class FamilyQuestion:
    log: RelayLog
    signers: list[Person]
    answers: Iterable[FamilyAnswer]
    is_open: bool
    answer: Callable[[bool, str], object]  # (approve, authenticated_by) → calls the action
    said_yes: str
    said_no: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


def answer_page(request: PersonRequest, question: FamilyQuestion) -> HttpResponse:
    """Someone not asked gets 404 without read access to the log, else 403. A POST answers
    («ja» or anything else as no) and goes back to the log; an error stays on the page (400)."""
    if request.user not in question.signers:
        access.require(request.user, Action.VIEW_LOG, question.log)
        raise access.PermissionDenied
    error = None
    if request.method == "POST":
        approve = request.POST.get("answer") == "ja"
        try:
            question.answer(approve, authenticated_by(request))
        except ValidationError as e:
            error = " ".join(e.messages)
        else:
            if approve:
                messages.success(request, question.said_yes)
            else:
                messages.info(request, question.said_no)
            return redirect("logs:detail", log_code=question.log.code)
    answers = {a.person_id: a for a in question.answers}
    context = {
        **question.context,
        "signers": [(p, answers.get(p.id)) for p in question.signers],
        "my_answer": answers.get(request.user.id),
        "is_open": question.is_open,
        "error": error,
    }
    return render(request, question.template, context, status=400 if error else 200)
