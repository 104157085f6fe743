"""The family's answer in the app (SPEC §4, issue 15 §4): each guardian — and the youth from the
municipality's signing age — answers after logging in. One «no» decides; everyone's «yes» is
needed. Used for digital consent and for approving a new participant."""

import enum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from stafett import access
from stafett.access import Action
from stafett.logs.models import FamilyAnswer, RelayLog
from stafett.people.models import Person


class Verdict(enum.Enum):
    WAITING = "waiting"
    APPROVED = "approved"
    DECLINED = "declined"


def record_family_answer(
    *,
    actor: Person,
    log: RelayLog,
    signer_ids: set[int],
    answers: QuerySet[FamilyAnswer],
    answer: FamilyAnswer,
    refusal: str,
) -> Verdict:
    """Saves `answer` (one of `answers`, for `actor`) and says what the answers add up to.
    Someone not asked gets 404 without read access, else 403 with `refusal`."""
    if actor.pk not in signer_ids:
        access.require(actor, Action.VIEW_LOG, log)
        raise PermissionDenied(refusal)
    if answers.filter(person=actor).exists():
        raise ValidationError(_("Du har allerede svart."))
    answer.full_clean()
    answer.save()
    if not answer.approved:
        return Verdict.DECLINED
    approved = set(answers.filter(approved=True).values_list("person_id", flat=True))
    return Verdict.APPROVED if approved >= signer_ids else Verdict.WAITING
