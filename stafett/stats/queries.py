"""Statistics for one municipality and period: aggregate counts only (issue 5).

Nothing here returns a name, an id or a row per log; every number goes
through `suppression.py` before it leaves this module. The counts are
grouped in the database (a fixed number of queries whatever the size); the
little folding left (months into quarters) is done on the grouped rows.

A log belongs to the municipality of its unit. A shared service (PPT, child
welfare) counts where it is registered, so no log is counted twice.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from stafett.logs.models import (
    CloseReason,
    Consent,
    Evaluation,
    Level,
    LevelChange,
    LogStatus,
    Measure,
    Meeting,
    RelayLog,
)
from stafett.people.models import Membership, Municipality, Person, Role, ServiceType, Unit
from stafett.stats.suppression import SMALLEST_SHOWN, Cell, share, suppress_partition
from stafett.undring.models import Discussion

MONTHS = (
    gettext_lazy("januar"),
    gettext_lazy("februar"),
    gettext_lazy("mars"),
    gettext_lazy("april"),
    gettext_lazy("mai"),
    gettext_lazy("juni"),
    gettext_lazy("juli"),
    gettext_lazy("august"),
    gettext_lazy("september"),
    gettext_lazy("oktober"),
    gettext_lazy("november"),
    gettext_lazy("desember"),
)
OPENED, CLOSED = gettext_lazy("Opprettet"), gettext_lazy("Avsluttet")


def municipalities_for(person: Person) -> QuerySet[Municipality]:
    """The municipalities whose statistics the person may see: all for a superuser,
    the municipality of each system-administrator membership otherwise."""
    memberships = Membership.objects.active().filter(person=person)
    if memberships.filter(role=Role.SUPERUSER).exists():
        return Municipality.objects.order_by("name")
    ids = memberships.filter(role=Role.SYSTEM_ADMIN).values("unit__municipality_id")
    return Municipality.objects.filter(id__in=ids).order_by("name")


# --- The period ------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    by_quarter: bool = False

    @property
    def label(self) -> str:
        return f"{_day(self.start)}–{_day(self.end)}"

    def datetimes(self) -> tuple[datetime, datetime]:
        """Local midnight at the start, and local midnight after the last day."""
        tz = timezone.get_current_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=tz),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz),
        )

    def buckets(self) -> list[tuple[date, str]]:
        """The first day of each month (or quarter) in the period, with its label."""
        out: list[tuple[date, str]] = []
        day = self.bucket_of(self.start)
        while day <= self.end:
            out.append((day, self._label(day)))
            month = day.month + (3 if self.by_quarter else 1)
            day = date(day.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
        return out

    def bucket_of(self, day: date) -> date:
        month = (day.month - 1) // 3 * 3 + 1 if self.by_quarter else day.month
        return date(day.year, month, 1)

    def _label(self, day: date) -> str:
        if self.by_quarter:
            return _("%(n)s. kvartal %(year)s") % {"n": (day.month - 1) // 3 + 1, "year": day.year}
        return f"{MONTHS[day.month - 1]} {day.year}"


def _day(d: date) -> str:
    return f"{d.day}.{d.month}.{d.year}"


def this_year_so_far(today: date) -> Period:
    return Period(date(today.year, 1, 1), today)


# --- What the page and the CSV file show --------------------------------------------


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[Cell, ...]  # one per column


@dataclass(frozen=True)
class CountTable:
    key: str
    title: str
    row_heading: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    totals: tuple[Cell, ...]
    total_label: str = "Totalt"


@dataclass(frozen=True)
class Median:
    title: str
    days: str | None  # "12,5"; None when fewer than five logs are behind it

    @property
    def text(self) -> str:
        if self.days is None:
            return _("skjult (færre enn 5 logger har hatt møte)")
        return _("%(days)s dager") % {"days": self.days}

    @property
    def csv_text(self) -> str:
        return self.days if self.days is not None else _("skjult")


@dataclass(frozen=True)
class Statistics:
    municipality: Municipality
    period: Period
    by_period: CountTable
    by_service: CountTable
    by_level: CountTable
    close_reasons: CountTable
    first_meeting: Median
    measures: CountTable
    measures_on_time_share: str
    consents: CountTable
    consents_renewed_share: str
    individual_plans: CountTable
    discussions: CountTable

    @property
    def tables(self) -> tuple[CountTable, ...]:
        return (
            self.by_period,
            self.by_service,
            self.by_level,
            self.close_reasons,
            self.individual_plans,
            self.measures,
            self.consents,
            self.discussions,
        )


def count_table(
    *, key: str, title: str, row_heading: str, columns: tuple[str, ...], rows: list[tuple[str, tuple[int, ...]]]
) -> CountTable:
    """Suppress each column on its own: each is a partition of its total."""
    suppressed = [suppress_partition([counts[c] for _, counts in rows]) for c in range(len(columns))]
    table_rows = tuple(
        Row(label, tuple(suppressed[c][0][r] for c in range(len(columns)))) for r, (label, _) in enumerate(rows)
    )
    totals = tuple(total for __, total in suppressed)
    return CountTable(key, title, row_heading, columns, table_rows, totals, total_label=_("Totalt"))


# --- The queries --------------------------------------------------------------------


def statistics(municipality: Municipality, period: Period, *, today: date | None = None) -> Statistics:
    today = today or timezone.localdate()
    logs = RelayLog.objects.filter(unit__municipality=municipality)
    start, end = period.datetimes()
    # A log waiting for digital consent has not been opened (yet).
    opened = logs.exclude(status=LogStatus.AWAITING_CONSENT).filter(created_at__gte=start, created_at__lt=end)
    closed = logs.filter(closed_at__gte=start, closed_at__lt=end, closed_reason__in=CloseReason.values)

    first_level = LevelChange.objects.filter(log=OuterRef("pk")).order_by("changed_at", "id").values("level")[:1]
    opened_groups = _grouped(opened, "created_at", Coalesce(Subquery(first_level), F("level")))
    closed_groups = _grouped(closed, "closed_at", F("level"))

    buckets = period.buckets()
    opened_by_bucket = _rebucket(opened_groups, period)
    closed_by_bucket = _rebucket(closed_groups, period)
    services = _service_types(municipality, opened_groups, closed_groups)
    opened_by_service, closed_by_service = _fold(opened_groups, 1), _fold(closed_groups, 1)
    opened_by_level, closed_by_level = _fold(opened_groups, 2), _fold(closed_groups, 2)
    if period.by_quarter:
        by_period_title, by_period_heading = _("Stafettlogger opprettet og avsluttet per kvartal"), _("Kvartal")
    else:
        by_period_title, by_period_heading = _("Stafettlogger opprettet og avsluttet per måned"), _("Måned")
    measures, measures_share = _measures(municipality, period, today)
    consents, consents_share = _consents(municipality, period, today)

    return Statistics(
        municipality=municipality,
        period=period,
        by_period=count_table(
            key="periode",
            title=by_period_title,
            row_heading=by_period_heading,
            columns=(str(OPENED), str(CLOSED)),
            rows=[(label, (opened_by_bucket[day], closed_by_bucket[day])) for day, label in buckets],
        ),
        by_service=count_table(
            key="tjeneste",
            title=_("Stafettlogger opprettet og avsluttet per tjeneste"),
            row_heading=_("Tjeneste (tjenestestedets)"),
            columns=(str(OPENED), str(CLOSED)),
            rows=[(str(ServiceType(s).label), (opened_by_service[s], closed_by_service[s])) for s in services],
        ),
        by_level=count_table(
            key="niva",
            title=_("Stafettlogger opprettet og avsluttet per nivå"),
            row_heading=_("Nivå (da loggen ble opprettet eller avsluttet)"),
            columns=(str(OPENED), str(CLOSED)),
            rows=[(str(lvl.label), (opened_by_level[lvl.value], closed_by_level[lvl.value])) for lvl in Level],
        ),
        close_reasons=_close_reasons(closed),
        first_meeting=_time_to_first_meeting(opened),
        measures=measures,
        measures_on_time_share=measures_share,
        consents=consents,
        consents_renewed_share=consents_share,
        individual_plans=_individual_plans(logs, period, services),
        discussions=_discussions(municipality, period),
    )


GroupKey = tuple[date, str, int]


def _grouped(logs: QuerySet[RelayLog], when: str, level: object) -> Counter[GroupKey]:
    """Counts by (month, service type of the unit, level): one query, a few hundred rows at most."""
    rows = (
        logs.annotate(month=TruncMonth(when), stat_level=level)
        .values("month", "unit__service_type", "stat_level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: Counter[GroupKey] = Counter()
    for r in rows:
        counts[(timezone.localtime(r["month"]).date(), r["unit__service_type"], r["stat_level"])] += r["n"]
    return counts


def _fold(groups: Counter[GroupKey], index: int) -> Counter[object]:
    out: Counter[object] = Counter()
    for key, n in groups.items():
        out[key[index]] += n
    return out


def _rebucket(groups: Counter[GroupKey], period: Period) -> Counter[date]:
    out: Counter[date] = Counter()
    for (month, _service, _level), n in groups.items():
        out[period.bucket_of(month)] += n
    return out


def _service_types(municipality: Municipality, *groups: Counter[GroupKey]) -> list[str]:
    """Every service type the municipality has units for, whether or not it has logs:
    which rows there are should not itself tell anything."""
    present = set(Unit.objects.filter(municipality=municipality).values_list("service_type", flat=True))
    for g in groups:
        present |= {key[1] for key in g}
    return [s for s in ServiceType.values if s in present]


def _close_reasons(closed: QuerySet[RelayLog]) -> CountTable:
    counts = dict(closed.values_list("closed_reason").annotate(n=Count("pk")).order_by())
    return count_table(
        key="arsak",
        title=_("Årsak til avslutning"),
        row_heading=_("Årsak"),
        columns=(str(CLOSED),),
        rows=[(str(reason.label), (counts.get(reason.value, 0),)) for reason in CloseReason],
    )


def _individual_plans(logs: QuerySet[RelayLog], period: Period, services: list[str]) -> CountTable:
    """Logs turned into an individual plan in the period (issue 15 §6), by the unit's service:
    counted apart, as they are no longer ordinary relay logs; small counts hidden like the rest."""
    became = logs.filter(became_ip_on__gte=period.start, became_ip_on__lte=period.end)
    counts = dict(became.values_list("unit__service_type").annotate(n=Count("pk")).order_by())
    return count_table(
        key="individuell_plan",
        title=_("Stafettlogger gjort om til individuell plan"),
        row_heading=_("Tjeneste (tjenestestedets)"),
        columns=(_("Gjort om til IP"),),
        rows=[(str(ServiceType(s).label), (counts.get(s, 0),)) for s in services],
    )


def _discussions(municipality: Municipality, period: Period) -> CountTable:
    """Cases discussed anonymously with the resource team (seeds/004, level 0), per year: the
    records hold no child, so only how many, where (the recording unit's municipality) and when."""
    rows = (
        Discussion.objects.filter(
            unit__municipality=municipality, discussed_on__gte=period.start, discussed_on__lte=period.end
        )
        .values_list("discussed_on__year")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = dict(rows)
    years = range(period.start.year, period.end.year + 1)
    return count_table(
        key="drofting",
        title=_("Saker drøftet anonymt med ressursteamet (nivå 0)"),
        row_heading=_("År"),
        columns=(_("Drøftinger"),),
        rows=[(str(year), (counts.get(year, 0),)) for year in years],
    )


def _time_to_first_meeting(opened: QuerySet[RelayLog]) -> Median:
    """The median from opening to the first meeting that has taken place, over the logs
    opened in the period that have had one. Two small queries: a count, then the middle rows."""
    title = _("Tid fra loggen ble opprettet til første møte (median)")
    first = Meeting.objects.filter(
        log=OuterRef("pk"), starts_at__lte=timezone.now(), cancelled_at__isnull=True
    ).order_by("starts_at")
    waits = (
        opened.annotate(first_meeting=Subquery(first.values("starts_at")[:1], output_field=DateTimeField()))
        .filter(first_meeting__isnull=False)
        .annotate(wait=ExpressionWrapper(F("first_meeting") - F("created_at"), output_field=DurationField()))
    )
    n = waits.count()
    if n < SMALLEST_SHOWN:
        return Median(title, None)
    middle = list(waits.order_by("wait", "pk").values_list("wait", flat=True)[(n - 1) // 2 : n // 2 + 1])
    median = sum(middle, timedelta()) / len(middle)
    days = max(median.total_seconds() / 86400, 0.0)
    return Median(title, f"{days:.1f}".replace(".", ","))


def _measures(municipality: Municipality, period: Period, today: date) -> tuple[CountTable, str]:
    """Measures whose evaluation date in the period has passed: was an evaluation recorded
    on or before that date? Measures in a log closed, or whose consent was withdrawn, before
    the evaluation date are left out: nobody could evaluate them."""
    last_day = min(period.end, today - timedelta(days=1))
    # Chained, so the date conversion (a Python function on SQLite) runs only for withdrawn consents.
    withdrawn = Consent.objects.filter(log=OuterRef("log")).filter(withdrawn_at__isnull=False)
    withdrawn_before = withdrawn.filter(withdrawn_at__date__lt=OuterRef("evaluation_date"))
    on_time = Evaluation.objects.filter(measure=OuterRef("pk"), created_at__date__lte=OuterRef("evaluation_date"))
    counts = (
        Measure.objects.filter(
            log__unit__municipality=municipality, evaluation_date__gte=period.start, evaluation_date__lte=last_day
        )
        .filter(Q(log__closed_at__isnull=True) | Q(log__closed_at__date__gte=F("evaluation_date")))
        .exclude(Exists(withdrawn_before))
        .aggregate(due=Count("pk"), on_time=Count("pk", filter=Exists(on_time)))
    )
    table = count_table(
        key="tiltak",
        title=_("Tiltak evaluert i tide (evalueringsdatoen er passert)"),
        row_heading=_("Tiltak"),
        columns=(_("Tiltak"),),
        rows=[
            (_("Evaluert innen evalueringsdatoen"), (counts["on_time"],)),
            (_("Ikke evaluert innen evalueringsdatoen"), (counts["due"] - counts["on_time"],)),
        ],
    )
    return table, share(table.rows[0].cells[0], table.totals[0])


def _consents(municipality: Municipality, period: Period, today: date) -> tuple[CountTable, str]:
    """Consents whose period ended in the period: was a newer consent recorded for the log
    by the last day, or did it lapse? Withdrawn consents, and consents in a log closed
    before they ran out, had nothing to renew."""
    last_day = min(period.end, today - timedelta(days=1))
    renewal = Consent.objects.filter(
        log=OuterRef("log"),
        created_at__gt=OuterRef("created_at"),
        created_at__date__lte=OuterRef("valid_until"),
        valid_until__gt=OuterRef("valid_until"),
    )
    counts = (
        Consent.objects.filter(
            log__unit__municipality=municipality,
            withdrawn_at__isnull=True,
            valid_until__gte=period.start,
            valid_until__lte=last_day,
        )
        .filter(Q(log__closed_at__isnull=True) | Q(log__closed_at__date__gt=F("valid_until")))
        .aggregate(ended=Count("pk"), renewed=Count("pk", filter=Exists(renewal)))
    )
    table = count_table(
        key="samtykke",
        title=_("Samtykker som gikk ut: fornyet i tide eller utløpt"),
        row_heading=_("Samtykke"),
        columns=(_("Samtykker"),),
        rows=[
            (_("Fornyet før det gikk ut"), (counts["renewed"],)),
            (_("Utløpt uten nytt samtykke"), (counts["ended"] - counts["renewed"],)),
        ],
    )
    return table, share(table.rows[0].cells[0], table.totals[0])
