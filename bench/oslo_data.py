"""The synthetic municipality for bench/oslo.py: Oslo-sized, invented, shaped as the app makes it.

Rows are written with bulk_create, not through the actions (stafett/logs/actions/): an action
costs milliseconds a row, hours at this size. So this module repeats what the actions would have
written — the log with its level history and consent (signatories, services covering every
participant's unit), digital consent requests for logs still waiting, participants from other
units, goals, measures with the right `responsible_kind`, evaluations (a stop decision stops the
measure), meetings with minutes and attendees, handovers, transitions, and one audit row for each
change, scoped to its log — plus "log.viewed" and "login" rows up to the audit size asked for.

Everyone is invented: names from short lists, synthetic national ID numbers (month + 80) checked
by the app's own parser (stafett/lib/national_id.py). Import only after django.setup().
"""

import random
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, NamedTuple

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

from stafett.audit.models import AuditEvent
from stafett.lib import national_id
from stafett.logs.models import (
    GOOD_MEETINGS_AGENDA,
    Arena,
    ChallengeCategory,
    CloseReason,
    Consent,
    ConsentApproval,
    ConsentRequest,
    Decision,
    Evaluation,
    Goal,
    Handover,
    HandoverStatus,
    Level,
    LevelChange,
    LogStatus,
    Measure,
    MeasureCategory,
    Meeting,
    NeedExtent,
    Participant,
    RelayLog,
    ResponsibleKind,
    Transition,
    TransitionKind,
)
from stafett.people.models import Guardianship, Membership, Municipality, Person, Role, ServiceType, Unit

BATCH = 2000  # rows per INSERT; Django lowers it to SQLite's 999-parameter limit by itself
LOG_CHUNK = 1000  # logs whose content is built and written together, to keep memory flat
S = ServiceType


@dataclass(frozen=True)
class UnitKind:
    service: str
    count: int  # units of this kind at scale 1.0 (150 in all)
    staff: int  # staff per unit at scale 1.0 (about 3,000 in all)
    leader_title: str
    titles: tuple[str, ...]
    name: str  # "{place}" is filled in


UNIT_KINDS = (
    UnitKind(S.BARNEHAGE, 55, 14, "styrer", ("pedagogisk leder", "barnehagelærer", "fagarbeider"), "{place} barnehage"),
    UnitKind(S.SKOLE, 40, 34, "rektor", ("kontaktlærer", "sosiallærer", "spesialpedagog"), "{place} skole"),
    UnitKind(S.SFO, 15, 8, "AKS-leder", ("baseleder", "assistent"), "{place} AKS"),
    UnitKind(
        S.HELSESTASJON, 12, 14, "ledende helsesykepleier", ("helsesykepleier", "jordmor"), "Helsestasjonen {place}"
    ),
    UnitKind(S.SKOLEHELSE, 6, 10, "ledende helsesykepleier", ("helsesykepleier",), "Skolehelsetjenesten {place}"),
    UnitKind(S.PPT, 4, 22, "PPT-leder", ("PP-rådgiver", "logoped"), "PPT {place}"),
    UnitKind(S.BARNEVERN, 5, 40, "barnevernleder", ("saksbehandler", "familieveileder"), "Barneverntjenesten {place}"),
    UnitKind(S.BUP, 2, 30, "avdelingsleder", ("psykolog", "sosionom"), "BUP {place}"),
    UnitKind(S.FASTLEGE, 4, 6, "daglig leder", ("fastlege",), "{place} legesenter"),
    UnitKind(S.NAV, 2, 20, "NAV-leder", ("veileder",), "NAV {place}"),
    UnitKind(S.FOREBYGGENDE, 2, 10, "leder", ("ungdomsarbeider",), "Forebyggende tjenester {place}"),
    UnitKind(S.RESSURSTEAM, 2, 8, "koordinator", ("rådgiver",), "Tverrfaglig ressursteam {place}"),
    UnitKind(S.ANNEN, 1, 6, "BTI-koordinator", ("rådgiver",), "Oppvekstetaten"),
)
# Where logs are opened (share of all logs) and the children's ages there.
LOG_SHARE = {S.BARNEHAGE: 0.30, S.SKOLE: 0.40, S.HELSESTASJON: 0.10, S.SKOLEHELSE: 0.08, S.PPT: 0.06, S.BARNEVERN: 0.06}
AGES = {S.BARNEHAGE: (1, 5), S.SKOLE: (6, 15), S.HELSESTASJON: (0, 5), S.SKOLEHELSE: (6, 17), S.PPT: (2, 16)}
AGES_DEFAULT = (0, 17)
PARTICIPANT_SERVICES_YOUNG = (S.BARNEHAGE, S.HELSESTASJON, S.PPT, S.BARNEVERN, S.FASTLEGE)
PARTICIPANT_SERVICES_SCHOOL = (S.SKOLE, S.SFO, S.SKOLEHELSE, S.PPT, S.BARNEVERN, S.BUP, S.FASTLEGE)


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


PLACES = words(
    "Bjølsen Sagene Lilleborg Ila Fagerborg Majorstuen Uranienborg Frogner Skøyen Ullern Montebello Røa Vinderen "
    "Slemdal Tåsen Nydalen Grefsen Kjelsås Disen Sinsen Tonsenhagen Linderud Veitvet Rødtvet Kalbakken Ammerud "
    "Grorud Romsås Rommen Vestli Haugenstua Furuset Lindeberg Trosterud Tveita Haugerud Bøler Oppsal Manglerud "
    "Ryen Lambertseter Nordstrand Ljan Hauketo Holmlia Mortensrud Bjørndal Stovner Tøyen Grønland Vålerenga "
    "Kampen Gamlebyen Ensjø Helsfyr Løren Hasle Torshov Sandaker Rodeløkka Kringsjå Sogn Berg Ekeberg"
)
GIVEN = words(
    "Emma Nora Ella Sofie Olivia Maja Sara Ingrid Leah Frida Amalie Aisha Zainab Hanne Silje Kari Ida Marte Thea "
    "Noah Oskar Lukas Filip Jakob Emil Aksel Henrik Ali Mohammed Elias Isak William Magnus Ola Per Jonas Erik Omar"
)
FAMILY = words(
    "Hansen Johansen Olsen Larsen Andersen Pedersen Nilsen Kristiansen Jensen Karlsen Johnsen Pettersen Eriksen "
    "Berg Haugen Hagen Dahl Halvorsen Lund Moen Strand Solberg Eide Lie Bakken Ahmed Ali Khan Nguyen Hussain "
    "Mohamed Yilmaz Kowalski Nowak Abdi Rahman Haugland Fossum Vik Aasen"
)
GOALS = {
    Arena.HOME: ("Faste rutiner for leggetid", "Mer lek med jevnaldrende i fritiden", "Trygge måltider hjemme"),
    Arena.SERVICE: ("Delta i samlingsstund", "Lese sammenhengende tekst", "Trives i friminuttene", "Be om hjelp"),
    Arena.OTHER: ("Utredning hos PPT", "Oppfølging av søvn og vekt", "Foreldreveiledning"),
}
MEASURES = (
    "Språkgruppe to ganger i uka",
    "Fast voksen i overganger",
    "Bildestøtte for dagsrytmen",
    "Lesekurs med lesevenn",
    "Samtaler med helsesykepleier",
    "ICDP-foreldreveiledning",
    "Leksehjelp på AKS",
    "Motorisk trening med fysioterapeut",
    "Vennegruppe med miljøarbeider",
    "Henvisning til PPT for utredning",
    "Fast kveldsrutine hjemme",
    "Deltakelse i fotballag",
)
LANGUAGES = ("arabisk", "somali", "polsk", "urdu", "tigrinja", "dari")


class Who(NamedTuple):
    """A person as the builder needs them: for foreign keys and the audit row's actor."""

    id: int
    code: uuid.UUID
    name: str


@dataclass
class Child:
    who: Who
    born: date
    guardians: list[Who]


@dataclass
class LogPlan:
    """One log while its content is written: who takes part, and its span of time."""

    log: RelayLog
    child: Child
    holder: Who
    start: date
    end: date  # closing or withdrawal day, else today
    participants: list[tuple[Who, Unit]] = field(default_factory=list)  # active ones
    services: list[str] = field(default_factory=list)
    measures: int = 0


@dataclass(frozen=True)
class Sizes:
    units: int
    staff: int
    logs: int
    measures: int
    audit_rows: int

    @classmethod
    def at(cls, scale: float) -> "Sizes":
        units = sum(max(1, round(k.count * scale)) for k in UNIT_KINDS)
        return cls(
            units,
            max(3 * units, round(3000 * scale)),
            round(12000 * scale),
            round(100_000 * scale),
            round(1_000_000 * scale),
        )


@contextmanager
def explicit_timestamps() -> Iterator[None]:
    """auto_now/auto_now_add would stamp every row with this second; the benchmark needs history."""
    fields = [
        f
        for m in apps.get_models()
        for f in m._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, now, add in saved:
            f.auto_now, f.auto_now_add = now, add


class NationalIds:
    """Unique synthetic numbers (month + 80) that the app's own parser accepts."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def make(self, born: date) -> str:
        low = 500 if born.year >= 2000 else 0  # the individual number tells the century
        while True:
            month = born.month + national_id.SYNTHETIC_MONTH_OFFSET
            first_nine = f"{born.day:02d}{month:02d}{born.year % 100:02d}{self.rng.randrange(low, low + 500):03d}"
            try:
                number = national_id.with_check_digits(first_nine)
            except ValueError:
                continue
            if number in self.used:
                continue
            if national_id.parse(number, allow_synthetic=True).birth_date != born:
                raise ValueError(f"synthetic number {first_nine}.. does not give {born}")
            self.used.add(number)
            return number


class AuditWriter:
    """Audit rows as record() writes them (stafett/audit/record.py), inserted in batches."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.rows: list[AuditEvent] = []
        self.written = 0

    def add(
        self, at: datetime, actor: Who, action: str, obj: tuple[str, Any], scope: uuid.UUID | None, **details: Any
    ) -> None:
        self.rows.append(
            AuditEvent(
                at=at,
                actor_code=actor.code,
                actor_name=actor.name,
                action=action,
                object_type=obj[0],
                object_code=str(obj[1]),
                scope_code=scope,
                ip=f"10.{self.rng.randrange(40, 48)}.{self.rng.randrange(256)}.{self.rng.randrange(1, 255)}",
                details=details,
            )
        )
        if len(self.rows) >= 5 * BATCH:
            self.flush()

    def flush(self) -> None:
        AuditEvent.objects.bulk_create(self.rows, batch_size=BATCH)
        self.written += len(self.rows)
        self.rows = []


def insert(model: type[models.Model], rows: Sequence[models.Model]) -> None:
    model.objects.bulk_create(rows, batch_size=BATCH)  # type: ignore[attr-defined]


class OsloBuilder:
    """Builds everything in `build()`; the parts are methods named after what they write."""

    def __init__(self, sizes: Sizes, *, seed: int = 2026) -> None:
        self.sizes = sizes
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
        self.ids = NationalIds(self.rng)
        self.audit = AuditWriter(self.rng)
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.units: list[Unit] = []
        self.units_by_service: dict[str, list[Unit]] = {}
        self.staff_at: dict[int, list[Who]] = {}  # unit id -> active staff
        self.leaders_at: dict[int, list[Who]] = {}
        self.departed_at: dict[int, list[Who]] = {}  # staff whose membership has ended
        self.admin: Who | None = None
        self.plans: list[LogPlan] = []

    # --- helpers ------------------------------------------------------------------------

    def moment(self, day: date) -> datetime:
        """A working-hours moment on `day`, never in the future."""
        at = datetime.combine(day, time(self.rng.randint(8, 15), self.rng.randrange(60)), tzinfo=self.now.tzinfo)
        return min(at, self.now - timedelta(minutes=1)) if day >= self.today else at

    def day_between(self, first: date, last: date) -> date:
        return first + timedelta(days=self.rng.randint(0, max(0, (last - first).days)))

    def new_person(self, born: date, *, registered: date, family: str | None = None) -> Person:
        person = Person(
            national_id=self.ids.make(born),
            birth_date=born,
            given_name=self.rng.choice(GIVEN),
            family_name=family or self.rng.choice(FAMILY),
            created_at=self.moment(registered),
        )
        person.set_unusable_password()  # as people/actions.py: login is only through OpenID Connect
        return person

    @staticmethod
    def who(p: Person) -> Who:
        return Who(p.pk, p.code, p.full_name)

    # --- organisation -----------------------------------------------------------------

    def build(self) -> None:
        with explicit_timestamps():
            with transaction.atomic():
                self.organisation()
                self.staff()
                self.logs()
            for start in range(0, len(self.plans), LOG_CHUNK):
                with transaction.atomic():
                    self.log_content(self.plans[start : start + LOG_CHUNK])
                    self.audit.flush()
            with transaction.atomic():
                self.audit_filler()
                self.audit.flush()

    def organisation(self) -> None:
        oslo = Municipality.objects.create(name="Oslo kommune", number="0301")
        scale = self.sizes.units / sum(k.count for k in UNIT_KINDS)
        for k, kind in enumerate(UNIT_KINDS):
            for i in range(max(1, round(kind.count * scale))):
                place = PLACES[(7 * k + i) % len(PLACES)] + (f" {i // len(PLACES) + 1}" if i >= len(PLACES) else "")
                name = kind.name.format(place=place)
                if "{place}" not in kind.name and i > 0:
                    name = f"{name} {i + 1}"  # «Oppvekstetaten» has no place: at scale ≥ 1.5 there are two
                self.units.append(Unit(municipality=oslo, name=name, service_type=kind.service))
        insert(Unit, self.units)
        for u in self.units:
            self.units_by_service.setdefault(u.service_type, []).append(u)

    def staff(self) -> None:
        """Staff lists: leaders, employees, a few who have left; a system administrator and a superuser."""
        kinds = {k.service: k for k in UNIT_KINDS}
        weight = sum(kinds[u.service_type].staff for u in self.units)
        rows: list[tuple[Unit, str, str, date | None]] = []  # unit, role, title, ended_on
        for u in self.units:
            kind = kinds[u.service_type]
            n = max(3, round(kind.staff * self.sizes.staff / weight))
            leaders = 2 if n >= 25 else 1
            for i in range(n):
                left = i >= leaders and self.rng.random() < 0.03
                ended = self.today - timedelta(days=self.rng.randint(5, 400)) if left else None
                role, title = (Role.LEADER, kind.leader_title) if i < leaders else (Role.EMPLOYEE, "")
                rows.append((u, role, title or self.rng.choice(kind.titles), ended))
        people = [
            self.new_person(self.day_between(date(1960, 1, 1), date(1999, 12, 31)), registered=date(2020, 1, 1))
            for _ in rows
        ]
        for p in people:
            p.email = f"{p.given_name}.{p.family_name}.{self.rng.randrange(10**6)}@oslo.example".lower()
        insert(Person, people)
        memberships = []
        for p, (u, role, title, ended) in zip(people, rows, strict=True):
            started = self.day_between(date(2005, 1, 1), (ended or self.today) - timedelta(days=30))
            memberships.append(Membership(person=p, unit=u, role=role, title=title, started_on=started, ended_on=ended))
            target = self.departed_at if ended else self.leaders_at if role == Role.LEADER else self.staff_at
            target.setdefault(u.pk, []).append(self.who(p))
        admin_unit = self.units_by_service[S.ANNEN][0]
        for role, p in ((Role.SYSTEM_ADMIN, people[-1]), (Role.SUPERUSER, people[-2])):
            memberships.append(Membership(person=p, unit=admin_unit, role=role, started_on=date(2020, 1, 1)))
        self.admin = self.who(people[-1])
        insert(Membership, memberships)
        for unit_id, leaders in self.leaders_at.items():  # leaders may hold logs too
            self.staff_at.setdefault(unit_id, []).extend(leaders)

    # --- children, guardians and logs ---------------------------------------------------

    def child_for(self, service: str, opened: date) -> tuple[Child, list[Person]]:
        """A child of the right age for the service, with one or two guardians (saved by the caller)."""
        low, high = AGES.get(service, AGES_DEFAULT)
        born = opened - timedelta(days=self.rng.randint(365 * low + 30, 365 * high + 330))
        family = self.rng.choice(FAMILY)
        child = self.new_person(born, registered=opened, family=family)
        child.address = f"{self.rng.choice(PLACES)}veien {self.rng.randint(1, 120)}"
        child.postal_code, child.city = f"0{self.rng.randint(150, 999)}", "Oslo"
        guardians = []
        for _ in range(2 if self.rng.random() < 0.7 else 1):
            g = self.new_person(born - timedelta(days=self.rng.randint(365 * 22, 365 * 45)), registered=opened)
            g.family_name = family if self.rng.random() < 0.8 else g.family_name
            g.address, g.postal_code, g.city = child.address, child.postal_code, child.city
            g.phone = f"4{self.rng.randrange(10**7):07d}"
            if self.rng.random() < 0.8:
                g.email = f"{g.given_name}.{self.rng.randrange(10**6)}@epost.example".lower()
            guardians.append(g)
        placeholder = Child(Who(0, child.code, child.full_name), born, [Who(0, g.code, g.full_name) for g in guardians])
        return placeholder, [child, *guardians]

    def logs(self) -> None:
        opening = [u for u in self.units if u.service_type in LOG_SHARE]
        per_service = {s: len(self.units_by_service.get(s, [])) for s in LOG_SHARE}
        # Lognormal noise: a few units have many logs, as in a real city.
        weights = [
            LOG_SHARE[u.service_type] / per_service[u.service_type] * self.rng.lognormvariate(0, 0.6) for u in opening
        ]
        specs = []
        for unit in self.rng.choices(opening, weights, k=self.sizes.logs):
            r = self.rng.random()
            status = (
                LogStatus.CLOSED
                if r < 0.15
                else LogStatus.PASSIVE
                if r < 0.18
                else LogStatus.AWAITING_CONSENT
                if r < 0.22
                else LogStatus.ACTIVE
            )
            start, end = self.lifetime(status)
            specs.append((unit, status, start, end))
        children, people = [], []
        for unit, _, start, _ in specs:
            child, persons = self.child_for(unit.service_type, start)
            children.append(child)
            people.extend(persons)
        insert(Person, people)
        by_code = {p.code: p for p in people}
        guardianships = []
        for child in children:
            child.who = self.who(by_code[child.who.code])
            child.guardians = [self.who(by_code[g.code]) for g in child.guardians]
            guardianships += [Guardianship(guardian_id=g.id, child_id=child.who.id) for g in child.guardians]
        insert(Guardianship, guardianships)
        self.audit_registrations(people)
        for (unit, status, start, end), child in zip(specs, children, strict=True):
            holder = self.holder_for(unit, status)
            log = self.relay_log(unit, status, (start, end), child, holder)
            self.plans.append(LogPlan(log, child, holder, start, end))
        insert(RelayLog, [p.log for p in self.plans])
        # Measures go to logs with a plan, more to those on a higher level.
        planned = [p for p in self.plans if p.log.status != LogStatus.AWAITING_CONSENT]
        for plan in self.rng.choices(planned, [p.log.level for p in planned], k=self.sizes.measures):
            plan.measures += 1

    def lifetime(self, status: str) -> tuple[date, date]:
        t = self.today
        if status == LogStatus.AWAITING_CONSENT:
            return t - timedelta(days=self.rng.randint(0, 30)), t
        if status == LogStatus.ACTIVE:
            return t - timedelta(days=int(self.rng.triangular(7, 1000, 120))), t
        start = t - timedelta(days=self.rng.randint(150, 1400))
        return start, min(t - timedelta(days=1), start + timedelta(days=self.rng.randint(60, 700)))

    def holder_for(self, unit: Unit, status: str) -> Who:
        departed = self.departed_at.get(unit.pk)
        if status == LogStatus.ACTIVE and departed and self.rng.random() < 0.015:
            return self.rng.choice(departed)  # the holder has left the unit: its leader is reminded
        return self.rng.choice(self.staff_at[unit.pk])

    def relay_log(self, unit: Unit, status: str, span: tuple[date, date], child: Child, holder: Who) -> RelayLog:
        rng, (start, end) = self.rng, span
        opened = self.moment(start)
        closed = status == LogStatus.CLOSED
        interpreter = rng.random() < 0.06
        return RelayLog(
            subject_id=child.who.id,
            unit=unit,
            holder_id=holder.id,
            status=status,
            level=rng.choices(Level.values, (55, 35, 10))[0],
            interpreter_needed=interpreter,
            interpreter_language=rng.choice(LANGUAGES) if interpreter else "",
            presentation=f"{child.who.name.split()[0]} er blid, nysgjerrig og glad i å leke ute.",
            initiator_text="Personalet og foresatte har over tid vært bekymret for trivsel og utvikling.",
            initiated_by=rng.choice(("Foresatte", "Barnehagen", "Skolen", "Helsestasjonen")),
            strengths="Glad i musikk og bevegelse; gode relasjoner til voksne.",
            challenges="Strever i overganger og i samspill med jevnaldrende.",
            challenge_categories=rng.sample(ChallengeCategory.values, rng.randint(1, 3)),
            need_extent=rng.choice(NeedExtent.values),
            has_individual_decision=rng.random() < 0.1,
            closed_reason=rng.choice((CloseReason.GOALS_MET, CloseReason.REPLACED_BY_IP)) if closed else "",
            closed_at=self.moment(end) if closed else None,
            created_at=opened,
            updated_at=opened if status == LogStatus.ACTIVE else self.moment(end),
        )

    def audit_registrations(self, people: list[Person]) -> None:
        # people/actions.py: register_child_with_guardians, by the system administrator.
        assert self.admin is not None
        for p in people:
            details = {"navn": p.full_name, "fødselsnummer": national_id.mask(p.national_id), "e-post": p.email}
            self.audit.add(p.created_at, self.admin, "person.registered", ("people.person", p.code), None, **details)

    # --- what is inside a log -------------------------------------------------------------

    def event(self, plan: LogPlan, at: datetime, actor: Who, action: str, obj: Any, **details: Any) -> None:
        """The audit row an action writes about `obj`, scoped to the log (logs/actions/common.py: _audit)."""
        self.audit.add(at, actor, action, (obj._meta.label_lower, obj.code), plan.log.code, **details)

    def log_content(self, plans: list[LogPlan]) -> None:
        with_plan = [p for p in plans if p.log.status != LogStatus.AWAITING_CONSENT]
        self.opening(plans)
        self.participants(with_plan)
        self.consents(plans)
        self.goals_measures_evaluations(with_plan)
        self.meetings(with_plan)
        self.handovers(with_plan)
        self.transitions(with_plan)

    def opening(self, plans: list[LogPlan]) -> None:
        """log.opened and the level history; closing."""
        changes = []
        for plan in plans:
            log, holder, opened = plan.log, plan.holder, plan.log.created_at
            self.event(plan, opened, holder, "log.opened", log, holder=holder.name, tjenestested=log.unit.name)
            reason = "Loggen ble opprettet"
            changes.append(LevelChange(log=log, level=1, reason=reason, changed_by_name=holder.name, changed_at=opened))
            if log.level > Level.ONE:
                at = self.moment(self.day_between(plan.start, min(plan.end, plan.start + timedelta(days=90))))
                reason = "Behovet krever tverrfaglig innsats"
                change = LevelChange(
                    log=log, level=log.level, reason=reason, changed_by_name=holder.name, changed_at=at
                )
                changes.append(change)
                self.event(plan, at, holder, "log.overview_changed", log, felt=["level"])
            if log.status == LogStatus.CLOSED:
                self.event(plan, log.closed_at, holder, "log.closed", log, årsak=log.closed_reason)
        insert(LevelChange, changes)

    def participants(self, plans: list[LogPlan]) -> None:
        """One from each other unit the child needs; the consent covers their services (seeds/001 §7)."""
        rows = []
        for plan in plans:
            age = (plan.start - plan.child.born).days // 365
            pool = PARTICIPANT_SERVICES_YOUNG if age < 6 else PARTICIPANT_SERVICES_SCHOOL
            services = [s for s in pool if s != plan.log.unit.service_type and s in self.units_by_service]
            chosen = self.rng.sample(services, min(len(services), self.rng.choices(range(5), (10, 30, 30, 20, 10))[0]))
            plan.services = sorted({plan.log.unit.service_type, *chosen})
            for service in chosen:
                unit = self.rng.choice(self.units_by_service[service])
                person = self.rng.choice(self.staff_at[unit.pk])
                added = self.moment(self.day_between(plan.start, min(plan.end, plan.start + timedelta(days=60))))
                removed = self.moment(self.day_between(added.date(), plan.end)) if self.rng.random() < 0.05 else None
                p = Participant(log=plan.log, person_id=person.id, unit=unit, added_at=added, removed_at=removed)
                p.notify_comment = self.rng.random() < 0.2
                rows.append(p)
                self.event(plan, added, plan.holder, "participant.added", p, person=person.name, tjenestested=unit.name)
                if removed:
                    self.event(plan, removed, plan.holder, "participant.removed", p, person=person.name)
                else:
                    plan.participants.append((person, unit))
        insert(Participant, rows)

    def signers(self, plan: LogPlan, on: date) -> list[Who]:
        # The youth signs from 15 (Municipality.youth_signs_from_age).
        youth = (on - plan.child.born).days // 365 >= 15
        return [*plan.child.guardians, plan.child.who] if youth else list(plan.child.guardians)

    def consent_periods(self, plan: LogPlan) -> list[tuple[date, date]]:
        """Closed and passive logs: the first consent. Active ones: some about to run out, a few
        already out, the rest valid; an old log has renewed its consent (the history stays)."""
        two_years = timedelta(days=730)
        if plan.log.status != LogStatus.ACTIVE:
            return [(plan.start, plan.start + two_years)]
        r = self.rng.random()
        if r < 0.05:
            until = self.today + timedelta(days=self.rng.randint(0, 30))
        elif r < 0.07:
            until = max(plan.start, self.today - timedelta(days=self.rng.randint(1, 60)))
        else:
            until = max(plan.start + two_years, self.today + timedelta(days=self.rng.randint(31, 700)))
        renewed = max(plan.start, until - two_years)
        if renewed <= plan.start + timedelta(days=30):
            return [(plan.start, until)]
        return [(plan.start, renewed + timedelta(days=self.rng.randint(0, 20))), (renewed, until)]

    def consents(self, plans: list[LogPlan]) -> None:
        """A signed paper consent (renewed on old logs, withdrawn on passive ones); a digital
        consent request, half answered, on logs still waiting (logs/actions/consent.py)."""
        consents, signed, requests, to_sign, approvals = [], [], [], [], []
        for plan in plans:
            log, holder = plan.log, plan.holder
            if log.status == LogStatus.AWAITING_CONSENT:
                services = sorted({log.unit.service_type, *self.rng.sample([S.HELSESTASJON, S.PPT, S.BARNEVERN], 2)})
                until = self.today + timedelta(days=730)
                req = ConsentRequest(log=log, services=services, valid_until=until, requested_by_id=holder.id)
                req.created_at = log.created_at
                requests.append(req)
                signers = self.signers(plan, plan.start)
                to_sign += [(req, s.id) for s in signers]
                self.event(plan, log.created_at, holder, "consent.requested", req, til=[s.name for s in signers])
                if len(signers) > 1 and self.rng.random() < 0.5:
                    at, how = self.moment(self.day_between(plan.start, self.today)), "ID-porten (idporten-loa-high)"
                    approvals.append(
                        ConsentApproval(
                            request=req, person_id=signers[0].id, approved=True, answered_at=at, authenticated_by=how
                        )
                    )
                    self.event(plan, at, signers[0], "consent.approved", req, metode=how)
                continue
            periods = self.consent_periods(plan)
            for i, (valid_from, valid_until) in enumerate(periods):
                code = uuid.uuid4()
                consent = Consent(
                    code=code,
                    log=log,
                    services=plan.services,
                    valid_from=valid_from,
                    valid_until=valid_until,
                    collected_by_id=holder.id,
                    collected_at_unit=log.unit,
                    document=f"consents/{code}.pdf",
                    level=log.level,
                    created_at=self.moment(valid_from),
                )
                consents.append(consent)
                signers = self.signers(plan, valid_from)
                signed += [(consent, s.id) for s in signers]
                self.event(
                    plan,
                    consent.created_at,
                    holder,
                    "consent.recorded",
                    consent,
                    tjenester=plan.services,
                    gyldig_til=valid_until.isoformat(),
                    signert_av=[s.name for s in signers],
                )
                if log.status == LogStatus.PASSIVE and i == len(periods) - 1:
                    guardian = plan.child.guardians[0]
                    consent.withdrawn_at, consent.withdrawn_by_name = self.moment(plan.end), guardian.name
                    self.event(plan, consent.withdrawn_at, guardian, "consent.withdrawn", log, på_papir=False)
        insert(Consent, consents)
        signatories = Consent.signatories.through
        insert(signatories, [signatories(consent_id=c.pk, person_id=p) for c, p in signed])
        insert(ConsentRequest, requests)
        required = ConsentRequest.required_signers.through
        insert(required, [required(consentrequest_id=r.pk, person_id=p) for r, p in to_sign])
        insert(ConsentApproval, approvals)

    def responsible(self, plan: LogPlan) -> tuple[str, Who]:
        """A participant (the holder counts as one), a guardian, or the child (actions.responsible_kind)."""
        r = self.rng.random()
        if r < 0.35:
            return ResponsibleKind.PARTICIPANT, plan.holder
        if r < 0.65 and plan.participants:
            return ResponsibleKind.PARTICIPANT, self.rng.choice(plan.participants)[0]
        if r < 0.92 or (self.today - plan.child.born).days < 365 * 10:
            return ResponsibleKind.GUARDIAN, self.rng.choice(plan.child.guardians)
        return ResponsibleKind.CHILD, plan.child.who

    def goals_measures_evaluations(self, plans: list[LogPlan]) -> None:
        goals, measures, evaluations = [], [], []
        for plan in plans:
            first_month = min(plan.end, plan.start + timedelta(days=30))
            log_goals = []
            for _ in range(self.rng.randint(1, 4)):
                arena = self.rng.choice(Arena.values)
                g = Goal(log=plan.log, arena=arena, text=self.rng.choice(GOALS[arena]))
                g.created_at = self.moment(self.day_between(plan.start, first_month))
                log_goals.append(g)
                self.event(plan, g.created_at, plan.holder, "goal.added", g, arena=arena)
            goals += log_goals
            for _ in range(plan.measures):
                m, responsible = self.measure(plan, self.rng.choice(log_goals))
                measures.append(m)
                evaluations += self.evaluations(plan, m, responsible)
        insert(Goal, goals)
        insert(Measure, measures)
        insert(Evaluation, evaluations)

    def measure(self, plan: LogPlan, goal: Goal) -> tuple[Measure, Who]:
        rng = self.rng
        kind, who = self.responsible(plan)
        earliest = plan.start + timedelta(days=7)
        if plan.log.status == LogStatus.ACTIVE:  # deadlines spread around today, so reminders fall due
            deadline = max(earliest, self.today + timedelta(days=rng.randint(-180, 120)))
        else:
            deadline = self.day_between(earliest, max(earliest, plan.end))
        # add_measure refuses a deadline in the past: the measure was made before its deadline.
        made = self.day_between(max(plan.start, deadline - timedelta(days=120)), min(deadline, self.today))
        m = Measure(
            log=plan.log,
            goal=goal,
            what=rng.choice(MEASURES),
            category=rng.choice(MeasureCategory.values),
            responsible_kind=kind,
            responsible_id=who.id,
            deadline=deadline,
            evaluation_date=deadline + timedelta(days=rng.randint(0, 45)),
            created_at=self.moment(made),
        )
        self.event(plan, m.created_at, plan.holder, "measure.added", m, ansvarlig=who.name, frist=deadline.isoformat())
        return m, who

    def evaluations(self, plan: LogPlan, m: Measure, responsible: Who) -> list[Evaluation]:
        """Most measures past their evaluation date are evaluated; the rest are overdue (flagged, reminded).
        The responsible evaluates (the holder for the child); sometimes the guardians add the last word."""
        rng = self.rng
        if m.evaluation_date >= self.today or rng.random() > (0.75 if plan.log.status == LogStatus.ACTIVE else 0.9):
            return []
        authors = [plan.holder if m.responsible_kind == ResponsibleKind.CHILD else responsible]
        if rng.random() < 0.15:
            authors.append(rng.choice(plan.child.guardians))
        rows = []
        for author in authors:
            day = min(self.today, m.evaluation_date + timedelta(days=rng.randint(-3, 10)))
            decision = rng.choices(Decision.values, (50, 25, 25))[0]
            e = Evaluation(
                measure=m,
                carried_out=rng.random() < 0.8,
                decision=decision,
                author_id=author.id,
                author_is_guardian=author in plan.child.guardians,
                created_at=self.moment(day),
                effect_child="Trives bedre i lek med andre.",
                effect_guardians="Rutinene hjemme fungerer bedre.",
            )
            rows.append(e)
            if decision == Decision.STOP and m.stopped_at is None:
                m.stopped_at = day  # evaluate_measure stops the measure
            self.event(
                plan, e.created_at, author, "measure.evaluated", m, vurdering=decision, gjennomfort=e.carried_out
            )
        return rows

    def meeting_days(self, plan: LogPlan) -> list[date]:
        """Held meetings every two to four months back from the last one; some logs have none."""
        if self.rng.random() < 0.12:
            return []
        days, day = [], plan.end - timedelta(days=self.rng.randint(3, 200))
        while day >= plan.start + timedelta(days=14) and len(days) < 6:
            days.append(day)
            day -= timedelta(days=self.rng.randint(60, 120))
        return days[::-1]

    def meetings(self, plans: list[LogPlan]) -> None:
        """Held meetings with minutes and attendees; an upcoming one on some active logs."""
        meetings, attendees = [], []
        for plan in plans:
            log, holder = plan.log, plan.holder
            held = self.meeting_days(plan)
            soon = log.status == LogStatus.ACTIVE and self.rng.random() < 0.4
            upcoming = [self.today + timedelta(days=self.rng.randint(1, 60))] if soon else []
            for n, day in enumerate(held + upcoming):
                hour = self.rng.choice((8, 9, 10, 12, 13, 14))
                starts = datetime.combine(day, time(hour), tzinfo=self.now.tzinfo)
                place = f"Møterom, {log.unit.name}"
                m = Meeting(log=log, starts_at=starts, place=place, agenda=GOOD_MEETINGS_AGENDA, held=n < len(held))
                m.created_at = self.moment(max(plan.start, day - timedelta(days=self.rng.randint(7, 30))))
                meetings.append(m)
                self.event(plan, m.created_at, holder, "meeting.scheduled", m, tidspunkt=starts.isoformat())
                if not m.held:
                    continue
                m.minutes = "Gikk gjennom tiltakene. Foresatte opplever bedring hjemme. Nye avtaler i planen."
                m.next_meeting_date = held[n + 1] if n + 1 < len(held) else None
                present = [holder, *plan.child.guardians, *(w for w, _ in plan.participants if self.rng.random() < 0.7)]
                attendees.append((m, present))
                written = self.moment(min(self.today, day + timedelta(days=self.rng.randint(0, 3))))
                self.event(plan, written, holder, "meeting.minutes_written", m, til_stede=[w.name for w in present])
        insert(Meeting, meetings)
        through = Meeting.attendees.through
        insert(through, [through(meeting_id=m.pk, person_id=w.id) for m, present in attendees for w in present])

    def handovers(self, plans: list[LogPlan]) -> None:
        """A few waiting for an answer (reminded after a week); some accepted earlier."""
        rows = []
        for plan in plans:
            log, unit, holder = plan.log, plan.log.unit, plan.holder
            colleagues = [w for w in self.staff_at[unit.pk] if w.id != holder.id]
            r = self.rng.random()
            if not colleagues or r >= 0.06:
                continue
            if log.status == LogStatus.ACTIVE and r < 0.02:
                to = self.rng.choice(colleagues)
                by = self.rng.choice(self.leaders_at[unit.pk]) if self.rng.random() < 0.2 else holder
                h = Handover(log=log, from_holder_id=holder.id, to_person_id=to.id, to_unit=unit, proposed_by_id=by.id)
                h.note = "Jeg skal ut i permisjon."
                h.created_at = self.now - timedelta(days=self.rng.randint(1, 25), hours=self.rng.randint(0, 8))
                self.event(plan, h.created_at, by, "handover.proposed", h, til=to.name, tjenestested=unit.name)
            else:
                was = self.rng.choice(colleagues)
                h = Handover(
                    log=log, from_holder_id=was.id, to_person_id=holder.id, to_unit=unit, proposed_by_id=was.id
                )
                h.created_at = self.moment(self.day_between(plan.start, plan.end))
                h.status, h.decided_at = HandoverStatus.ACCEPTED, min(self.now, h.created_at + timedelta(days=2))
                self.event(plan, h.created_at, was, "handover.proposed", h, til=holder.name, tjenestested=unit.name)
                self.event(plan, h.decided_at, holder, "handover.accepted", h)
            rows.append(h)
        insert(Handover, rows)

    def transitions(self, plans: list[LogPlan]) -> None:
        """Kindergarten → school for the children who start school next August (seeds/000)."""
        schools, sfos = self.units_by_service.get(S.SKOLE), self.units_by_service.get(S.SFO, [])
        school_year = self.today.year + (1 if self.today.month >= 7 else 0)
        rows = []
        for plan in plans:
            log = plan.log
            if not schools or log.status != LogStatus.ACTIVE or log.unit.service_type != S.BARNEHAGE:
                continue
            if plan.child.born.year != school_year - 6:
                continue
            made = self.moment(self.day_between(max(plan.start, self.today - timedelta(days=90)), self.today))
            t = Transition(
                log=log,
                kind=TransitionKind.KINDERGARTEN_TO_SCHOOL,
                to_unit=self.rng.choice(schools),
                sfo_unit=self.rng.choice(sfos) if sfos and self.rng.random() < 0.7 else None,
                start_date=date(school_year, 8, 18),
                significant_needs=self.rng.random() < 0.2,
                notified_at=made if self.rng.random() < 0.5 else None,
                created_at=made,
            )
            rows.append(t)
            self.event(
                plan,
                made,
                plan.holder,
                "transition.started",
                t,
                til=t.to_unit.name,
                skolestart=t.start_date.isoformat(),
            )
        insert(Transition, rows)

    # --- the rest of the audit trail ------------------------------------------------------

    def audit_filler(self) -> None:
        """Reads of logs ("who has seen the log") and logins, up to the size asked for."""
        staff = [w for people in self.staff_at.values() for w in people]
        missing = self.sizes.audit_rows - self.audit.written - len(self.audit.rows)
        for _ in range(max(0, missing)):
            if self.rng.random() < 0.1:
                who = self.rng.choice(staff)
                at = self.moment(self.today - timedelta(days=self.rng.randint(0, 1000)))
                self.audit.add(at, who, "login", ("people.person", who.code), None, metode="staff")
                continue
            plan = self.rng.choice(self.plans)
            r = self.rng.random()
            if r < 0.5 or not plan.participants:
                reader = plan.holder if r < 0.8 else self.rng.choice(plan.child.guardians)
            else:
                reader = self.rng.choice(plan.participants)[0]
            at = self.moment(self.day_between(plan.start, plan.end))
            self.event(plan, at, reader, "log.viewed", plan.log, side="log")
