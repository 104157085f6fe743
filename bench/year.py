"""Issue 14 §7: a simulated year of follow-up. One municipality with every kind of due item, the
daily job run each morning with the clock frozen at 06:15, some days skipped and a 16-day outage;
then the outbox is compared with an expected list built from the data by this file's own rules
(dates and people, never by calling the reminder code).

    .venv/bin/python bench/year.py                      # SQLite in a temporary directory
    .venv/bin/python bench/year.py --database-url postgres://postgres@127.0.0.1:5432/year_bench
    .venv/bin/python bench/year.py --days 90            # the three months the test suite runs

Per expected reminder: on time (the morning it is due), late (the first run after an outage, or
the municipality's first run for what was already overdue), missing, duplicate; and every row
whose link its recipient may not open (access.can) is a wrong recipient. The goal is 0 missing,
0 duplicates, 0 wrong recipients, and late only after an outage. The PostgreSQL database is dropped
and created again, so its name must contain "bench".
"""

import argparse
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
OSLO = ZoneInfo("Europe/Oslo")
START = date(2026, 12, 1)
OUTAGE = (date(2026, 12, 15), date(2026, 12, 30))  # 16 days without a run
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

# The municipality's settings the expectations follow (the defaults of people.Municipality).
DAYS_BEFORE = 3
HANDOVER_DAYS = 7
NO_MEETING_MONTHS = 3
UNDRING_WEEKS = 6
CONSENT_WARNINGS = (30, 14, 7)
TRANSITION_WARNING = 14


def skipped_days(start: date, end: date) -> set[date]:
    """The 10th of each month, and the outage."""
    days = {d for d in _days(start, end) if d.day == 10}
    days |= set(_days(*OUTAGE))
    return days


def _days(first: date, last: date) -> Iterator[date]:
    d = first
    while d <= last:
        yield d
        d += timedelta(days=1)


def add_months(d: date, months: int) -> date:
    """Calendar months, the last day of a shorter month when the day does not exist."""
    month = d.month - 1 + months
    year, month = d.year + month // 12, month % 12 + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise ValueError(d)


@contextmanager
def at(day: date, hour: int = 6, minute: int = 15) -> Iterator[None]:
    import time_machine

    with time_machine.travel(datetime.combine(day, time(hour, minute), tzinfo=OSLO), tick=False):
        yield


# --- the municipality -------------------------------------------------------------------------


@dataclass
class Expected:
    key: str  # the outbox's dedupe key for this reminder (the thing and the occasion)
    recipient: Any
    moment: date  # the morning it is due
    what: str
    # a «before» reminder first seen after its date is delivered as the overdue one
    folded_into: str = ""


@dataclass
class World:
    start: date
    end: date
    skip: set[date]
    people: dict[str, Any] = field(default_factory=dict)
    logs: dict[str, Any] = field(default_factory=dict)
    units: dict[str, Any] = field(default_factory=dict)
    events: dict[date, list[Callable[[], None]]] = field(default_factory=dict)
    expected: list[Expected] = field(default_factory=list)

    def runs(self) -> list[date]:
        return [d for d in _days(self.start, self.end) if d not in self.skip]

    def first_run(self, moment: date) -> date | None:
        """The first morning the job runs on or after `moment` (the start for what was due before)."""
        for d in _days(max(moment, self.start), self.end):
            if d not in self.skip:
                return d
        return None


def _person(given: str, family: str, *, email: str = "", born: date | None = None, serial: int = 0) -> Any:
    from stafett.core.demo_data import synthetic_national_id
    from stafett.people.models import Person

    person = Person(given_name=given, family_name=family, email=email)
    if born:
        person.national_id = synthetic_national_id(born, serial)
        person.birth_date = born
    person.set_unusable_password()
    person.save()
    return person


def _consent(w: World, signatories: list[Any], until: date) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from stafett.logs.actions import ConsentData

    return ConsentData(
        services=["barnehage", "helsestasjon", "skole"],
        signatories=signatories,
        document=SimpleUploadedFile("samtykke.pdf", PDF, content_type="application/pdf"),
        collected_at_unit=w.units["barnehage"],
        valid_until=until,
    )


def build(start: date = START, days: int = 365) -> World:
    """Everything is made the day before the first run, at noon, through the actions."""
    from stafett.logs import actions
    from stafett.logs.actions import MeasureData
    from stafett.logs.models import Arena, MeasureCategory, TransitionKind
    from stafett.people.models import Guardianship, Membership, Municipality, Role, ServiceType, Unit
    from stafett.undring import actions as undring

    end = start + timedelta(days=days - 1)
    w = World(start, end, skipped_days(start, end))
    # Participants get access when added (the family is told, not asked, issue 15 §4): the
    # expectations here are about reminders, not about approvals.
    m = Municipality.objects.create(name="Årvik kommune", number="4699", family_approves_participants=False)
    for key, name, service in [
        ("barnehage", "Lyngen barnehage", ServiceType.BARNEHAGE),
        ("helse", "Årvik helsestasjon", ServiceType.HELSESTASJON),
        ("skole", "Årvik skole", ServiceType.SKOLE),
    ]:
        w.units[key] = Unit.objects.create(municipality=m, name=name, service_type=service)
    p = w.people
    staff = [
        ("leder", "Lise", "Lund", "barnehage", Role.LEADER),
        ("hanne", "Hanne", "Holm", "barnehage", Role.EMPLOYEE),
        ("trond", "Trond", "Berg", "barnehage", Role.EMPLOYEE),
        ("per", "Per", "Pettersen", "helse", Role.EMPLOYEE),
        ("rektor", "Rita", "Rønning", "skole", Role.LEADER),
    ]
    for key, given, family, unit, role in staff:
        p[key] = _person(given, family, email=f"{key}@arvik.example")
        Membership.objects.create(person=p[key], unit=w.units[unit], role=role, title=role.label)
    children = [("emma", date(2021, 3, 14)), ("oda", date(2020, 5, 2)), ("liv", date(2021, 8, 9))]
    children += [("ask", date(2020, 11, 1)), ("nora", date(2009, 5, 20))]
    for serial, (key, born) in enumerate(children):
        p[key] = _person(key.title(), "Vik", born=born, serial=serial)
        p[f"mor_{key}"] = _person("Mor", f"til {key.title()}", email=f"mor.{key}@example.com")
        Guardianship.objects.create(guardian=p[f"mor_{key}"], child=p[key])
    # Nora (17) may read her own log but has no e-mail or phone: her reminders go to the holder.

    day0 = start - timedelta(days=1)
    with at(start - timedelta(days=30), 12):
        # A log from before the municipality started; one measure already overdue at the first run.
        old = actions.open_log(
            actor=p["hanne"],
            subject=p["ask"],
            unit=w.units["barnehage"],
            consent=_consent(w, [p["mor_ask"]], add_months(start, 10)),
        )
        goal = actions.add_goal(actor=p["hanne"], log=old, arena=Arena.HOME, text="Ask sover godt")
        late = MeasureData(
            "Fast leggetid", MeasureCategory.ANNET, p["mor_ask"], start - timedelta(days=20), start - timedelta(days=10)
        )
        actions.add_measure(actor=p["hanne"], goal=goal, data=late)
        w.logs["ask"] = old
    with at(day0, 12):
        w.logs["emma"] = emma = actions.open_log(
            actor=p["hanne"],
            subject=p["emma"],
            unit=w.units["barnehage"],
            consent=_consent(w, [p["mor_emma"]], add_months(start, 14)),
        )
        actions.add_participant(actor=p["hanne"], log=emma, person=p["per"], unit=w.units["helse"])
        home = actions.add_goal(actor=p["hanne"], log=emma, arena=Arena.HOME, text="Emma forteller om dagen")
        for i in range(12):  # a measure falling due each month, for the guardian and the participant
            who = p["mor_emma"] if i % 2 == 0 else p["per"]
            deadline = start + timedelta(days=12 + 30 * i)
            data = MeasureData(f"Tiltak {i + 1}", MeasureCategory.SPRAK, who, deadline, deadline + timedelta(days=16))
            actions.add_measure(actor=p["hanne"], goal=home, data=data)
        # Consent running out 45 days in: warnings 30 (in the outage), 14 and 7 days before.
        w.logs["oda"] = oda = actions.open_log(
            actor=p["hanne"],
            subject=p["oda"],
            unit=w.units["barnehage"],
            consent=_consent(w, [p["mor_oda"]], start + timedelta(days=45)),
        )
        # A handover nobody answers.
        actions.propose_handover(actor=p["hanne"], log=oda, to=p["trond"], unit=w.units["barnehage"])
        # A first meeting planned half a year ahead: the quiet log is reminded anyway.
        w.logs["liv"] = liv = actions.open_log(
            actor=p["trond"],
            subject=p["liv"],
            unit=w.units["barnehage"],
            consent=_consent(w, [p["mor_liv"]], add_months(start, 14)),
        )
        actions.schedule_meeting(
            actor=p["trond"],
            log=liv,
            starts_at=datetime.combine(start + timedelta(days=196), time(10), tzinfo=OSLO),
            place="Lyngen",
            agenda="Første møte",
        )
        # Nora's own log: her measures, with no contact details, reach the holder.
        w.logs["nora"] = nora = actions.open_log(
            actor=p["hanne"],
            subject=p["nora"],
            unit=w.units["barnehage"],
            consent=_consent(w, [p["mor_nora"], p["nora"]], add_months(start, 14)),
        )
        goal = actions.add_goal(actor=p["hanne"], log=nora, arena=Arena.OTHER, text="Nora kommer på skolen")
        for i in range(4):
            deadline = start + timedelta(days=20 + 80 * i)
            data = MeasureData(
                f"Noras tiltak {i + 1}", MeasureCategory.ANNET, p["nora"], deadline, deadline + timedelta(days=10)
            )
            actions.add_measure(actor=p["hanne"], goal=goal, data=data)
        # A transition to school next August: its steps fall due through the year.
        actions.start_transition(
            actor=p["hanne"],
            log=emma,
            kind=TransitionKind.KINDERGARTEN_TO_SCHOOL,
            to_unit=w.units["skole"],
            start_date=date(start.year + 1, 8, 16),
        )
        # A level-0 note its owner leaves untouched.
        undring.create_note(
            actor=p["trond"], unit=w.units["barnehage"], reflection=undring.Reflection(about="Liv er stille")
        )

    def trond_leaves() -> None:
        from stafett.people import actions as people_actions

        membership = Membership.objects.get(person=p["trond"], unit=w.units["barnehage"])
        people_actions.end_membership(actor=p["leder"], membership=membership)

    w.events.setdefault(start + timedelta(days=70), []).append(trond_leaves)
    expect(w)
    return w


# --- what should happen, from the data ---------------------------------------------------------


def expect(w: World) -> None:
    """The expected reminders, from dates and people by this file's rules (issue 14)."""
    from stafett.logs.models import Consent, Handover, Measure, RelayLog, Transition
    from stafett.logs.transitions import progress
    from stafett.people.models import Membership, Role
    from stafett.undring.models import ConcernNote

    e = w.expected
    holders = {log.id: log.holder for log in RelayLog.objects.select_related("holder")}
    nobody_reachable = {w.people["nora"].id}  # no e-mail, no phone

    def to(person: Any, log_id: int) -> Any:
        return holders[log_id] if person.id in nobody_reachable else person

    for m in Measure.objects.select_related("responsible"):
        for name, on in (("frist", m.deadline), ("evaluering", m.evaluation_date)):
            after = Expected(
                f"{name}:{m.code}:{on}:etter", to(m.responsible, m.log_id), on + timedelta(days=1), f"{name} passert"
            )
            before = Expected(
                f"{name}:{m.code}:{on}:før",
                to(m.responsible, m.log_id),
                on - timedelta(days=DAYS_BEFORE),
                f"{name} snart",
            )
            seen = w.first_run(before.moment)
            if seen is not None and seen > on:
                before.folded_into = after.key
            e += [before, after]
    for c in Consent.objects.select_related("log__holder"):
        moments = [(d, c.valid_until - timedelta(days=d)) for d in CONSENT_WARNINGS]
        for d, moment in moments:
            item = Expected(f"samtykke:{c.code}:{d}", c.log.holder, moment, "samtykke går ut")
            seen = w.first_run(moment)
            if seen is not None:
                left = (c.valid_until - seen).days
                nearest = min((x for x in CONSENT_WARNINGS if x >= left), default=min(CONSENT_WARNINGS))
                if nearest != d:
                    item.folded_into = f"samtykke:{c.code}:{nearest}"
            e.append(item)
    leaders = list(Membership.objects.filter(unit=w.units["barnehage"], role=Role.LEADER).select_related("person"))
    for h in Handover.objects.select_related("to_person", "proposed_by"):
        moment = h.created_at.astimezone(OSLO).date() + timedelta(days=HANDOVER_DAYS)
        e.append(Expected(f"overforing:{h.code}:til", h.to_person, moment, "overføring ubesvart"))
        e.append(Expected(f"overforing:{h.code}:fra", h.proposed_by, moment, "overføring ubesvart"))
        e += [
            Expected(f"overforing:{h.code}:leder:{m.person_id}", m.person, moment, "overføring ubesvart")
            for m in leaders
        ]
    for log in RelayLog.objects.select_related("holder"):
        spell = log.created_at.astimezone(OSLO).date()
        held = sorted(mt.starts_at.astimezone(OSLO).date() for mt in log.meetings.all())
        while True:
            due = add_months(spell, NO_MEETING_MONTHS)
            meeting = next((d for d in held if spell < d < due), None)
            if meeting is None:
                e.append(Expected(f"ingen_mote:{log.code}:{spell}", log.holder, due, "ingen møter"))
                meeting = next((d for d in held if d >= due), None)
                if meeting is None:
                    break
            spell = meeting
    for t in Transition.objects.select_related("log__holder"):
        for step in progress(t):
            if step.due is not None:
                moment = step.due - timedelta(days=TRANSITION_WARNING)
                e.append(Expected(f"overgang:{t.code}:{step.key}:{step.due}", t.log.holder, moment, "overgangssteg"))
    for note in ConcernNote.objects.select_related("owner"):
        moment = note.updated_at.astimezone(OSLO).date() + timedelta(weeks=UNDRING_WEEKS)
        e.append(
            Expected(
                f"undring:{note.code}:{note.updated_at.astimezone(OSLO):%Y-%m-%d}", note.owner, moment, "undring urørt"
            )
        )
    for leave_day in [d for d, evs in w.events.items() if evs]:
        log = w.logs["liv"]  # Trond holds Liv's log when he leaves
        e += [
            Expected(
                f"holder_sluttet:{log.code}:{log.holder_id}:{m.person_id}",
                m.person,
                leave_day + timedelta(days=1),
                "holder sluttet",
            )
            for m in leaders
        ]
    quarters = [w.start] + [d for d in _days(w.start, w.end) if d.day == 1 and d.month in (1, 4, 7, 10)]
    for q in quarters:
        first = date(q.year, 3 * ((q.month - 1) // 3) + 1, 1)
        label = f"{first.year}-K{(first.month - 1) // 3 + 1}"
        e += [
            Expected(f"kvartal:{w.units['barnehage'].code}:{m.person_id}:{label}", m.person, q, "kvartalsoversikt")
            for m in leaders
        ]
    # Only what falls due inside the simulated days.
    w.expected[:] = [x for x in e if x.moment <= w.end]


# --- running and comparing --------------------------------------------------------------------


@dataclass
class Report:
    expected: int = 0
    on_time: int = 0
    late_after_outage: int = 0
    late_other: int = 0
    missing: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    wrong_recipient: list[str] = field(default_factory=list)
    other_rows: Counter[str] = field(default_factory=Counter)
    rows: int = 0

    def table(self) -> str:
        lines = [
            ("expected reminders", self.expected),
            ("on time", self.on_time),
            ("late, first run after an outage", self.late_after_outage),
            ("late otherwise", self.late_other),
            ("missing", len(self.missing)),
            ("duplicate", len(self.duplicates)),
            ("wrong recipient (may not open the link)", len(self.wrong_recipient)),
            ("outbox rows in all", self.rows),
            ("rows beyond the list (told at once, not reminders)", sum(self.other_rows.values())),
        ]
        width = max(len(name) for name, _ in lines)
        return "\n".join(f"{name:<{width}}  {value:>5}" for name, value in lines)


def _may_open(n: Any) -> bool:
    from stafett import access
    from stafett.access import Action
    from stafett.logs.models import Handover, RelayLog
    from stafett.people.models import Unit
    from stafett.undring.models import ConcernNote

    kind, code = n.path.strip("/").split("/")[:2]
    if kind == "logg":
        return access.can(n.recipient, Action.VIEW_LOG, RelayLog.objects.get(code=code))
    if kind == "overforing":
        return access.can(n.recipient, Action.ANSWER_HANDOVER, Handover.objects.get(code=code).log)
    if kind == "tjenestested":
        return access.can(n.recipient, Action.VIEW_UNIT_OVERVIEW, Unit.objects.get(code=code))
    if kind == "undring":
        return access.can(n.recipient, Action.VIEW_NOTE, ConcernNote.objects.get(code=code))
    return False


def simulate(w: World) -> Report:
    from stafett.core.daily import run_daily
    from stafett.notify.models import Notification

    report = Report()
    seen = 0
    for day in _days(w.start, w.end):
        if day not in w.skip:
            with at(day):
                run_daily(day)
                for n in Notification.objects.filter(id__gt=seen).select_related("recipient").order_by("id"):
                    seen = n.id
                    if n.recipient is None or not _may_open(n):
                        report.wrong_recipient.append(f"{day} {n.kind} → {n.recipient} ({n.path})")
        for event in w.events.get(day, []):
            with at(day, 12):
                event()
    return compare(w, report)


def compare(w: World, report: Report) -> Report:
    from django.utils import timezone

    from stafett.notify.models import Notification

    rows = list(Notification.objects.exclude(dedupe_key=None).select_related("recipient"))
    report.rows = Notification.objects.count()
    by_key: dict[str, list[Any]] = {}
    for n in rows:
        by_key.setdefault(n.dedupe_key, []).append(n)
    matched: set[int] = set()
    for x in w.expected:
        report.expected += 1
        found = [n for n in by_key.get(x.folded_into or x.key, []) if n.recipient_id == x.recipient.id]
        matched.update(n.id for n in found)
        if not found:
            report.missing.append(f"{x.moment} {x.what} → {x.recipient} ({x.key})")
            continue
        if len(found) > 1:
            report.duplicates.append(f"{x.moment} {x.what} → {x.recipient}")
        sent = timezone.localdate(found[0].created_at)
        if sent == x.moment:
            report.on_time += 1
        elif sent == w.first_run(x.moment) and (x.moment < w.start or x.moment in w.skip or x.folded_into):
            report.late_after_outage += 1
        else:
            report.late_other += 1
    for n in Notification.objects.exclude(id__in=matched):
        report.other_rows[n.kind] += 1
    # One reminder sent twice to the same person on the same channel, whether expected or not.
    twice = Counter((n.recipient_id, n.channel, n.dedupe_key) for n in rows)
    report.duplicates += [f"{key} → person {pid}" for (pid, _, key), c in twice.items() if c > 1]
    return report


# --- the command line -------------------------------------------------------------------------


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--database-url", help="a PostgreSQL database to drop and create (default: temporary SQLite)")
    parser.add_argument("--days", type=int, default=365)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "bench"))
    from oslo import migrate, recreate_postgres, setup_django

    with tempfile.TemporaryDirectory(prefix="stafett-year-") as tmp:
        url = args.database_url or f"sqlite:///{tmp}/year.sqlite3"
        if args.database_url:
            recreate_postgres(url)
        setup_django(url, Path(tmp))
        os.environ.setdefault("STAFETT_ARCHIVE_DIR", str(Path(tmp) / "arkiv"))
        migrate()
        world = build(START, args.days)
        report = simulate(world)
        from django.db import connection

        print(f"Simulated {world.start} – {world.end} on {connection.vendor}, {len(world.runs())} runs")
        print(report.table())
        for title, items in (
            ("Missing", report.missing),
            ("Duplicate", report.duplicates),
            ("Wrong recipient", report.wrong_recipient),
        ):
            for item in items:
                print(f"{title}: {item}")
        print("Rows beyond the list by kind:", dict(report.other_rows))
        if args.database_url:
            connection.close()
            recreate_postgres(url, create=False)


if __name__ == "__main__":
    main(sys.argv[1:])
