"""The leader's overview of a unit's logs (seeds/001: "how many logs does the school have?",
an overview of active logs every three months) and the holder's list of what needs follow-up.
Names, level, status, dates and flags only — never the plan's content."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count

from stafett import access
from stafett.access import Action
from stafett.followup.risks import Flag, FollowUp, orphan_flag, stand_in_flag, with_followup
from stafett.logs.models import Level, LogStatus, RelayLog
from stafett.logs.orphans import orphaned_by_log
from stafett.logs.reminders import stood_in_by_log
from stafett.people.models import Person, Unit

OPEN_STATUSES = (LogStatus.AWAITING_CONSENT, LogStatus.ACTIVE, LogStatus.PASSIVE)
# The leader's page never loads the plan's content, not even into memory.
OVERVIEW_FIELDS = (
    "code",
    "status",
    "level",
    "kind",  # the holder of an individual plan is shown as koordinator (RelayLog.holder_label)
    "created_at",
    "unit_id",
    "subject__given_name",
    "subject__family_name",
    "holder__given_name",
    "holder__family_name",
)


@dataclass(frozen=True)
class Row:
    followup: FollowUp
    flags: list[Flag]

    @property
    def log(self) -> RelayLog:
        return self.followup.log


@dataclass
class UnitOverview:
    unit: Unit
    rows: list[Row]
    # counts[status][level]: how many logs, for the table at the top
    counts: dict[str, dict[int, int]] = field(default_factory=dict)
    closed_this_year: int = 0

    @property
    def at_risk(self) -> list[Row]:
        return [r for r in self.rows if r.flags]

    @property
    def levels(self) -> list[tuple[int, str]]:
        return [(int(v), str(label)) for v, label in Level.choices]


def _rows(logs: list[RelayLog], today: date, months: int) -> list[Row]:
    rows = []
    for log in logs:
        f = FollowUp.of(log)
        flags = f.flags(today, no_meeting_months=months) if log.status == LogStatus.ACTIVE else []
        rows.append(Row(f, flags))
    return rows


def unit_overview(unit: Unit, today: date) -> UnitOverview:
    """Three queries, whatever the number of logs."""
    logs = list(
        with_followup(
            RelayLog.objects.filter(unit=unit, status__in=OPEN_STATUSES)
            .select_related("subject", "holder")
            .only(*OVERVIEW_FIELDS),
            today,
        ).order_by("subject__family_name", "subject__given_name", "id")
    )
    overview = UnitOverview(unit, _rows(logs, today, unit.municipality.no_meeting_months))
    overview.counts = {status: dict.fromkeys(Level.values, 0) for status in OPEN_STATUSES}
    for c in (
        RelayLog.objects.filter(unit=unit, status__in=OPEN_STATUSES).values("status", "level").annotate(n=Count("id"))
    ):
        overview.counts[c["status"]][c["level"]] = c["n"]
    overview.closed_this_year = RelayLog.objects.filter(
        unit=unit, status=LogStatus.CLOSED, closed_at__year=today.year
    ).count()
    return overview


def holder_attention(person: Person, today: date) -> list[Row]:
    """The holder's own active logs that need something: overdue evaluations, consent running
    out, a handover not answered, no meetings, measures needing a new responsible person."""
    logs = list(
        with_followup(
            access.logs_for(person, Action.EDIT_PLAN, today).select_related("subject", "holder", "unit__municipality"),
            today,
        ).order_by("subject__given_name", "id")
    )
    orphans = orphaned_by_log(logs, today)
    stood_in = stood_in_by_log(logs, today)
    rows = []
    for log in logs:
        f = FollowUp.of(log)
        flags = f.flags(today, no_meeting_months=log.unit.municipality.no_meeting_months)
        if log.id in orphans:
            flags.append(orphan_flag(len(orphans[log.id])))
        if log.id in stood_in:
            flags.append(stand_in_flag(stood_in[log.id]))
        if flags:
            rows.append(Row(f, flags))
    return rows
