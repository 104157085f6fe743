"""Every change to the guide and to a log's place in it (STYLE: one action per change).

Each checks access, validates, saves and writes its audit row in one transaction.
Nothing here notifies anyone: in the path for suspected violence or abuse the
guardians must not be contacted (SPEC §7), and a guide decision is the holder's
own bookkeeping.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stafett import access
from stafett.access import Action
from stafett.audit.models import AuditAction
from stafett.audit.record import record
from stafett.guide.models import (
    DecisionKind,
    GuideDecision,
    GuidePosition,
    GuideStep,
    GuideTimeline,
    MaintainingFactors,
)
from stafett.guide.source import guide, guide_service_for, numeric_level
from stafett.lib.versioning import save_versioned
from stafett.logs.models import RelayLog
from stafett.people.models import Person

STEP_FIELDS = ["title", "how", "who"]
TIMELINE_FIELDS = [
    "report_received_on",
    "public_reporter",
    "reporter_informed_on",
    "investigation_extended",
    "investigation_concluded_on",
    "measures_decided_on",
    "measures_evaluated_on",
]
FACTOR_FIELDS = ["focus", "in_child", "in_home", "in_service", "child_voice", "where_to_act"]


# --- The guide itself (superusers) ------------------------------------------------


@transaction.atomic
def update_step(*, actor: Person, step: GuideStep, version: int, changes: dict[str, str]) -> GuideStep:
    """A superuser corrects a step's text; the file's later versions then leave this step alone."""
    access.require(actor, Action.MANAGE_GUIDE)
    changed = [f for f in STEP_FIELDS if f in changes and getattr(step, f) != changes[f].strip()]
    for f in changed:
        setattr(step, f, changes[f].strip())
    step.edited_by, step.edited_by_name, step.edited_at = actor, actor.full_name, timezone.now()
    save_versioned(step, version, [*changed, "edited_by", "edited_by_name", "edited_at"])
    record(
        actor=actor,
        action=AuditAction.GUIDE_STEP_CHANGED,
        obj=step,
        details={"tjeneste": step.service, "nivå": step.level, "steg": step.number, "felt": changed},
    )
    return step


# --- Where a log stands in the guide (the holder) ------------------------------------


def _audit(
    actor: Person,
    log: RelayLog,
    action: AuditAction,
    obj: GuidePosition | GuideDecision | GuideTimeline | MaintainingFactors,
    **kw: object,
) -> None:
    # Scoped to the log, so its access log («Hvem har sett og endret loggen») shows the change.
    record(actor=actor, action=action, obj=obj, details=dict(kw), scope_code=log.code)


def startable_levels(log: RelayLog, open_levels: set[str] | None = None) -> list[str]:
    """Levels of the log's service the holder may start now: not level 0 (that is the undring,
    before any log), not above the log's own level (moving up needs consent, seeds/001 §6),
    and not already followed."""
    service = guide_service_for(log.unit.service_type)
    if service is None:
        return []
    if open_levels is None:
        open_levels = set(
            GuidePosition.objects.filter(log=log, service=service, ended_at__isnull=True).values_list(
                "level", flat=True
            )
        )
    return [lv for lv in guide().ladder(service) if numeric_level(lv) <= log.level and lv not in open_levels]


def _open(actor: Person, log: RelayLog, service: str, level: str) -> GuidePosition:
    position = GuidePosition(log=log, service=service, level=level, step=1)
    position.full_clean()
    position.save()
    _audit(actor, log, AuditAction.GUIDE_STARTED, position, tjeneste=service, nivå=level)
    return position


@transaction.atomic
def start_level(*, actor: Person, log: RelayLog, level: str) -> GuidePosition:
    access.require(actor, Action.EDIT_PLAN, log)
    service = guide_service_for(log.unit.service_type)
    if service is None:
        raise ValidationError(_("Veilederen har ingen steg for denne tjenesten."))
    if level not in startable_levels(log):
        raise ValidationError(
            {
                "level": _(
                    "Nivå %(level)s kan ikke startes nå. Loggen er på nivå %(current)s, og hvert nivå følges én gang."
                )
                % {"level": level, "current": log.level}
            }
        )
    return _open(actor, log, service, level)


@dataclass(frozen=True)
class DecisionResult:
    decision: GuideDecision
    position: GuidePosition  # where the decision was made
    started: GuidePosition | None = None  # the level moved to, when the holder may start it now
    # Going up past the log's own level: the level is changed in the overview, which asks for consent.
    needs_log_level: int | None = None
    # Going up from the service's highest level: level 3 belongs to child welfare (seeds/004).
    to_child_welfare: bool = False


def _neighbour(service: str, level: str, direction: int) -> str | None:
    ladder = guide().ladder(service)
    i = ladder.index(level) + direction if level in ladder else -1
    return ladder[i] if 0 <= i < len(ladder) else None


def _next_step(position: GuidePosition) -> int:
    last = GuideStep.objects.filter(service=position.service, level=position.level).order_by("-number").first()
    if last is None:
        raise ValidationError(_("Veilederen mangler steg for dette nivået."))
    if position.step < last.number:
        return position.step + 1
    # After the last step a new round starts with the measures again (data file: repeat_from).
    meta = guide().level(position.service, position.level)
    return meta.repeat_from if meta and meta.repeat_from else position.step


@transaction.atomic
def decide(
    *,
    actor: Person,
    position: GuidePosition,
    version: int,
    decision: str,
    note: str = "",
    keep_level: bool = False,
) -> DecisionResult:
    """The holder's decision at the current step (seeds/004: stop, continue at this level, up, down).
    Continuing moves to the next step. Up or down ends this level unless `keep_level` — levels can
    run in parallel (seeds/004: «parallelle prosesser på nivå 1 og 2/3»)."""
    log = position.log
    access.require(actor, Action.EDIT_PLAN, log)
    if decision not in DecisionKind.values:
        raise ValidationError({"decision": _("Velg en beslutning.")})
    if position.ended_at is not None:
        raise ValidationError(_("Dette nivået er avsluttet i veilederen."))
    target = None
    if decision in (DecisionKind.UP, DecisionKind.DOWN):
        target = _neighbour(position.service, position.level, 1 if decision == DecisionKind.UP else -1)
        if target is None and decision == DecisionKind.DOWN:
            raise ValidationError(
                {"decision": _("Det finnes ikke noe lavere nivå. Velg «Stopp» for å avslutte nivået.")}
            )
    row = GuideDecision(
        log=log,
        position=position,
        service=position.service,
        level=position.level,
        step=position.step,
        decision=decision,
        note=note.strip(),
        by=actor,
        by_name=actor.full_name,
    )
    row.full_clean()
    needs_log_level = numeric_level(target) if target and numeric_level(target) > log.level else None
    fields = ["step"]
    if decision == DecisionKind.CONTINUE:
        position.step = _next_step(position)
    elif decision == DecisionKind.STOP or (needs_log_level is None and not keep_level):
        # Going up past the log's level waits for new consent: this level stays open until then.
        position.ended_at = timezone.now()
        fields.append("ended_at")
    save_versioned(position, version, fields)
    row.save()
    _audit(actor, log, AuditAction.GUIDE_DECISION, row, nivå=row.level, steg=row.step, beslutning=decision)
    if needs_log_level is not None:
        return DecisionResult(row, position, needs_log_level=needs_log_level)
    if target is None:
        return DecisionResult(row, position, to_child_welfare=decision == DecisionKind.UP)
    already = GuidePosition.objects.filter(
        log=log, service=position.service, level=target, ended_at__isnull=True
    ).first()
    return DecisionResult(row, position, started=already or _open(actor, log, position.service, target))


# --- Child welfare's dates ----------------------------------------------------------------


@transaction.atomic
def save_timeline(*, actor: Person, log: RelayLog, version: int, values: dict[str, object]) -> GuideTimeline:
    """The dates child welfare's deadlines are counted from (seeds/004 nivå 3.0–3.1)."""
    access.require(actor, Action.CHILD_WELFARE_DATES, log)
    timeline, _created = GuideTimeline.objects.get_or_create(log=log)
    changed = [f for f in TIMELINE_FIELDS if f in values and getattr(timeline, f) != values[f]]
    for f in changed:
        setattr(timeline, f, values[f])
    today = timezone.localdate()
    future = [f for f in TIMELINE_FIELDS if isinstance(getattr(timeline, f), date) and getattr(timeline, f) > today]
    if future:
        raise ValidationError({f: _("Datoen kan ikke være fram i tid.") for f in future})
    save_versioned(timeline, version, changed)
    _audit(actor, log, AuditAction.GUIDE_TIMELINE_CHANGED, timeline, felt=changed)
    return timeline


# --- The analysis of maintaining factors ---------------------------------------------------


@transaction.atomic
def save_maintaining_factors(
    *, actor: Person, log: RelayLog, version: int, values: dict[str, str]
) -> MaintainingFactors:
    """The holder writes the log's analysis of maintaining factors (seeds/004), usually after the
    stafettlogg meeting where it was discussed. Readers of the log see it; only the holder writes."""
    access.require(actor, Action.EDIT_PLAN, log)
    factors, _created = MaintainingFactors.objects.get_or_create(log=log)
    changed = [f for f in FACTOR_FIELDS if f in values and getattr(factors, f) != values[f].strip()]
    for f in changed:
        setattr(factors, f, values[f].strip())
    factors.updated_by_name = actor.full_name
    save_versioned(factors, version, [*changed, "updated_by_name"])
    _audit(actor, log, AuditAction.GUIDE_FACTORS_CHANGED, factors, felt=changed)
    return factors


def delete_for_log(log: RelayLog) -> None:
    """Deletion on demand (SPEC §6): the guide's history of the log is content too."""
    MaintainingFactors.objects.filter(log=log).delete()
    GuideDecision.objects.filter(log=log).delete()
    GuidePosition.objects.filter(log=log).delete()
    GuideTimeline.objects.filter(log=log).delete()
