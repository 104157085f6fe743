"""What the guide pages and the log page's guide section show, in a fixed number of queries."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from stafett.guide.actions import FACTOR_FIELDS, startable_levels
from stafett.guide.models import GuideDecision, GuidePosition, GuideStep, GuideTimeline, MaintainingFactors
from stafett.guide.source import LevelData, guide, guide_service_for, level_sort_key
from stafett.guide.timelines import Deadline, deadlines
from stafett.logs.models import Participant, RelayLog
from stafett.people.models import ServiceType, Unit


@dataclass
class PositionView:
    """One level the log follows, at its current step: «Nivå 2, steg 3 — hva, hvem, verktøy»."""

    position: GuidePosition
    service_name: str
    level: LevelData | None
    step: GuideStep | None
    step_count: int
    lower: str | None  # the level «ned ett nivå» goes to, if any
    upper: str | None  # the level «opp ett nivå» goes to; None: level 3 is child welfare's


@dataclass
class DecisionView:
    decision: GuideDecision
    step_title: str


@dataclass
class LogGuide:
    service: str | None
    service_name: str
    warning: str
    positions: list[PositionView]
    startable: list[str]
    history: list[DecisionView]
    # Child welfare's deadlines (SPEC §6), shown when child welfare takes part in the log.
    child_welfare_units: list[Unit] = field(default_factory=list)
    timeline: GuideTimeline | None = None
    deadlines: list[Deadline] = field(default_factory=list)
    # The analysis of maintaining factors, as (label, text) for the parts that are written.
    factors: MaintainingFactors | None = None
    factor_rows: list[tuple[str, str]] = field(default_factory=list)


def _steps_by_key() -> dict[tuple[str, str, int], GuideStep]:
    return {(s.service, s.level, s.number): s for s in GuideStep.objects.all()}


def _neighbours(service: str, level: str) -> tuple[str | None, str | None]:
    ladder = guide().ladder(service)
    if level not in ladder:
        return None, None
    i = ladder.index(level)
    return (ladder[i - 1] if i > 0 else None), (ladder[i + 1] if i + 1 < len(ladder) else None)


def log_guide(log: RelayLog, participants: list[Participant], today: date | None = None) -> LogGuide:
    """The log's place in the guide. `participants` are the log page's own (no extra query)."""
    today = today or timezone.localdate()
    data = guide()
    service = guide_service_for(log.unit.service_type)
    steps = _steps_by_key()
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for s in steps.values():
        counts[(s.service, s.level)] = max(counts[(s.service, s.level)], s.number)
    positions = sorted(
        GuidePosition.objects.filter(log=log, ended_at__isnull=True),
        key=lambda p: (p.service != service, level_sort_key(p.level)),
    )
    views = []
    for p in positions:
        lower, upper = _neighbours(p.service, p.level)
        views.append(
            PositionView(
                position=p,
                service_name=data.services.get(p.service, p.service),
                level=data.level(p.service, p.level),
                step=steps.get((p.service, p.level, p.step)),
                step_count=counts[(p.service, p.level)],
                lower=lower,
                upper=upper,
            )
        )
    history = [
        DecisionView(d, getattr(steps.get((d.service, d.level, d.step)), "title", ""))
        for d in GuideDecision.objects.filter(log=log)
    ]
    open_levels = {p.level for p in positions if p.service == service}
    units = [p.unit for p in participants if p.unit.service_type == ServiceType.BARNEVERN]
    if log.unit.service_type == ServiceType.BARNEVERN:
        units.insert(0, log.unit)
    timeline = GuideTimeline.objects.filter(log=log).first() if units else None
    factors = MaintainingFactors.objects.filter(log=log).first()
    return LogGuide(
        service=service,
        service_name=data.services.get(service, "") if service else "",
        warning=data.warning,
        positions=views,
        startable=startable_levels(log, open_levels) if service else [],
        history=history,
        child_welfare_units=list({u.id: u for u in units}.values()),
        timeline=timeline,
        deadlines=deadlines(timeline, today),
        factors=factors,
        factor_rows=factor_rows(factors),
    )


def factor_rows(factors: MaintainingFactors | None) -> list[tuple[str, str]]:
    if factors is None:
        return []
    labels = {f.name: str(f.verbose_name) for f in MaintainingFactors._meta.fields}
    return [(labels[f].capitalize(), getattr(factors, f)) for f in FACTOR_FIELDS if getattr(factors, f)]


# --- The guide pages ---------------------------------------------------------------


@dataclass
class LevelView:
    level: LevelData
    steps: list[GuideStep]


@dataclass
class ServiceView:
    key: str
    name: str
    levels: list[LevelView]


def guide_by_service() -> list[ServiceView]:
    data = guide()
    steps = _steps_by_key()
    services = []
    for key, name in data.services.items():
        levels = [
            LevelView(lv, [steps[k] for k in sorted(steps) if k[0] == key and k[1] == lv.level])
            for lv in sorted((lv for lv in data.levels if lv.service == key), key=lambda lv: level_sort_key(lv.level))
        ]
        services.append(ServiceView(key, name, levels))
    return services


def steps_using_tool(slug: str) -> list[tuple[str, GuideStep]]:
    """(service name, step) for every step that links to a toolbox page."""
    names = guide().services
    return [
        (names.get(s.service, s.service), s)
        for s in GuideStep.objects.all()
        if any(t.get("slug") == slug for t in s.tools)
    ]
