"""Every change to a stafettlogg goes through these functions (STYLE: one action per change).

Each takes the acting person first, checks access (stafett/access.py),
validates, saves and writes its audit row — scoped to the log, so the
log's access log shows it — in one transaction.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from stafett import access
from stafett.access import Action
from stafett.audit.models import AuditAction
from stafett.audit.record import record
from stafett.lib.uploads import IMAGE_TYPES, check_upload
from stafett.lib.versioning import save_versioned
from stafett.logs import news
from stafett.logs.models import (
    Consent,
    Evaluation,
    Goal,
    Level,
    LevelChange,
    LogStatus,
    LogTemplate,
    Measure,
    Meeting,
    Message,
    Participant,
    RelayLog,
    ResponsibleKind,
    current_consent,
)
from stafett.notify.models import Kind
from stafett.people.models import Guardianship, Membership, Person, Unit

DEFAULT_CONSENT_YEARS = 2  # seeds/003 §6 step 6


# The holder is warned this many days before consent runs out (SPEC §4).
CONSENT_WARNING_DAYS = 30


def default_consent_end(today: date | None = None) -> date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + DEFAULT_CONSENT_YEARS)
    except ValueError:  # 29 February
        return today.replace(year=today.year + DEFAULT_CONSENT_YEARS, day=28)


def _audit(actor: Person, log: RelayLog, action: AuditAction, obj: models.Model | None = None, **details: Any) -> None:
    record(actor=actor, action=action, obj=obj or log, details=details, scope_code=log.code)


# --- Opening a log -----------------------------------------------------------


@dataclass
class ConsentData:
    services: list[str]
    signatories: list[Person]
    document: UploadedFile
    collected_at_unit: Unit
    valid_until: date = field(default_factory=default_consent_end)
    valid_from: date = field(default_factory=timezone.localdate)
    not_shared: str = ""
    level: int = Level.ONE


def guardians_of(child: Person) -> list[Person]:
    return [g.guardian for g in Guardianship.objects.filter(child=child).select_related("guardian")]


def check_consent(data: ConsentData, subject: Person, unit: Unit, today: date) -> None:
    errors: dict[str, list[str]] = {}
    if data.valid_until < today:
        errors.setdefault("valid_until", []).append("Samtykket er utløpt. Det må gjelde fram i tid.")
    if data.valid_until < data.valid_from:
        errors.setdefault("valid_until", []).append("Sluttdatoen må være etter startdatoen.")
    if not data.services:
        errors.setdefault("services", []).append("Kryss av for hvilke tjenester samtykket gjelder.")
    elif unit.service_type not in data.services:
        errors.setdefault("services", []).append(
            f"Samtykket må gjelde {unit.get_service_type_display().lower()}, der stafettholderen arbeider."
        )
    guardians = set(guardians_of(subject))
    signed = set(data.signatories)
    if not signed & guardians:
        errors.setdefault("signatories", []).append("Minst én foresatt må ha signert samtykket.")
    if signed - guardians - {subject}:
        errors.setdefault("signatories", []).append("Bare foresatte og barnet selv kan signere samtykket.")
    age = subject.age_on(today)
    if age is not None and age >= unit.municipality.youth_signs_from_age and subject not in signed:
        errors.setdefault("signatories", []).append(
            f"{subject.given_name} er {age} år og må selv signere samtykket "
            f"(fra {unit.municipality.youth_signs_from_age} år)."
        )
    if errors:
        raise ValidationError(errors)


def save_consent(actor: Person, log: RelayLog, data: ConsentData) -> Consent:
    try:
        checked = check_upload(data.document)
    except ValidationError as e:
        raise ValidationError({"document": e.messages}) from None
    consent = Consent(
        log=log,
        services=sorted(set(data.services)),
        not_shared=data.not_shared.strip(),
        valid_from=data.valid_from,
        valid_until=data.valid_until,
        collected_by=actor,
        collected_at_unit=data.collected_at_unit,
        level=data.level,
        document_extension=checked.extension,
        document_content_type=checked.content_type,
    )
    consent.full_clean()  # before the file is stored: a rollback would not remove it from disk
    consent.document.save("samtykke", data.document, save=False)
    consent.save()
    consent.signatories.set(data.signatories)
    _audit(
        actor,
        log,
        AuditAction.CONSENT_RECORDED,
        consent,
        tjenester=consent.services,
        gyldig_til=consent.valid_until.isoformat(),
        signert_av=[p.full_name for p in data.signatories],
    )
    return consent


@dataclass
class LogStart:
    """Who and what a new log is about; shared by paper and digital consent."""

    subject: Person
    unit: Unit
    holder: Person | None = None
    template: LogTemplate | None = None
    initiator_text: str = ""
    initiated_by: str = ""


def create_log(*, actor: Person, start: LogStart, status: str = LogStatus.ACTIVE) -> RelayLog:
    """The log row itself; callers add the consent (or the request for it) in the same transaction.
    The creator holds it unless the unit leader appoints another (seeds/004 Opprette stafettholder)."""
    unit = start.unit
    access.require(actor, Action.OPEN_LOG, unit)
    holder = start.holder or actor
    if holder != actor:
        access.require(actor, Action.APPOINT_HOLDER, unit)
    if not Membership.objects.active().filter(person=holder, unit=unit).exists():
        raise ValidationError({"holder": f"Stafettholderen må stå på ansattlisten ved {unit.name}."})
    if not start.subject.national_id:
        raise ValidationError("Fødselsnummer eller D-nummer må være registrert før en stafettlogg kan opprettes.")
    log = RelayLog(
        subject=start.subject,
        unit=unit,
        holder=holder,
        template=start.template,
        status=status,
        initiator_text=start.initiator_text.strip(),
        initiated_by=start.initiated_by.strip(),
    )
    log.full_clean()  # includes "one active log per child", in words guardians understand
    log.save()
    LevelChange.objects.create(log=log, level=log.level, changed_by_name=actor.full_name, reason="Loggen ble opprettet")
    _audit(actor, log, AuditAction.LOG_OPENED, holder=holder.full_name, tjenestested=unit.name)
    return log


@transaction.atomic
def open_log(
    *,
    actor: Person,
    subject: Person,
    unit: Unit,
    consent: ConsentData,
    holder: Person | None = None,
    template: LogTemplate | None = None,
    initiator_text: str = "",
    initiated_by: str = "",
) -> RelayLog:
    """Open a stafettlogg with a signed consent form (SPEC §4: never without consent)."""
    access.require(actor, Action.OPEN_LOG, unit)  # before check_consent, whose errors name the guardians
    check_consent(consent, subject, unit, timezone.localdate())
    start = LogStart(subject, unit, holder, template, initiator_text, initiated_by)
    log = create_log(actor=actor, start=start)
    save_consent(actor, log, consent)
    return log


# --- The plan ----------------------------------------------------------------

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
            raise ValidationError({"level": "Velg nivå 1, 2 eller 3."})
        consent = current_consent(log)
        if new_level > log.level and (consent is None or consent.level < new_level):
            # seeds/001 §6: a move to a new level requires new or extended consent first.
            raise ValidationError(
                {"level": f"Nivå {new_level} krever nytt eller utvidet samtykke fra de foresatte. Forny samtykket."}
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
    raise ValidationError({"responsible": "Den ansvarlige må være deltaker, foresatt eller barnet selv."})


@dataclass
class MeasureData:
    what: str
    category: str
    responsible: Person
    deadline: date
    evaluation_date: date


def _fill_measure(measure: Measure, log: RelayLog, data: MeasureData) -> None:
    if data.evaluation_date < data.deadline:
        raise ValidationError({"evaluation_date": "Evalueringsdatoen kan ikke være før fristen."})
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
        raise ValidationError({"deadline": "Fristen kan ikke være tilbake i tid."})
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


# --- Participants ---------------------------------------------------------------


@dataclass
class NotificationChoices:
    new_message: bool = True
    calendar: bool = True
    comment: bool = False


@transaction.atomic
def add_participant(
    *,
    actor: Person,
    log: RelayLog,
    person: Person,
    unit: Unit,
    notify: NotificationChoices | None = None,
    extra_reason: str = "",
) -> Participant:
    access.require(actor, Action.MANAGE_PARTICIPANTS, log)
    return add_participant_unchecked(
        actor=actor, log=log, person=person, unit=unit, notify=notify, extra_reason=extra_reason
    )


def add_participant_unchecked(
    *,
    actor: Person,
    log: RelayLog,
    person: Person,
    unit: Unit,
    notify: NotificationChoices | None = None,
    extra_reason: str = "",
) -> Participant:
    """The rules for any new participant; the caller has checked who may add (holder, or the
    principal adding the contact teacher in a transition, seeds/000)."""
    notify = notify or NotificationChoices()
    if not Membership.objects.active().filter(person=person, unit=unit).exists():
        raise ValidationError({"person": f"{person.full_name} står ikke på ansattlisten ved {unit.name}."})
    if person.id == log.holder_id:
        raise ValidationError({"person": f"{person.full_name} er stafettholder og har allerede tilgang."})
    consent = current_consent(log)
    if consent is None:
        raise ValidationError("Samtykket er ikke gyldig lenger. Forny samtykket før du legger til deltakere.")
    if not consent.covers(unit.service_type):
        raise ValidationError(
            {
                "unit": f"{unit.get_service_type_display()} er ikke med i samtykket. "
                "De foresatte må gi nytt eller utvidet samtykke før noen fra denne tjenesten kan bli med."
            }
        )
    active = log.participants.filter(removed_at__isnull=True)
    if active.filter(person=person).exists():
        raise ValidationError({"person": f"{person.full_name} er allerede deltaker."})
    if active.filter(unit=unit).exists() and not extra_reason.strip():
        # seeds/001 §7: at most one participant per unit, unless the holder says why.
        raise ValidationError(
            {"extra_reason": f"Det er allerede en deltaker fra {unit.name}. Skriv hvorfor det trengs én til."}
        )
    participant = Participant(
        log=log,
        person=person,
        unit=unit,
        extra_reason=extra_reason.strip(),
        notify_message=notify.new_message,
        notify_calendar=notify.calendar,
        notify_comment=notify.comment,
    )
    participant.full_clean()
    participant.save()
    _audit(actor, log, AuditAction.PARTICIPANT_ADDED, participant, person=person.full_name, tjenestested=unit.name)
    return participant


@transaction.atomic
def remove_participant(*, actor: Person, participant: Participant) -> Participant:
    """Access ends at once; the participant's history in the log stays."""
    log = participant.log
    access.require(actor, Action.MANAGE_PARTICIPANTS, log)
    if participant.removed_at is not None:
        raise ValidationError("Deltakeren er allerede fjernet.")
    participant.removed_at = timezone.now()
    participant.save(update_fields=["removed_at"])
    _audit(actor, log, AuditAction.PARTICIPANT_REMOVED, participant, person=participant.person.full_name)
    return participant


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
            raise access.PermissionDenied("Du kan bare evaluere tiltak du selv har ansvar for.")
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


# --- Meetings and messages -------------------------------------------------------


@transaction.atomic
def schedule_meeting(
    *,
    actor: Person,
    log: RelayLog,
    starts_at: datetime,
    place: str,
    agenda: str,
    duration_minutes: int = 60,
    title: str = "Stafettmøte",
) -> Meeting:
    access.require(actor, Action.EDIT_PLAN, log)
    if starts_at < timezone.now() - timedelta(days=1):
        raise ValidationError({"starts_at": "Møtetidspunktet kan ikke være tilbake i tid."})
    meeting = Meeting(
        log=log,
        title=title.strip() or "Stafettmøte",
        starts_at=starts_at,
        place=place.strip(),
        agenda=agenda.strip(),
        duration_minutes=duration_minutes,
    )
    meeting.full_clean()
    meeting.save()
    _audit(actor, log, AuditAction.MEETING_SCHEDULED, meeting, tidspunkt=starts_at.isoformat())
    news.log_news(log=log, actor=actor, kind=Kind.CALENDAR)
    return meeting


@transaction.atomic
def record_minutes(
    *,
    actor: Person,
    meeting: Meeting,
    version: int,
    attendees: list[Person],
    minutes: str,
    next_meeting_date: date | None,
) -> Meeting:
    access.require(actor, Action.EDIT_PLAN, meeting.log)
    meeting.minutes = minutes.strip()
    meeting.next_meeting_date = next_meeting_date
    meeting.held = True
    save_versioned(meeting, version, ["minutes", "next_meeting_date", "held"])
    meeting.attendees.set(attendees)
    _audit(actor, meeting.log, AuditAction.MEETING_MINUTES_WRITTEN, meeting, til_stede=[p.full_name for p in attendees])
    return meeting


@transaction.atomic
def post_message(*, actor: Person, log: RelayLog, text: str, measure: Measure | None = None) -> Message:
    access.require(actor, Action.COMMENT if measure else Action.POST_MESSAGE, log)
    if measure is not None and measure.log_id != log.id:
        raise ValidationError("Tiltaket hører ikke til denne loggen.")
    message = Message(log=log, author=actor, text=text.strip(), measure=measure)
    message.full_clean()
    message.save()
    _audit(actor, log, AuditAction.COMMENT_POSTED if measure else AuditAction.MESSAGE_POSTED, message)
    news.log_news(log=log, actor=actor, kind=Kind.COMMENT if measure else Kind.NEW_MESSAGE)
    return message


def record_view(*, actor: Person, log: RelayLog, what: str = "log") -> None:
    """Every read of a log is in its access log (SPEC §3: who has seen the log, and when)."""
    _audit(actor, log, AuditAction.LOG_VIEWED, side=what)
