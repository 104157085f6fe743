"""One truth for who may read a log (SPEC §3–§4): `can(VIEW_LOG)`, `readable_logs`, `readers_of`,
the people told about news, and the daily reminders must give the same answer for every person
and every log, in every state a log can be in — and that answer must be the SPEC's.

The logs and the cast are built in tests/access/worlds.py, once for this module: nine states
side by side, three logs each — the main one (a child of 15), a youth's (16) and a twin whose
guardian is shielded. Each test runs in its own savepoint on top of that.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.utils import timezone

from stafett import access
from stafett.access import Action
from stafett.core.reminders import run_reminders
from stafett.logs import actions
from stafett.logs.models import LogStatus, Measure, RelayLog
from stafett.notify.models import Kind, Notification
from stafett.people.models import Guardianship, Municipality, Person, ServiceType
from tests import conftest
from tests.access.worlds import (
    MEMBERS,
    STATES,
    StateWorld,
    born_years_ago,
    build_every_state,
    fresh,
    member,
    paper_consent,
)
from tests.conftest import make_person

Y, N = True, False
U = None  # the SPEC does not settle it; only agreement between the sources is checked

# SPEC §3–§4, per member, in the order of STATES:
#   active, awaiting_consent, consent_expired, consent_not_started, consent_narrowed,
#   passive, closed, content_deleted, guardians_shielded
EXPECTED: dict[str, list[bool | None]] = {
    # The holder keeps access when consent runs out (to renew it) and in a read-only log.
    "holder": [Y, Y, Y, Y, Y, Y, Y, U, Y],
    # «A proposed holder sees only what they need to decide until they accept.»
    "proposed_holder": [N, N, N, N, N, N, N, N, N],
    # «A participant reads only while the consent valid today covers their unit's service and
    # they are still on that unit's staff»; a passive or closed log has no participant access.
    "participant_covered": [Y, N, N, N, N, N, N, N, Y],
    "participant_not_covered": [N, N, N, N, N, N, N, N, N],
    "participant_left_unit": [N, N, N, N, N, N, N, N, N],
    # Issue 15 §4 (seeds/001 §6): no access until the guardians approve the new participant.
    "participant_awaiting_approval": [N, N, N, N, N, N, N, N, N],
    # Guardians have full insight, also while asked for consent and after it ran out, but never
    # once the log is shielded on suspected abuse (SPEC §7).
    "guardian": [Y, Y, Y, Y, Y, Y, Y, U, N],
    "shielded_guardian": [N, N, N, N, N, N, N, N, N],
    # From the municipality's `youth_logs_in_from_age` (16) the youth reads, like a guardian.
    "youth_16": [Y, Y, Y, Y, Y, Y, Y, U, U],
    "child_under_16": [N, N, N, N, N, N, N, N, N],
    # The leader, the system administrator and the superuser never read content.
    "unit_leader": [N, N, N, N, N, N, N, N, N],
    "other_unit_leader": [N, N, N, N, N, N, N, N, N],
    "system_admin": [N, N, N, N, N, N, N, N, N],
    "superuser": [N, N, N, N, N, N, N, N, N],
    # «Nobody else sees that a log exists.»
    "staff_elsewhere": [N, N, N, N, N, N, N, N, N],
    "citizen": [N, N, N, N, N, N, N, N, N],
}
assert set(EXPECTED) == set(MEMBERS) and all(len(row) == len(STATES) for row in EXPECTED.values())

REMINDER_KINDS = {Kind.DEADLINE_SOON, Kind.DEADLINE_PASSED, Kind.EVALUATION_SOON, Kind.EVALUATION_PASSED}


@dataclass
class Everything:
    worlds: dict[str, StateWorld]
    truth: dict[tuple[int, int], bool]  # (person, log) → can(person, VIEW_LOG, log)

    @property
    def logs(self) -> list[RelayLog]:
        return [log for world in self.worlds.values() for log in world.logs]

    def pairs(self) -> Iterator[tuple[StateWorld, Person, RelayLog]]:
        """Everyone related to a state's logs (the shared cast and that state's children) × its logs."""
        for world in self.worlds.values():
            for log in world.logs:
                for person in world.everyone:
                    yield world, person, log

    def label(self, person: Person, log: RelayLog) -> str:
        for world in self.worlds.values():
            which = {world.main.pk: "main", world.youth.pk: "youth", world.twin.pk: "twin"}.get(log.pk)
            if which:
                return f"{person.given_name} × {which} log ({world.state})"
        return f"{person.given_name} × {log.subject}"


@pytest.fixture(scope="module")
def everything(django_db_setup, django_db_blocker) -> Iterator[Everything]:
    """Built once, in a transaction rolled back after the module; every test adds a savepoint."""
    with django_db_blocker.unblock(), transaction.atomic():
        worlds = build_every_state(conftest.cast.__wrapped__(None))
        built = Everything(worlds, {})
        for _, person, log in built.pairs():
            built.truth[person.pk, log.pk] = access.can(Person.objects.get(pk=person.pk), Action.VIEW_LOG, log)
        yield built
        transaction.set_rollback(True)


def news_readers() -> Callable[[RelayLog], list[tuple[Person, object]]]:
    try:
        from stafett.logs.news import readers
    except ImportError:  # before the move out of notify
        from stafett.notify.events import readers  # type: ignore[no-redef]
    return readers


# --- The truth table ------------------------------------------------------------------------


@pytest.mark.parametrize("state", STATES)
def test_who_may_read_a_log_follows_the_spec_in_every_state(db, everything, state):
    world = everything.worlds[state]
    column = STATES.index(state)
    wrong = []
    for name in MEMBERS:
        expected = EXPECTED[name][column]
        if expected is None:
            continue
        person, log = member(world, name)
        if everything.truth[person.pk, log.pk] is not expected:
            wrong.append(f"{name} ({person.given_name}) {'should' if expected else 'should not'} read")
    assert not wrong, f"In state «{state}»: " + "; ".join(wrong)


# --- Every list and recipient set derives from the same rule --------------------------------


def from_readable_logs(everything: Everything) -> dict[tuple[int, int], bool]:
    people = {person.pk for _, person, _ in everything.pairs()}
    listed = {pk: set(access.readable_logs(Person.objects.get(pk=pk)).values_list("pk", flat=True)) for pk in people}
    return {(person.pk, log.pk): log.pk in listed[person.pk] for _, person, log in everything.pairs()}


def from_readers_of(everything: Everything) -> dict[tuple[int, int], bool]:
    """The bulk form over all 27 logs at once (mixed states, as the daily job calls it), held to
    the same answers as one log at a time."""
    logs = everything.logs
    together = access.readers_of(logs, today=timezone.localdate())
    for log in logs:
        alone = access.readers_of([log])[log.pk]
        assert alone == together[log.pk], f"readers_of([log]) and readers_of(all logs) differ for {log.subject}"
    return {(person.pk, log.pk): person.pk in together[log.pk] for _, person, log in everything.pairs()}


def from_news_readers(everything: Everything) -> dict[tuple[int, int], bool]:
    readers = news_readers()
    told = {log.pk: {person.pk for person, _ in readers(fresh(log))} for log in everything.logs}
    return {(person.pk, log.pk): person.pk in told[log.pk] for _, person, log in everything.pairs()}


SOURCES = {
    "readable_logs": from_readable_logs,
    "readers_of": from_readers_of,
    "news_readers": from_news_readers,
}


@pytest.mark.parametrize("source", SOURCES)
def test_every_list_and_recipient_set_agrees_with_can_in_every_state(db, everything, source):
    answers = SOURCES[source](everything)
    wrong = [
        f"{everything.label(person, log)}: can={everything.truth[person.pk, log.pk]}, "
        f"{source}={answers[person.pk, log.pk]}"
        for _, person, log in everything.pairs()
        if answers[person.pk, log.pk] is not everything.truth[person.pk, log.pk]
    ]
    assert not wrong, f"{source} disagrees with can(VIEW_LOG) in {len(wrong)} cells:\n" + "\n".join(wrong)


def test_a_reminder_about_a_measure_reaches_its_responsible_exactly_when_they_may_read_the_log(db, everything):
    """The holder, each participant, each guardian and the child have a measure due tomorrow in
    every log; the daily job reminds them iff they may read the log — and only in active logs:
    nothing can be done in a log that waits for consent, is passive or closed."""
    since = Notification.objects.order_by("-id").values_list("id", flat=True).first() or 0
    run_reminders(timezone.localdate())
    reminded = set(
        Notification.objects.filter(id__gt=since, kind__in=REMINDER_KINDS).values_list("recipient_id", "path")
    )
    measures = list(Measure.objects.filter(log__in=[log.pk for log in everything.logs]).select_related("responsible"))
    logs = {log.pk: log for log in everything.logs}
    assert {m.log_id for m in measures} == {pk for pk, log in logs.items() if log.content_deleted_at is None}
    wrong = []
    for measure in measures:
        log = logs[measure.log_id]
        reads = everything.truth[measure.responsible_id, log.pk]
        expected = reads and log.status == LogStatus.ACTIVE
        queued = (measure.responsible_id, f"/logg/{log.code}/") in reminded
        if queued is not expected:
            wrong.append(
                f"{everything.label(measure.responsible, log)}: can={reads}, status={log.status}, reminded={queued}"
            )
    assert not wrong, "Reminders disagree with can(VIEW_LOG):\n" + "\n".join(wrong)


@pytest.mark.parametrize("youth_age", [15, 16, 17])
def test_a_subject_reads_from_the_day_they_reach_the_municipalitys_youth_age(db, everything, youth_age):
    """SPEC §3: configurable per municipality. One subject turns 16 today, one tomorrow; every
    source agrees on who of them reads, whatever age the municipality has chosen."""
    p = everything.worlds["active"].p
    Municipality.objects.filter(pk=p.fjordvik.pk).update(youth_logs_in_from_age=youth_age)
    subjects = {
        16: make_person("Ida", "Moe", born=born_years_ago(16, 0), email="ida@example.com"),
        15: make_person("Eli", "Moe", born=born_years_ago(16, -1), email="eli@example.com"),
    }
    logs = {}
    for age, subject in subjects.items():
        assert subject.age_on(timezone.localdate()) == age
        Guardianship.objects.create(guardian=p.silje, child=subject)
        opened = actions.open_log(
            actor=p.kari,
            subject=subject,
            unit=p.kindergarten,
            consent=paper_consent(subject, p.kindergarten, [ServiceType.BARNEHAGE]),
        )
        logs[age] = fresh(opened)
    readers_of = access.readers_of(list(logs.values()))
    wrong = []
    for age, subject in subjects.items():
        log, expected = logs[age], age >= youth_age
        answers = {
            "can": access.can(subject, Action.VIEW_LOG, log),
            "readable_logs": access.readable_logs(subject).filter(pk=log.pk).exists(),
            "readers_of": subject.pk in readers_of[log.pk],
            "news_readers": subject.pk in {person.pk for person, _ in news_readers()(log)},
        }
        wrong += [f"{subject.given_name} ({age}) {name}={got}" for name, got in answers.items() if got is not expected]
    assert not wrong, f"With youth_logs_in_from_age={youth_age}: " + ", ".join(wrong)
