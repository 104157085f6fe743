"""The plan: the overview and its photo, goals, measures and their evaluations, and messages.
Meetings and their minutes are in meetings.py."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from stafett import access
from stafett.access import Action
from stafett.audit.models import AuditAction
from stafett.lib.uploads import IMAGE_TYPES, check_upload
from stafett.lib.versioning import save_versioned
from stafett.logs import news
from stafett.logs.actions.common import _audit
from stafett.logs.models import (
    Evaluation,
    Goal,
    Level,
    LevelChange,
    Measure,
    Message,
    RelayLog,
    ResponsibleKind,
    current_consent,
)
from stafett.notify.models import Kind
from stafett.people.models import Guardianship, Person

OVERVIEW_FIELDS = [
    "presentation",
    "initiator_text",
    "initiated_by",
    "strengths",
    "challenges",
    "challenge_categories",
    "need_extent",
    "interpreter_needed",
    "interpreter_language",
    "has_individual_decision",
]


@transaction.atomic
def update_overview(
    *, actor: Person, log: RelayLog, version: int, changes: dict[str, Any], level_reason: str = ""
) -> RelayLog:
    access.require(actor, Action.EDIT_PLAN, log)
    changed = [f for f in OVERVIEW_FIELDS if f in changes and getattr(log, f) != changes[f]]
    for f in changed:
        setattr(log, f, changes[f])
    new_level = changes.get("level", log.level)
    level_changed = new_level != log.level
    if level_changed:
        if new_level not in Level.values:
            raise ValidationError({"level": _("Velg nivå 1, 2 eller 3.")})
        consent = current_consent(log)
        if new_level > log.level and (consent is None or consent.level < new_level):
            # seeds/001 §6: a move to a new level requires new or extended consent first.
            raise ValidationError(
                {
                    "level": _("Nivå %(level)s krever nytt eller utvidet samtykke fra de foresatte. Forny samtykket.")
                    % {"level": new_level}
                }
            )
        log.level = new_level
        changed.append("level")
    save_versioned(log, version, changed)
    if level_changed:
        LevelChange.objects.create(
            log=log, level=new_level, reason=level_reason.strip(), changed_by_name=actor.full_name
        )
    _audit(actor, log, AuditAction.LOG_OVERVIEW_CHANGED, felt=changed)
    return log


@transaction.atomic
def set_photo(*, actor: Person, log: RelayLog, photo: UploadedFile | None) -> RelayLog:
    """The optional photo on the overview; None removes it."""
    access.require(actor, Action.EDIT_PLAN, log)
    old = log.photo.name if log.photo else ""
    if photo is None:
        log.photo = None  # type: ignore[assignment]
    else:
        try:
            checked = check_upload(photo, IMAGE_TYPES)
        except ValidationError as e:
            raise ValidationError({"photo": e.messages}) from None
        log.photo.save(f"{log.code}{checked.extension}", photo, save=False)
    RelayLog.objects.filter(pk=log.pk).update(photo=log.photo.name if log.photo else "", version=F("version") + 1)
    log.version += 1
    if old:
        transaction.on_commit(lambda: log.photo.storage.delete(old))
    _audit(actor, log, AuditAction.LOG_PHOTO_CHANGED, fjernet=photo is None)
    return log


@transaction.atomic
def add_goal(*, actor: Person, log: RelayLog, arena: str, text: str) -> Goal:
    access.require(actor, Action.EDIT_PLAN, log)
    goal = Goal(log=log, arena=arena, text=text.strip())
    goal.full_clean()
    goal.save()
    _audit(actor, log, AuditAction.GOAL_ADDED, goal, arena=arena)
    return goal


@transaction.atomic
def update_goal(*, actor: Person, goal: Goal, version: int, text: str) -> Goal:
    access.require(actor, Action.EDIT_PLAN, goal.log)
    goal.text = text.strip()
    save_versioned(goal, version, ["text"])
    _audit(actor, goal.log, AuditAction.GOAL_CHANGED, goal)
    return goal


def responsible_kind(log: RelayLog, person: Person) -> str:
    """Who a measure may be given to: a participant, a guardian, or the child (seeds/004 ordliste)."""
    if person.id == log.subject_id:
        return ResponsibleKind.CHILD
    if Guardianship.objects.filter(child_id=log.subject_id, guardian=person).exists():
        return ResponsibleKind.GUARDIAN
    if person.id == log.holder_id or log.participants.filter(person=person, removed_at__isnull=True).exists():
        return ResponsibleKind.PARTICIPANT
    raise ValidationError({"responsible": _("Den ansvarlige må være deltaker, foresatt eller barnet selv.")})


@dataclass
class MeasureData:
    what: str
    category: str
    responsible: Person
    deadline: date
    evaluation_date: date


def _fill_measure(measure: Measure, log: RelayLog, data: MeasureData) -> None:
    if data.evaluation_date < data.deadline:
        raise ValidationError({"evaluation_date": _("Evalueringsdatoen kan ikke være før fristen.")})
    measure.what = data.what.strip()
    measure.category = data.category
    measure.responsible = data.responsible
    measure.responsible_kind = responsible_kind(log, data.responsible)
    measure.deadline = data.deadline
    measure.evaluation_date = data.evaluation_date


@transaction.atomic
def add_measure(*, actor: Person, goal: Goal, data: MeasureData) -> Measure:
    log = goal.log
    access.require(actor, Action.EDIT_PLAN, log)
    if data.deadline < timezone.localdate():
        raise ValidationError({"deadline": _("Fristen kan ikke være tilbake i tid.")})
    measure = Measure(log=log, goal=goal)
    _fill_measure(measure, log, data)
    measure.full_clean()
    measure.save()
    _audit(
        actor,
        log,
        AuditAction.MEASURE_ADDED,
        measure,
        ansvarlig=data.responsible.full_name,
        frist=data.deadline.isoformat(),
    )
    return measure


@transaction.atomic
def update_measure(*, actor: Person, measure: Measure, version: int, data: MeasureData) -> Measure:
    log = measure.log
    access.require(actor, Action.EDIT_PLAN, log)
    _fill_measure(measure, log, data)
    save_versioned(
        measure, version, ["what", "category", "responsible", "responsible_kind", "deadline", "evaluation_date"]
    )
    _audit(actor, log, AuditAction.MEASURE_CHANGED, measure)
    return measure


# --- Evaluations ----------------------------------------------------------------


@dataclass
class EvaluationData:
    carried_out: bool
    decision: str
    effect_child: str = ""
    effect_guardians: str = ""
    effect_holder: str = ""
    effect_others: str = ""
    new_measures_needed: str = ""
    closing_answer: str = ""


@transaction.atomic
def evaluate_measure(*, actor: Person, measure: Measure, data: EvaluationData) -> Evaluation:
    log = measure.log
    if not access.can(actor, Action.EVALUATE_ANY_MEASURE, log):
        access.require(actor, Action.EVALUATE_OWN_MEASURE, log)
        if measure.responsible_id != actor.id:
            raise access.PermissionDenied(_("Du kan bare evaluere tiltak du selv har ansvar for."))
    evaluation = Evaluation(
        measure=measure,
        author=actor,
        author_is_guardian=Guardianship.objects.filter(child_id=log.subject_id, guardian=actor).exists(),
        **{k: (v.strip() if isinstance(v, str) else v) for k, v in data.__dict__.items()},
    )
    evaluation.full_clean()
    evaluation.save()
    if data.decision == "avslutte" and measure.stopped_at is None:
        Measure.objects.filter(pk=measure.pk).update(stopped_at=timezone.localdate())
    _audit(actor, log, AuditAction.MEASURE_EVALUATED, measure, vurdering=data.decision, gjennomfort=data.carried_out)
    return evaluation


# --- Messages (meetings are in meetings.py) -------------------------------------


@transaction.atomic
def post_message(*, actor: Person, log: RelayLog, text: str, measure: Measure | None = None) -> Message:
    access.require(actor, Action.COMMENT if measure else Action.POST_MESSAGE, log)
    if measure is not None and measure.log_id != log.id:
        raise ValidationError(_("Tiltaket hører ikke til denne loggen."))
    message = Message(log=log, author=actor, text=text.strip(), measure=measure)
    message.full_clean()
    message.save()
    _audit(actor, log, AuditAction.COMMENT_POSTED if measure else AuditAction.MESSAGE_POSTED, message)
    news.log_news(log=log, actor=actor, kind=Kind.COMMENT if measure else Kind.NEW_MESSAGE)
    return message
