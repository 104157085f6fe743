"""Transitions between services: the kindergarten → school routine of seeds/000, and the
shorter routines for lower secondary school and moving. Each step says what, who, by when,
and whether it is done — read from the log itself, so the routine cannot drift from it.

This is the read side; what changes a transition is in stafett/logs/actions/transition.py."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stafett import access
from stafett.access import Relation
from stafett.logs.models import (
    LogStatus,
    Measure,
    Meeting,
    Participant,
    RelayLog,
    ResponsibleKind,
    Transition,
    TransitionKind,
)
from stafett.people.models import Membership, Person, Role, ServiceType, Unit


@dataclass
class StepState:
    key: str
    title: str
    who: str
    due: date | None
    done: bool
    missing: list[str] = field(default_factory=list)
    # «person_code:unit_code» of whom the step's form is for (the principal, the SFO leader, the
    # contact teacher), so the link opens the form with that person chosen (issue 15 §8).
    member: str = ""
    # False for a step others call (the February/March meeting): listed, but never «Neste steg».
    prompt: bool = True

    @property
    def overdue(self) -> bool:
        return not self.done and self.due is not None and self.due < timezone.localdate()


@dataclass(frozen=True)
class Step:
    key: str
    title: str | Promise
    who: str | Promise
    due: Callable[[Transition], date | None]
    check: Callable[[Transition, "Facts"], tuple[bool, list[str]]]
    applies: Callable[[Transition], bool] = lambda t: True
    member: Callable[[Transition], str] = lambda t: ""
    prompt: bool = True


@dataclass
class Facts:
    """What the steps look at, loaded once."""

    participants: list[Participant]
    measures_by: dict[str, set[int]]
    holder_units: set[int]


def _participants_from(t: Transition, f: Facts, unit: Unit | None) -> list[Participant]:
    return [p for p in f.participants if unit is not None and p.unit_id == unit.id]


def _principal_added(t: Transition, f: Facts) -> tuple[bool, list[str]]:
    leaders = set(
        Membership.objects.active().filter(unit=t.to_unit, role=Role.LEADER).values_list("person_id", flat=True)
    )
    done = any(p.person_id in leaders for p in _participants_from(t, f, t.to_unit))
    return done, [] if done else [_("Rektor ved %(unit)s er ikke deltaker ennå.") % {"unit": t.to_unit.name}]


def _leader_key(unit: Unit | None) -> str:
    if unit is None:
        return ""
    leader = (
        Membership.objects.active()
        .filter(unit=unit, role=Role.LEADER)
        .select_related("person")
        .order_by("person__family_name")
        .first()
    )
    return f"{leader.person.code}:{unit.code}" if leader else ""


def _contact_teacher_key(t: Transition) -> str:
    return f"{t.contact_teacher.code}:{t.to_unit.code}" if t.contact_teacher_id else ""  # type: ignore[union-attr]


def _sfo_leader_added(t: Transition, f: Facts) -> tuple[bool, list[str]]:
    leaders = set(
        Membership.objects.active().filter(unit=t.sfo_unit, role=Role.LEADER).values_list("person_id", flat=True)
    )
    done = any(p.person_id in leaders for p in _participants_from(t, f, t.sfo_unit))
    name = t.sfo_unit.name if t.sfo_unit else "SFO"
    return done, [] if done else [_("SFO-lederen ved %(unit)s er ikke deltaker ennå.") % {"unit": name}]


def _february_meeting_months(t: Transition) -> list[tuple[int, int]]:
    # seeds/000: the ordinary meeting in February/March of the school-start year; for significant
    # needs the school hears a year before it, so there is one the year before as well.
    years = [t.start_date.year - 1, t.start_date.year] if t.significant_needs else [t.start_date.year]
    return [(y, m) for y in years for m in (2, 3)]


def _february_meeting(t: Transition, f: Facts) -> tuple[bool, list[str]]:
    """Done when the log has a meeting in February/March of that year — or once overgangsmøte 1
    is held, when the step is behind the child either way."""
    months = set(_february_meeting_months(t))
    meetings = t.log.meetings.filter(cancelled_at__isnull=True)
    held = any(
        (timezone.localtime(m.starts_at).year, timezone.localtime(m.starts_at).month) in months for m in meetings
    )
    if held or (t.meeting_1 is not None and t.meeting_1.held):
        return True, []
    return False, [
        _(
            "Ingen møte i februar/mars er registrert i loggen. Barnehagefaglig rådgiver kaller inn; "
            "barnehagestyrer gir opplysninger om behovet for tilrettelegging."
        )
    ]


def _contact_teacher_added(t: Transition, f: Facts) -> tuple[bool, list[str]]:
    done = t.contact_teacher_id is not None and any(p.person_id == t.contact_teacher_id for p in f.participants)
    return done, [] if done else [_("Rektor har ikke lagt til kontaktlæreren ennå.")]


def _meeting_held(attr: str) -> Callable[[Transition, Facts], tuple[bool, list[str]]]:
    def check(t: Transition, f: Facts) -> tuple[bool, list[str]]:
        meeting: Meeting | None = getattr(t, attr)
        if meeting is None:
            return False, [_("Møtet er ikke kalt inn.")]
        if meeting.cancelled_at is not None:
            return False, [
                _("Møtet %(date)s er avlyst; kall inn på nytt.")
                % {"date": f"{timezone.localtime(meeting.starts_at):%d.%m.%Y}"}
            ]
        if not meeting.held:
            return False, [
                _("Møtet er kalt inn til %(date)s; referatet mangler.")
                % {"date": f"{timezone.localtime(meeting.starts_at):%d.%m.%Y}"}
            ]
        return True, []

    return check


def _measures_for_everyone(t: Transition, f: Facts) -> tuple[bool, list[str]]:
    # seeds/000: at least one measure each for the kindergarten, the guardians (holidays),
    # the SFO leader (if SFO) and the contact teacher (first school day).
    missing = []
    kindergarten_people = f.measures_by["kindergarten"]
    if not kindergarten_people:
        missing.append(_("Barnehagen har ikke noe tiltak (avslutning av barnehagetiden)."))
    if not f.measures_by["guardian"]:
        missing.append(_("De foresatte har ikke noe tiltak (i ferien)."))
    if t.sfo_unit_id and not f.measures_by["sfo"]:
        missing.append(_("SFO-lederen har ikke noe tiltak (ved SFO-start)."))
    if not f.measures_by["contact_teacher"]:
        missing.append(_("Kontaktlæreren har ikke noe tiltak (første skoledag)."))
    return not missing, missing


def _finished(t: Transition, f: Facts) -> tuple[bool, list[str]]:
    log = t.log
    done = log.status == LogStatus.CLOSED or (
        t.contact_teacher_id is not None and log.holder_id == t.contact_teacher_id
    )
    return done, [] if done else [_("Avslutt loggen, eller foreslå kontaktlæreren som ny stafettholder.")]


def _notified(t: Transition, f: Facts) -> tuple[bool, list[str]]:
    return t.notified_at is not None, [] if t.notified_at else [
        _("%(unit)s er ikke varslet.") % {"unit": t.to_unit.name}
    ]


def _november(years_before: int) -> Callable[[Transition], date]:
    return lambda t: date(t.start_date.year - years_before, 11, 30)


def _notify_due(t: Transition) -> date:
    # seeds/000: all pre-school children in November the year before; children with
    # significant needs a year earlier (before the February/March meeting the year before).
    return _november(2 if t.significant_needs else 1)(t)


def _before_summer(t: Transition) -> date:
    return date(t.start_date.year, 6, 20)


def _two_weeks_after_start(t: Transition) -> date:
    return t.start_date + timedelta(days=14)


def meeting_deadline(t: Transition, number: int) -> date | None:
    """The latest day the routine allows for transition meeting `number`, where it sets one."""
    if number == 2 and t.kind == TransitionKind.KINDERGARTEN_TO_SCHOOL:
        return _two_weeks_after_start(t)
    return None


def late_for_routine(t: Transition, number: int, starts_at: datetime) -> str | None:
    """The warning for a transition meeting dated after the routine's limit, or None (seeds/000:
    overgangsmøte 2 «innen to uker etter skolestart»)."""
    latest = meeting_deadline(t, number)
    if latest is None or timezone.localtime(starts_at).date() <= latest:
        return None
    return _(
        "Overgangsmøte %(number)s skal holdes innen to uker etter skolestart, senest %(date)s. "
        "Skriv hvorfor møtet må være senere, eller velg en tidligere dato."
    ) % {"number": number, "date": f"{latest:%d.%m.%Y}"}


def transition_of(meeting: Meeting) -> tuple[Transition, int] | None:
    """The transition a meeting belongs to, and which of its meetings it is."""
    t = Transition.objects.filter(Q(meeting_1=meeting) | Q(meeting_2=meeting)).first()
    if t is None:
        return None
    return t, 1 if t.meeting_1_id == meeting.id else 2


def measures_to_evaluate(t: Transition) -> list[Measure]:
    """The open measures of the log, which overgangsmøte 2 evaluates (seeds/000)."""
    return list(Measure.objects.filter(log_id=t.log_id, stopped_at__isnull=True).select_related("responsible"))


NOTIFY = Step(
    "notify", gettext_lazy("Meld fra til skolen"), gettext_lazy("Styrer / stafettholder"), _notify_due, _notified
)
PRINCIPAL = Step(
    "principal",
    gettext_lazy("Legg til rektor som deltaker"),
    gettext_lazy("Stafettholder"),
    lambda t: date(t.start_date.year, 3, 31),
    _principal_added,
    member=lambda t: _leader_key(t.to_unit),
)
FEBRUARY_MEETING = Step(
    "february_meeting",
    gettext_lazy("Overgangsmøte mellom barnehagen og skolen i februar/mars"),
    gettext_lazy("Barnehagefaglig rådgiver kaller inn; barnehagestyrer gir opplysninger"),
    lambda t: date(t.start_date.year, 3, 31),
    _february_meeting,
    prompt=False,
)
SFO_LEADER = Step(
    "sfo_leader",
    gettext_lazy("Legg til SFO-lederen som deltaker"),
    gettext_lazy("Stafettholder"),
    lambda t: date(t.start_date.year, 6, 1),
    _sfo_leader_added,
    applies=lambda t: t.sfo_unit_id is not None,
    member=lambda t: _leader_key(t.sfo_unit),
)
TEACHER = Step(
    "contact_teacher",
    gettext_lazy("Legg til kontaktlæreren"),
    gettext_lazy("Rektor"),
    lambda t: date(t.start_date.year, 6, 1),
    _contact_teacher_added,
)
MEETING_1 = Step(
    "meeting_1",
    gettext_lazy("Overgangsmøte 1 før sommerferien"),
    gettext_lazy("Stafettholder kaller inn foresatte, kontaktlærer og SFO-leder"),
    _before_summer,
    _meeting_held("meeting_1"),
)
MEASURES = Step(
    "measures",
    gettext_lazy("Minst ett tiltak hver for barnehagen, foresatte, SFO-leder og kontaktlærer"),
    gettext_lazy("Alle i overgangsmøte 1"),
    _before_summer,
    _measures_for_everyone,
)
MEETING_2 = Step(
    "meeting_2",
    gettext_lazy("Overgangsmøte 2 innen to uker etter skolestart: evaluer tiltakene"),
    gettext_lazy("Stafettholder"),
    _two_weeks_after_start,
    _meeting_held("meeting_2"),
)
FINISH = Step(
    "finish",
    gettext_lazy("Avslutt loggen, eller gi stafettpinnen til kontaktlæreren"),
    gettext_lazy("Stafettholder og kontaktlærer"),
    _two_weeks_after_start,
    _finished,
    member=_contact_teacher_key,
)

ROUTINES: dict[str, list[Step]] = {
    TransitionKind.KINDERGARTEN_TO_SCHOOL: [
        NOTIFY,
        FEBRUARY_MEETING,
        PRINCIPAL,
        SFO_LEADER,
        TEACHER,
        MEETING_1,
        MEASURES,
        MEETING_2,
        FINISH,
    ],
    TransitionKind.TO_LOWER_SECONDARY: [
        Step(
            "notify",
            gettext_lazy("Meld fra til ungdomsskolen"),
            gettext_lazy("Stafettholder"),
            lambda t: date(t.start_date.year, 3, 1),
            _notified,
        ),
        PRINCIPAL,
        TEACHER,
        MEETING_1,
        FINISH,
    ],
    TransitionKind.MOVING: [
        Step(
            "notify",
            gettext_lazy("Meld fra til den nye skolen"),
            gettext_lazy("Stafettholder"),
            lambda t: t.start_date,
            _notified,
        ),
        PRINCIPAL,
        FINISH,
    ],
}


def _facts(t: Transition) -> Facts:
    log = t.log
    participants = list(log.participants.filter(removed_at__isnull=True).select_related("unit"))
    by_person_unit = {p.person_id: p.unit_id for p in participants}
    kindergarten_units = {log.unit_id} if log.unit.service_type == ServiceType.BARNEHAGE else set()
    kindergarten_units |= {p.unit_id for p in participants if p.unit.service_type == ServiceType.BARNEHAGE}
    measures_by: dict[str, set[int]] = {
        "kindergarten": set(),
        "guardian": set(),
        "sfo": set(),
        "contact_teacher": set(),
    }
    measures = log.measures.all()
    if t.meeting_1 is not None and t.meeting_1.held:
        # The measures are agreed in overgangsmøte 1; ending one when it is evaluated in
        # overgangsmøte 2 does not undo that step. One ended before the transition began never counts.
        measures = measures.filter(Q(stopped_at__isnull=True) | Q(stopped_at__gte=timezone.localdate(t.created_at)))
    else:
        measures = measures.filter(stopped_at__isnull=True)
    for m in measures:
        person_unit = log.unit_id if m.responsible_id == log.holder_id else by_person_unit.get(m.responsible_id)
        if m.responsible_kind == ResponsibleKind.GUARDIAN:
            measures_by["guardian"].add(m.id)
        if person_unit in kindergarten_units:
            measures_by["kindergarten"].add(m.id)
        if t.sfo_unit_id and person_unit == t.sfo_unit_id:
            measures_by["sfo"].add(m.id)
        if m.responsible_id == t.contact_teacher_id:
            measures_by["contact_teacher"].add(m.id)
    return Facts(participants, measures_by, kindergarten_units)


def progress(t: Transition) -> list[StepState]:
    facts = _facts(t)
    states = []
    for step in ROUTINES[t.kind]:
        if not step.applies(t):
            continue
        done, missing = step.check(t, facts)
        states.append(
            StepState(step.key, str(step.title), str(step.who), step.due(t), done, missing, step.member(t), step.prompt)
        )
    return states


def next_step(states: list[StepState]) -> StepState | None:
    return next((s for s in states if not s.done and s.prompt), None)


def open_transition(log: RelayLog) -> Transition | None:
    return (
        log.transitions.filter(completed_at__isnull=True)
        .select_related("to_unit", "sfo_unit", "contact_teacher", "meeting_1", "meeting_2", "log__unit")
        .first()
    )


def announced_to(person: Person) -> list[Transition]:
    """Children announced to schools this person leads: name, from where, when — no log content."""
    logs = access.logs_where(person, {Relation.RECEIVING_LEADER})
    units = Membership.objects.active().filter(person=person, role=Role.LEADER).values("unit_id")
    return list(
        Transition.objects.filter(
            log__in=logs.values("pk"), to_unit_id__in=units, notified_at__isnull=False, completed_at__isnull=True
        )
        .select_related("log__subject", "log__unit", "log__holder", "to_unit")
        .order_by("start_date")
    )
