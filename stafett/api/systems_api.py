"""Registered systems' endpoints. Which logs a system may know of is decided in
stafett/access.py (units_served_by, logs_known_to_system); nothing here reads content."""

from datetime import date
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field as NinjaField
from ninja import Query, Router, Schema

from stafett import access
from stafett.api import auth
from stafett.api.models import SystemClient, SystemScope
from stafett.api.problems import ERRORS
from stafett.api.rules import declares
from stafett.api.schemas import Event, EventPage, Presence, StatCell, StatisticsOut, StatRow, StatTable, UnitRef
from stafett.audit.models import AuditAction, AuditEvent
from stafett.logs.models import LogStatus, RelayLog
from stafett.stats.cache import cached_statistics
from stafett.stats.queries import Period
from stafett.stats.suppression import Cell

router = Router(auth=auth.SYSTEMS, tags=["Systemer"])


def _client(request: HttpRequest, scope: SystemScope) -> SystemClient:
    client = request.auth  # type: ignore[attr-defined]
    assert isinstance(client, SystemClient)
    if not access.system_may(client, scope):
        raise access.PermissionDenied(_("Systemet har ikke tilgangen «%(scope)s».") % {"scope": scope.value})
    return client


class PresenceQuery(Schema):
    unit: UUID | None = NinjaField(default=None, description="Bare dette tjenestestedet")


@router.get("/system/presence", response={200: list[Presence], **ERRORS}, summary="Barn med aktiv stafettlogg")
@declares(SystemScope.PRESENCE)
def presence(request: HttpRequest, filters: Query[PresenceQuery]) -> list[Presence]:
    """Which children at the units the system serves have an active log, since when, and the
    holder's unit (seeds/003 5.6: the unit's own record system must know). No content."""
    client = _client(request, SystemScope.PRESENCE)
    logs = access.logs_known_to_system(client, SystemScope.PRESENCE).filter(status=LogStatus.ACTIVE)
    if filters.unit is not None:
        if not access.units_served_by(client).filter(code=filters.unit).exists():
            raise Http404
        logs = logs.filter(unit__code=filters.unit)
    logs = logs.select_related("subject", "unit").order_by("created_at", "id")
    return [
        Presence(
            log=log.code,
            national_id=log.subject.national_id or "",
            child=log.subject.full_name,
            since=timezone.localtime(log.created_at).date(),
            level=log.level,
            unit=UnitRef(code=log.unit.code, name=log.unit.name, service_type=log.unit.service_type),
        )
        for log in logs
    ]


# The audit trail's rows that make an event, and the event's name.
EVENT_KINDS = {
    AuditAction.LOG_OPENED.value: "opened",
    AuditAction.LOG_CLOSED.value: "closed",
    AuditAction.LOG_REOPENED.value: "reopened",
    AuditAction.HANDOVER_ACCEPTED.value: "holder_changed",
    AuditAction.LOG_OVERVIEW_CHANGED.value: "level_changed",  # only when the level is among the changes
}
SCAN_LIMIT = 2000  # audit rows read for one page at most; the cursor moves past them all the same


class EventQuery(Schema):
    after: int = NinjaField(default=0, ge=0, le=2**62, description="Markøren fra forrige side (0: fra begynnelsen)")
    limit: int = NinjaField(default=100, ge=1, le=500)


@router.get("/system/events", response={200: EventPage, **ERRORS}, summary="Hendelser i loggene")
@declares(SystemScope.EVENTS)
def events(request: HttpRequest, page: Query[EventQuery]) -> EventPage:
    """Log opened, closed, reopened, level changed, holder changed — for logs at the units the
    system serves, oldest first, from the audit trail (its `seq` is the cursor). No content."""
    client = _client(request, SystemScope.EVENTS)
    known = access.logs_known_to_system(client, SystemScope.EVENTS)
    rows = list(
        AuditEvent.objects.filter(seq__gt=page.after, action__in=list(EVENT_KINDS), scope_code__in=known.values("code"))
        .order_by("seq")
        .only("seq", "at", "action", "scope_code", "details")[:SCAN_LIMIT]
    )
    codes = {row.scope_code for row in rows}
    units = dict(RelayLog.objects.filter(code__in=codes).values_list("code", "unit__code"))
    found: list[Event] = []
    cursor = page.after
    more = False
    for row in rows:
        if len(found) == page.limit:
            more = True
            break
        cursor = row.seq
        if row.action == AuditAction.LOG_OVERVIEW_CHANGED.value and "level" not in (row.details or {}).get("felt", []):
            continue
        assert row.scope_code is not None
        found.append(
            Event(
                cursor=row.seq,
                kind=EVENT_KINDS[row.action],
                at=row.at,
                log=row.scope_code,
                unit=units.get(row.scope_code),
            )
        )
    else:
        more = len(rows) == SCAN_LIMIT
    return EventPage(events=found, next_cursor=cursor, more=more)


class StatisticsQuery(Schema):
    start: date | None = NinjaField(default=None, description="Fra og med (standard: 1. januar i år)")
    end: date | None = NinjaField(default=None, description="Til og med (standard: i dag)")
    by_quarter: bool = False


def _cell(cell: Cell) -> StatCell:
    return StatCell(value=cell.value, hidden=str(cell.hidden))


@router.get("/system/statistics", response={200: StatisticsOut, **ERRORS}, summary="Kommunens tall")
@declares(SystemScope.STATISTICS)
def municipality_statistics(request: HttpRequest, query: Query[StatisticsQuery]) -> StatisticsOut:
    """The statistics page's figures for the system's municipality, small counts hidden the same way."""
    client = _client(request, SystemScope.STATISTICS)
    today = timezone.localdate()
    start = query.start or date(today.year, 1, 1)
    end = query.end or today
    if end < start or (end - start).days > 366 * 5 or start.year < 2000 or end > date(today.year + 1, 12, 31):
        raise ValidationError(_("Perioden må være høyst fem år, og «start» må komme før «end»."))
    stats = cached_statistics(client.municipality, Period(start, end, by_quarter=query.by_quarter))
    return StatisticsOut(
        municipality=stats.municipality.name,
        start=start,
        end=end,
        tables=[
            StatTable(
                key=t.key,
                title=t.title,
                columns=list(t.columns),
                rows=[StatRow(label=r.label, cells=[_cell(c) for c in r.cells]) for r in t.rows],
                totals=[_cell(c) for c in t.totals],
            )
            for t in stats.tables
        ],
        first_meeting_median_days=stats.first_meeting.days,
        measures_on_time_share=stats.measures_on_time_share,
        consents_renewed_share=stats.consents_renewed_share,
    )
