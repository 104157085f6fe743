"""Nobody grants access to themselves (SPEC §3): from each member of the cast, every sequence of
up to three of their OWN permitted actions leaves them unable to read any log they could not
read before.

The menu: propose a holder (themselves or a colleague), put themselves on a unit's staff list
with any role, end memberships (their own, or the holder's), link themselves as guardian of a
child, add themselves as a participant, renew a consent with every service, start a transition
to a school they lead, notify the school, add themselves as contact teacher, answer a handover
proposed to them during the sequence, open a log for a child. An action that is refused
(ValidationError, PermissionDenied, Http404) ends that branch. Acts of a second person (the
proposed holder accepting someone else's proposal, guardians consenting) are not the actor's
own and are not in the menu; so a handover already waiting for the actor is not theirs to accept
here. Each step runs in a savepoint that is rolled back, so every sequence starts from the same
world; states already explored at a shallower depth are not explored again.

`pytest -s` prints the paths found.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404

from stafett import access
from stafett.access import Action
from stafett.logs import actions
from stafett.logs.models import (
    Consent,
    Handover,
    HandoverStatus,
    Participant,
    RelayLog,
    Transition,
    TransitionKind,
)
from stafett.people import actions as people_actions
from stafett.people.actions import PersonData, StaffEntry
from stafett.people.models import Guardianship, Membership, Person, Role, ServiceType, Unit
from tests.access.worlds import EscalationWorld, build_escalation_world, fresh, paper_consent, today

MAX_STEPS = 3
REFUSED = (ValidationError, PermissionDenied, Http404)
EVERY_SERVICE = list(ServiceType.values)


class _Undo(Exception):
    """Raised to roll a step's savepoint back."""


def person(pk: int) -> Person:
    return Person.objects.get(pk=pk)


# --- The actions on the menu, each fetching what it needs fresh (a rolled-back step may have
# --- left stale objects in memory) ---------------------------------------------------------


def propose(actor: int, log: int, to: int, unit: int) -> None:
    actions.propose_handover(
        actor=person(actor), log=fresh(RelayLog(pk=log)), to=person(to), unit=Unit.objects.get(pk=unit)
    )


def add_staff(actor: int, unit: int, role: str) -> None:
    me = person(actor)
    entry = StaffEntry(PersonData(me.given_name, me.family_name, email=me.email), role=role, title="")
    people_actions.add_staff(actor=me, unit=Unit.objects.get(pk=unit), entry=entry)


def end_membership(actor: int, membership: int) -> None:
    people_actions.end_membership(actor=person(actor), membership=Membership.objects.get(pk=membership))


def link_self_as_guardian(actor: int, child: int) -> None:
    people_actions.add_guardian(actor=person(actor), child=person(child), guardian=person(actor))


def add_self_as_participant(actor: int, log: int, unit: int) -> None:
    actions.add_participant(
        actor=person(actor), log=fresh(RelayLog(pk=log)), person=person(actor), unit=Unit.objects.get(pk=unit)
    )


def renew_with_every_service(actor: int, log: int) -> None:
    target = fresh(RelayLog(pk=log))
    consent = paper_consent(target.subject, target.unit, EVERY_SERVICE)
    actions.renew_consent(actor=person(actor), log=target, consent=consent)


def start_transition(actor: int, log: int, school: int) -> None:
    actions.start_transition(
        actor=person(actor),
        log=fresh(RelayLog(pk=log)),
        kind=TransitionKind.KINDERGARTEN_TO_SCHOOL,
        to_unit=Unit.objects.get(pk=school),
        start_date=date(today().year + 1, 8, 17),
    )


def notify_school(actor: int, transition: int) -> None:
    actions.notify_school(actor=person(actor), transition=Transition.objects.get(pk=transition))


def add_self_as_contact_teacher(actor: int, transition: int) -> None:
    actions.add_contact_teacher(
        actor=person(actor), transition=Transition.objects.get(pk=transition), teacher=person(actor)
    )


def accept(actor: int, handover: int) -> None:
    actions.accept_handover(actor=person(actor), handover=Handover.objects.get(pk=handover))


def decline(actor: int, handover: int) -> None:
    actions.decline_handover(actor=person(actor), handover=Handover.objects.get(pk=handover), reason="Nei takk")


def open_log(actor: int, child: int, unit: int) -> None:
    subject, at = person(child), Unit.objects.get(pk=unit)
    actions.open_log(actor=person(actor), subject=subject, unit=at, consent=paper_consent(subject, at, EVERY_SERVICE))


@dataclass(frozen=True)
class Step:
    label: str
    run: Callable[[], None]


def menu(world: EscalationWorld, actor: int, handovers_before: set[int]) -> list[Step]:
    """Everything the actor might try now, on the logs and children that existed at the start."""
    me = person(actor)
    colleague = world.p.eva if actor == world.p.hege.pk else world.p.hege
    active = Membership.objects.active().select_related("person", "unit").order_by("id")
    mine = list(active.filter(person_id=actor))
    holders = list(active.filter(person=world.p.kari).exclude(person_id=actor))
    logs = {name: log.pk for name, log in world.logs.items()}
    names = {pk: name for name, pk in logs.items()}
    steps: list[Step] = []

    def add(label: str, fn: Callable[..., None], *args: int | str) -> None:
        steps.append(Step(label, functools.partial(fn, actor, *args)))

    holder_of = dict(RelayLog.objects.filter(pk__in=logs.values()).values_list("pk", "holder_id"))
    for name, log in logs.items():
        for m in [*mine, *active.filter(person=colleague)]:
            if m.person_id == holder_of[log]:
                continue  # «is already the holder»: not a question of access
            add(
                f"propose {m.person.given_name} ({m.unit.name}) as holder of the {name} log",
                propose,
                log,
                m.person_id,
                m.unit_id,
            )
    for unit in Unit.objects.order_by("id"):
        for role in Role:
            add(f"put {me.given_name} on the staff of {unit.name} as {role.label}", add_staff, unit.pk, role.value)
    for m in [*mine, *holders]:
        add(f"end {m.person.given_name}'s membership ({m.get_role_display()}, {m.unit.name})", end_membership, m.pk)
    for child in world.children:
        add(f"link {me.given_name} as guardian of {child.given_name}", link_self_as_guardian, child.pk)
    for name, log in logs.items():
        for m in mine:
            add(
                f"add {me.given_name} ({m.unit.name}) as participant in the {name} log",
                add_self_as_participant,
                log,
                m.unit_id,
            )
        add(f"renew the consent of the {name} log with every service", renew_with_every_service, log)
        for m in mine:
            if m.role == Role.LEADER and m.unit.service_type == ServiceType.SKOLE:
                add(f"start a transition of the {name} log to {m.unit.name}", start_transition, log, m.unit_id)
    for t in Transition.objects.filter(log_id__in=logs.values(), completed_at__isnull=True).order_by("id"):
        if t.notified_at is None:
            add(f"notify {t.to_unit.name} about the {names[t.log_id]} log", notify_school, t.pk)
        add(f"add {me.given_name} as contact teacher in the {names[t.log_id]} log", add_self_as_contact_teacher, t.pk)
    mine_to_answer = Handover.objects.filter(to_person_id=actor, status=HandoverStatus.PROPOSED).exclude(
        pk__in=handovers_before
    )
    for h in mine_to_answer.order_by("id"):
        add(f"accept the handover of the {names.get(h.log_id, 'new')} log", accept, h.pk)
        add(f"decline the handover of the {names.get(h.log_id, 'new')} log", decline, h.pk)
    for m in mine:
        add(
            f"open a log for {world.spare_child.given_name} at {m.unit.name}", open_log, world.spare_child.pk, m.unit_id
        )
    return steps


def fingerprint() -> tuple[frozenset, ...]:
    """What decides who may do what next (audit rows and notifications do not)."""
    return (
        frozenset(Membership.objects.active().values_list("person_id", "unit_id", "role")),
        frozenset(Guardianship.objects.values_list("guardian_id", "child_id")),
        frozenset(Participant.objects.filter(removed_at__isnull=True).values_list("log_id", "person_id", "unit_id")),
        frozenset(Handover.objects.values_list("log_id", "to_person_id", "to_unit_id", "status")),
        frozenset(
            (log, str(services), start, end, withdrawn is None)
            for log, services, start, end, withdrawn in Consent.objects.values_list(
                "log_id", "services", "valid_from", "valid_until", "withdrawn_at"
            )
        ),
        frozenset(
            RelayLog.objects.values_list("id", "subject_id", "holder_id", "unit_id", "status", "guardians_shielded_at")
        ),
        frozenset(
            (log, unit, notified is None, teacher, completed is None)
            for log, unit, notified, teacher, completed in Transition.objects.values_list(
                "log_id", "to_unit_id", "notified_at", "contact_teacher_id", "completed_at"
            )
        ),
    )


@dataclass
class Search:
    world: EscalationWorld
    actor: int
    unread: dict[int, str]  # the logs the actor could not read at the start
    handovers_before: set[int]
    # The shortest path found to each (last step, logs gained): one line per way in, not every detour.
    found: dict[tuple[str, tuple[str, ...]], list[str]] = field(default_factory=dict)
    crashed: list[str] = field(default_factory=list)
    seen: dict[tuple[frozenset, ...], int] = field(default_factory=dict)
    limit: int = MAX_STEPS
    steps_taken: int = 0

    def run(self) -> None:
        """One pass to the full depth. If it finds a way in, search again by iterative deepening
        (every one-step path, then two, then three), so each way in is reported by its shortest
        path; the search stops once every log is open anyway."""
        self.explore([], 1)
        if not self.found:
            return
        self.found = {}
        for limit in range(1, MAX_STEPS + 1):
            self.limit, self.seen = limit, {}
            self.explore([], 1)
            if self.everything_open():
                return
        self.limit = MAX_STEPS

    def readable_now(self) -> tuple[str, ...]:
        me = person(self.actor)
        return tuple(
            name for pk, name in self.unread.items() if access.can(me, Action.VIEW_LOG, fresh(RelayLog(pk=pk)))
        )

    def everything_open(self) -> bool:
        """Every log the actor could not read has a way in: more paths would only repeat them."""
        return {name for _, gained in self.found for name in gained} >= set(self.unread.values())

    def explore(self, path: list[str], depth: int) -> None:
        for step in menu(self.world, self.actor, self.handovers_before):
            if self.everything_open():
                return
            try:
                with transaction.atomic():
                    try:
                        step.run()
                    except REFUSED:
                        raise _Undo from None
                    except Exception as e:  # noqa: BLE001 - a crash is reported, not taken for a refusal
                        self.crashed.append(" → ".join([*path, step.label]) + f": {e!r}")
                        raise _Undo from None
                    self.steps_taken += 1
                    state = fingerprint()
                    if self.seen.get(state, self.limit + 1) <= depth:
                        raise _Undo  # reached before, in as few steps or fewer (the same steps in another order)
                    self.seen[state] = depth
                    gained = self.readable_now()
                    if gained:
                        key = (step.label, gained)
                        if key not in self.found or len(self.found[key]) > len(path) + 1:
                            self.found[key] = [*path, step.label]
                    elif depth < self.limit:
                        self.explore([*path, step.label], depth + 1)
                    raise _Undo
            except _Undo:
                pass

    def paths(self) -> list[str]:
        lines = [(len(p), " → ".join(p) + f"  ⇒ reads the {', '.join(g)} log") for (_, g), p in self.found.items()]
        return [line for _, line in sorted(lines)]


def test_no_sequence_of_own_actions_grants_read_access_to_a_log(cast, settings, tmp_path):
    settings.ARCHIVE_DIR = tmp_path / "arkiv"  # accepting a handover makes an archive copy
    world = build_escalation_world(cast)
    handovers_before = set(Handover.objects.values_list("pk", flat=True))
    found: list[str] = []
    crashed: list[str] = []
    for role, actor in world.actors.items():
        me = person(actor.pk)
        unread = {log.pk: name for name, log in world.logs.items() if not access.can(me, Action.VIEW_LOG, fresh(log))}
        search = Search(world, actor.pk, unread, handovers_before)
        if unread:
            search.run()
        reads = sorted(set(world.logs) - set(unread.values())) or "none"
        print(f"\n{role} ({actor.given_name}): reads before: {reads}; {search.steps_taken} permitted steps")
        for path in search.paths():
            print(f"  FOUND {path}")
        for crash in search.crashed:
            print(f"  CRASH {crash}")
        found += [f"{role} ({actor.given_name}): {path}" for path in search.paths()]
        crashed += [f"{role} ({actor.given_name}): {crash}" for crash in search.crashed]
    assert not found, f"{len(found)} ways to read a log by one's own actions:\n" + "\n".join(found)
    assert not crashed, "Actions crashed instead of refusing:\n" + "\n".join(crashed)
