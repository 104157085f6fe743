"""Logs in every state and a cast related to them in every way, built through the actions
(the ORM only where no action can make the state) — for the proof tests of the single access
definition (issue «One truth for who may read a log»).

The people, on top of `cast` (tests/conftest.py):

- kari: holds every log at Solsikken barnehage
- hege: employee at the kindergarten, proposed as the next holder (open handover from Berit)
- nina: participant from the health station (a service the consent covers)
- paal: participant from PPT — a newer consent (given digitally) no longer covers PPT
- lars: participant from Fjordvik skole, taken off the school's staff list since
- tone: participant from the kindergarten the guardians have not yet approved (issue 15 §4)
- silje: guardian of the children; sunniva: guardian of the children in shielded logs
- berit: leader of the kindergarten; rune: leader of Fjordvik skole (another unit)
- trude: system administrator; randi: superuser; eva: employee at the health station
  with no part in any log; outsider: a citizen
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from stafett.logs import actions
from stafett.logs.actions import ConsentData, ConsentTerms, LogStart, MeasureData
from stafett.logs.models import (
    Arena,
    CloseReason,
    Consent,
    Goal,
    Handover,
    LogStatus,
    Measure,
    MeasureCategory,
    Participant,
    ParticipantApproval,
    RelayLog,
    ResponsibleKind,
    TransitionKind,
)
from stafett.people import actions as people_actions
from stafett.people.models import Guardianship, Membership, Municipality, Person, Role, ServiceType, Unit
from tests.conftest import Cast, make_person
from tests.logs.conftest import pdf_upload

# The first consent of every log; a later digital one drops PPT (Pål's service).
FIRST_SERVICES = [ServiceType.BARNEHAGE, ServiceType.HELSESTASJON, ServiceType.PPT, ServiceType.SKOLE]
WITHOUT_PPT = [ServiceType.BARNEHAGE, ServiceType.HELSESTASJON, ServiceType.SKOLE]
# «Consent narrowed»: renewed on paper without the health station (Nina's service).
NARROWED = [ServiceType.BARNEHAGE, ServiceType.SKOLE]
ID_PORTEN = "ID-porten (idporten-loa-high)"

STATES = [
    "active",
    "awaiting_consent",
    "consent_expired",
    "consent_not_started",
    "consent_narrowed",
    "passive",
    "closed",
    "content_deleted",
    "guardians_shielded",
]


def today() -> date:
    return timezone.localdate()


def born_years_ago(years: int, days: int) -> date:
    """A birth date `years` years and `days` days ago: `years` old today, whatever today is."""
    now = today()
    try:
        anniversary = now.replace(year=now.year - years)
    except ValueError:  # 29 February
        anniversary = now.replace(year=now.year - years, day=28)
    return anniversary - timedelta(days=days)


@dataclass
class People:
    cast: Cast
    school: Unit
    hege: Person
    paal: Person
    lars: Person
    rune: Person
    eva: Person
    sunniva: Person
    tone: Person
    _serial: list[int] = field(default_factory=lambda: [0])

    def __getattr__(self, name: str) -> Person | Unit:
        # kari, berit, nina, silje … and the units come from the cast.
        return getattr(self.cast, name)

    @property
    def shared(self) -> list[Person]:
        """Everyone who is not the subject of a log."""
        c = self.cast
        return [
            c.kari,
            self.hege,
            c.nina,
            self.paal,
            self.lars,
            self.tone,
            c.silje,
            self.sunniva,
            c.berit,
            self.rune,
            c.trude,
            c.randi,
            self.eva,
            c.outsider,
        ]

    def child(self, given: str, *, age: int, guardian: Person) -> Person:
        self._serial[0] += 1
        n = self._serial[0]
        person = make_person(
            given, guardian.family_name, born=born_years_ago(age, 30 + n), email=f"{given.lower()}{n}@example.com"
        )
        Guardianship.objects.create(guardian=guardian, child=person)
        return person


def build_people(cast: Cast) -> People:
    school = Unit.objects.create(municipality=cast.fjordvik, name="Fjordvik skole", service_type=ServiceType.SKOLE)

    def staff(given: str, family: str, unit: Unit, role: Role, title: str) -> Person:
        person = make_person(given, family, email=f"{given.lower()}.{family.lower()}@fjordvik.example")
        Membership.objects.create(person=person, unit=unit, role=role, title=title)
        return person

    return People(
        cast=cast,
        school=school,
        hege=staff("Hege", "Dahl", cast.kindergarten, Role.EMPLOYEE, "barnehagelærer"),
        paal=staff("Paal", "Berg", cast.ppt, Role.EMPLOYEE, "PP-rådgiver"),
        lars=staff("Lars", "Vik", school, Role.EMPLOYEE, "lærer"),
        rune=staff("Rune", "Aas", school, Role.LEADER, "rektor"),
        eva=staff("Eva", "Strand", cast.health_station, Role.EMPLOYEE, "helsesykepleier"),
        sunniva=make_person("Sunniva", "Lien", born=date(1987, 4, 9), email="sunniva@example.com", serial=3),
        tone=staff("Tone", "Moe", cast.kindergarten, Role.EMPLOYEE, "spesialpedagog"),
    )


def fresh(log: RelayLog) -> RelayLog:
    return RelayLog.objects.select_related("subject", "holder", "unit__municipality").get(pk=log.pk)


def signers(subject: Person, unit: Unit) -> list[Person]:
    """The guardians, and the child from the municipality's signing age (check_consent)."""
    people = [g.guardian for g in Guardianship.objects.filter(child=subject).select_related("guardian")]
    age = subject.age_on(today())
    if age is not None and age >= unit.municipality.youth_signs_from_age:
        people.append(subject)
    return people


def paper_consent(subject: Person, unit: Unit, services: list[str]) -> ConsentData:
    return ConsentData(
        services=list(services), signatories=signers(subject, unit), document=pdf_upload(), collected_at_unit=unit
    )


def team(p: People) -> list[tuple[Person, Unit]]:
    return [(p.nina, p.health_station), (p.paal, p.ppt), (p.lars, p.school)]


def responsible_for_measures(p: People, subject: Person) -> list[tuple[Person, str]]:
    guardians = [g.guardian for g in Guardianship.objects.filter(child=subject).select_related("guardian")]
    return [
        (p.kari, ResponsibleKind.PARTICIPANT),
        *((person, ResponsibleKind.PARTICIPANT) for person, _ in team(p)),
        *((g, ResponsibleKind.GUARDIAN) for g in guardians),
        (subject, ResponsibleKind.CHILD),
    ]


def measure_due_tomorrow(responsible: Person) -> MeasureData:
    tomorrow = today() + timedelta(days=1)
    return MeasureData(
        what=f"Tiltak for {responsible.given_name}",
        category=MeasureCategory.SPRAK,
        responsible=responsible,
        deadline=tomorrow,
        evaluation_date=tomorrow + timedelta(days=30),
    )


def narrow_digitally(p: People, log: RelayLog, services: list[str]) -> None:
    """A renewal given digitally (the guardians approve after logging in) that leaves out PPT."""
    request = actions.request_consent(
        actor=p.kari, log=fresh(log), terms=ConsentTerms(services=list(services), valid_until=today() + timedelta(700))
    )
    for signer in request.required_signers.order_by("id"):
        actions.answer_consent(actor=signer, request=request, approve=True, authenticated_by=ID_PORTEN)


def open_base_log(p: People, subject: Person) -> RelayLog:
    """Active; Nina, Pål and Lars take part; each of them, the holder, the guardians and the
    child have a measure due tomorrow; Hege is proposed as holder; the consent now in force
    (given digitally) no longer covers PPT. Lars leaves the school later (`leave_school`)."""
    log = actions.open_log(
        actor=p.kari,
        subject=subject,
        unit=p.kindergarten,
        consent=paper_consent(subject, p.kindergarten, FIRST_SERVICES),
        initiator_text="Bekymring for språk og trivsel.",
        initiated_by="Barnehagen",
    )
    for person, unit in team(p):
        actions.add_participant(actor=p.kari, log=fresh(log), person=person, unit=unit)
    add_awaiting_approval(p, log)
    goal = actions.add_goal(actor=p.kari, log=fresh(log), arena=Arena.HOME, text="Trives og forteller om dagen")
    for person, _ in responsible_for_measures(p, subject):
        actions.add_measure(actor=p.kari, goal=goal, data=measure_due_tomorrow(person))
    actions.propose_handover(actor=p.berit, log=fresh(log), to=p.hege, unit=p.kindergarten)
    narrow_digitally(p, log, WITHOUT_PPT)
    return fresh(log)


def add_awaiting_approval(p: People, log: RelayLog) -> None:
    """Tone is added where the municipality asks the family first (issue 15 §4); nobody answers."""
    Municipality.objects.filter(pk=p.fjordvik.pk).update(family_approves_participants=True)
    actions.add_participant(actor=p.kari, log=fresh(log), person=p.tone, unit=p.kindergarten)
    Municipality.objects.filter(pk=p.fjordvik.pk).update(family_approves_participants=False)


def open_awaiting_log(p: People, subject: Person) -> RelayLog:
    """Opened with a digital consent request nobody has answered yet. No action adds
    participants, measures or handovers before consent, so those rows are made directly."""
    request = actions.open_log_with_digital_consent(
        actor=p.kari,
        start=LogStart(subject=subject, unit=p.kindergarten),
        terms=ConsentTerms(services=list(FIRST_SERVICES), valid_until=today() + timedelta(700)),
    )
    log = request.log
    for person, unit in team(p):
        Participant.objects.create(log=log, person=person, unit=unit)
    Participant.objects.create(log=log, person=p.tone, unit=p.kindergarten, approval=ParticipantApproval.PENDING)
    goal = Goal.objects.create(log=log, arena=Arena.HOME, text="Trives og forteller om dagen")
    for person, kind in responsible_for_measures(p, subject):
        data = measure_due_tomorrow(person)
        Measure.objects.create(
            log=log,
            goal=goal,
            what=data.what,
            category=data.category,
            responsible_kind=kind,
            responsible=person,
            deadline=data.deadline,
            evaluation_date=data.evaluation_date,
        )
    Handover.objects.create(log=log, from_holder=p.kari, to_person=p.hege, to_unit=p.kindergarten, proposed_by=p.berit)
    return fresh(log)


def leave_school(p: People) -> None:
    """Lars leaves Fjordvik skole: the principal takes him off the staff list."""
    membership = Membership.objects.active().get(person=p.lars, unit=p.school)
    people_actions.end_membership(actor=p.rune, membership=membership)


def expire_consents(log: RelayLog) -> None:
    Consent.objects.filter(log=log).update(
        valid_from=today() - timedelta(days=800), valid_until=today() - timedelta(days=1)
    )


def apply_state(p: People, log: RelayLog, state: str) -> None:
    kari = p.kari
    if state in ("active", "awaiting_consent"):
        return
    if state == "consent_expired":
        expire_consents(log)
    elif state == "consent_not_started":
        # The old consent ran out; the new one, already signed, starts in two weeks.
        expire_consents(log)
        consent = Consent.objects.create(
            log=log,
            services=sorted(FIRST_SERVICES),
            valid_from=today() + timedelta(days=14),
            valid_until=today() + timedelta(days=700),
            collected_by=kari,
            collected_at_unit=p.kindergarten,
        )
        consent.signatories.set(signers(log.subject, log.unit))
    elif state == "consent_narrowed":
        actions.renew_consent(actor=kari, log=fresh(log), consent=paper_consent(log.subject, log.unit, NARROWED))
    elif state == "passive":
        actions.withdraw_consent(actor=kari, log=fresh(log), on_paper=True)
    elif state == "closed":
        actions.close_log(actor=kari, log=fresh(log), reason=CloseReason.GOALS_MET)
    elif state == "content_deleted":
        actions.delete_content(actor=kari, log=fresh(log))
    elif state == "guardians_shielded":
        actions.shield_from_guardians(actor=kari, log=fresh(log))
    else:
        raise ValueError(state)


def shield(p: People, log: RelayLog) -> None:
    if log.status == LogStatus.AWAITING_CONSENT:  # no action writes in a log awaiting consent
        RelayLog.objects.filter(pk=log.pk).update(guardians_shielded_at=timezone.now())
    else:
        actions.shield_from_guardians(actor=p.kari, log=fresh(log))


@dataclass
class StateWorld:
    """Three logs in one state: `main` (a child of 15, Silje's), `youth` (16, Silje's) and
    `twin` (a child of 5, Sunniva's, shielded from the guardians before the state was made)."""

    p: People
    state: str
    main: RelayLog
    youth: RelayLog
    twin: RelayLog
    child: Person
    youth_person: Person
    twin_child: Person

    @property
    def logs(self) -> list[RelayLog]:
        return [fresh(self.main), fresh(self.youth), fresh(self.twin)]

    @property
    def everyone(self) -> list[Person]:
        return [*self.p.shared, self.child, self.youth_person, self.twin_child]


def build_state_logs(p: People, state: str) -> StateWorld:
    """The three logs of one state. Call `leave_school` once every log is built, then `finish`."""
    child = p.child("Mia", age=15, guardian=p.silje)
    youth = p.child("Ola", age=16, guardian=p.silje)
    twin_child = p.child("Liv", age=5, guardian=p.sunniva)
    opener = open_awaiting_log if state == "awaiting_consent" else open_base_log
    main, youth_log, twin = opener(p, child), opener(p, youth), opener(p, twin_child)
    shield(p, twin)
    return StateWorld(p, state, main, youth_log, twin, child, youth, twin_child)


def finish(world: StateWorld) -> StateWorld:
    for log in (world.main, world.youth, world.twin):
        apply_state(world.p, log, world.state)
    world.main, world.youth, world.twin = fresh(world.main), fresh(world.youth), fresh(world.twin)
    return world


def build_every_state(cast: Cast) -> dict[str, StateWorld]:
    """All nine states side by side in one database (27 logs), as in a real installation."""
    p = build_people(cast)
    worlds = {state: build_state_logs(p, state) for state in STATES}
    leave_school(p)
    return {state: finish(world) for state, world in worlds.items()}


# Who each member of the cast is in a StateWorld, and which of its logs is theirs.
MEMBERS: dict[str, tuple[str, str]] = {
    "holder": ("kari", "main"),
    "proposed_holder": ("hege", "main"),
    "participant_covered": ("nina", "main"),
    "participant_not_covered": ("paal", "main"),
    "participant_left_unit": ("lars", "main"),
    "participant_awaiting_approval": ("tone", "main"),
    "guardian": ("silje", "main"),
    "shielded_guardian": ("sunniva", "twin"),
    "youth_16": ("youth_person", "youth"),
    "child_under_16": ("child", "main"),
    "unit_leader": ("berit", "main"),
    "other_unit_leader": ("rune", "main"),
    "system_admin": ("trude", "main"),
    "superuser": ("randi", "main"),
    "staff_elsewhere": ("eva", "main"),
    "citizen": ("outsider", "main"),
}


def member(world: StateWorld, name: str) -> tuple[Person, RelayLog]:
    who, which = MEMBERS[name]
    person = getattr(world, who) if who in ("child", "youth_person") else getattr(world.p, who)
    return Person.objects.get(pk=person.pk), fresh(getattr(world, which))


# --- A few logs for the escalation search ---------------------------------------------------


@dataclass
class EscalationWorld:
    """Six logs in different states and one child without a log, and the cast as actors."""

    p: People
    logs: dict[str, RelayLog]
    children: list[Person]
    spare_child: Person
    actors: dict[str, Person]


def _open(subject: Person, unit: Unit, holder: Person, services: list[str]) -> RelayLog:
    return actions.open_log(actor=holder, subject=subject, unit=unit, consent=paper_consent(subject, unit, services))


def build_escalation_world(cast: Cast) -> EscalationWorld:
    """- active: Kari holds it; Nina and Pål take part (PPT still covered); a transition to
      Fjordvik skole is started and the school notified (Rune sees the notice, not the log).
    - narrowed: Nina, Pål and Lars take part; a digital renewal dropped PPT; Lars has left the
      school; Berit has proposed Hege as the next holder.
    - expired: Nina takes part; the consent ran out yesterday.
    - youth: a youth of 16 at the health station; Nina holds it, Kari takes part.
    - shielded: Sunniva's child; Nina takes part; shielded from the guardians.
    - closed: Nina took part; closed because the goals were met.
    """
    p = build_people(cast)
    kari, nina = p.kari, p.nina
    child = p.child("Emil", age=5, guardian=p.silje)
    youth = p.child("Jon", age=16, guardian=p.silje)
    subjects = {
        "active": child,
        "narrowed": p.child("Nora", age=5, guardian=p.silje),
        "expired": p.child("Iver", age=5, guardian=p.silje),
        "shielded": p.child("Alma", age=5, guardian=p.sunniva),
        "closed": p.child("Theo", age=5, guardian=p.silje),
    }
    logs = {name: _open(subject, p.kindergarten, kari, FIRST_SERVICES) for name, subject in subjects.items()}
    logs["youth"] = _open(youth, p.health_station, nina, [ServiceType.HELSESTASJON, ServiceType.BARNEHAGE])
    for name in ("active", "narrowed", "expired", "shielded", "closed"):
        actions.add_participant(actor=kari, log=fresh(logs[name]), person=nina, unit=p.health_station)
    for name in ("active", "narrowed"):
        actions.add_participant(actor=kari, log=fresh(logs[name]), person=p.paal, unit=p.ppt)
    actions.add_participant(actor=kari, log=fresh(logs["narrowed"]), person=p.lars, unit=p.school)
    actions.add_participant(actor=nina, log=fresh(logs["youth"]), person=kari, unit=p.kindergarten)

    transition = actions.start_transition(
        actor=kari,
        log=fresh(logs["active"]),
        kind=TransitionKind.KINDERGARTEN_TO_SCHOOL,
        to_unit=p.school,
        start_date=date(today().year + 1, 8, 17),
    )
    actions.notify_school(actor=kari, transition=transition)
    actions.propose_handover(actor=p.berit, log=fresh(logs["narrowed"]), to=p.hege, unit=p.kindergarten)
    narrow_digitally(p, logs["narrowed"], WITHOUT_PPT)
    expire_consents(logs["expired"])
    actions.shield_from_guardians(actor=kari, log=fresh(logs["shielded"]))
    actions.close_log(actor=kari, log=fresh(logs["closed"]), reason=CloseReason.GOALS_MET)
    leave_school(p)

    spare = p.child("Siri", age=4, guardian=p.silje)
    actors = {
        "holder": kari,
        "proposed_holder": p.hege,
        "participant_covered": nina,
        "participant_not_covered": p.paal,
        "participant_left_unit": p.lars,
        "guardian": p.silje,
        "shielded_guardian": p.sunniva,
        "youth_16": youth,
        "child_under_16": child,
        "unit_leader": p.berit,
        "other_unit_leader": p.rune,
        "system_admin": p.trude,
        "superuser": p.randi,
        "staff_elsewhere": p.eva,
        "citizen": p.outsider,
    }
    return EscalationWorld(
        p, {name: fresh(log) for name, log in logs.items()}, [*subjects.values(), youth, spare], spare, actors
    )
