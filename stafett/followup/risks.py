"""Where follow-up is at risk: the same flags for the holder's start page, the leader's
overview and the reminders. Computed in the database, one row a log, never plan content."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    IntegerField,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from stafett.lib.months import add_months
from stafett.logs.actions import CONSENT_WARNING_DAYS
from stafett.logs.models import Consent, Evaluation, Handover, HandoverStatus, Measure, Meeting, RelayLog
from stafett.people.models import Membership


def _count(qs: QuerySet) -> Coalesce:
    counted = qs.order_by().values("log").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def with_followup(logs: QuerySet[RelayLog], today: date) -> QuerySet[RelayLog]:
    """Annotate each log with what the flags need, as correlated subqueries (no join fan-out)."""
    open_measures = Measure.objects.filter(log=OuterRef("pk"), stopped_at__isnull=True)
    unevaluated = open_measures.filter(~Exists(Evaluation.objects.filter(measure=OuterRef("pk"))))
    consent = Consent.objects.filter(log=OuterRef("pk"), withdrawn_at__isnull=True).order_by("-valid_until", "-id")
    now = timezone.now()
    # A cancelled meeting was neither held nor is it coming.
    meetings = Meeting.objects.filter(log=OuterRef("pk"), cancelled_at__isnull=True)
    held = meetings.filter(starts_at__lte=now).order_by("-starts_at")
    upcoming_meeting = meetings.filter(starts_at__gt=now).order_by("starts_at")
    next_dates = (
        open_measures.filter(deadline__gte=today).order_by().values("log").annotate(d=Min("deadline")).values("d")
    )
    return logs.annotate(
        overdue_evaluations=_count(unevaluated.filter(evaluation_date__lt=today)),
        next_deadline=Subquery(next_dates),
        consent_until=Subquery(consent.values("valid_until")[:1]),
        last_meeting=Subquery(held.values("starts_at")[:1], output_field=DateTimeField()),
        next_meeting=Subquery(upcoming_meeting.values("starts_at")[:1], output_field=DateTimeField()),
        handover_pending=Exists(Handover.objects.filter(log=OuterRef("pk"), status=HandoverStatus.PROPOSED)),
        holder_present=Exists(
            Membership.objects.active(today).filter(person=OuterRef("holder"), unit=OuterRef("unit"))
        ),
    )


@dataclass(frozen=True)
class Flag:
    key: str
    text: str


@dataclass(frozen=True)
class FollowUp:
    """One log's follow-up figures, read from a log annotated by `with_followup`."""

    log: RelayLog
    overdue_evaluations: int
    next_deadline: date | None
    consent_until: date | None
    last_meeting: datetime | None
    next_meeting: datetime | None
    handover_pending: bool
    holder_present: bool

    @classmethod
    def of(cls, log: RelayLog) -> "FollowUp":
        return cls(log, **{name: getattr(log, name) for name in ANNOTATIONS})

    def flags(self, today: date, *, no_meeting_months: int) -> list[Flag]:
        """What puts follow-up at risk, in plain Norwegian."""
        flags: list[Flag] = []
        if self.overdue_evaluations:
            flags.append(Flag("evaluering", _("Evaluering forsinket (%(n)s tiltak)") % {"n": self.overdue_evaluations}))
        if self.consent_until is None or self.consent_until < today:
            flags.append(Flag("samtykke_utlopt", _("Samtykket er ikke gyldig")))
        elif self.consent_until <= today + timedelta(days=CONSENT_WARNING_DAYS):
            flags.append(Flag("samtykke", _("Samtykket går ut %(date)s") % {"date": f"{self.consent_until:%d.%m.%Y}"}))
        if self.handover_pending:
            flags.append(Flag("overforing", _("Ny stafettholder har ikke svart")))
        if not self.holder_present:
            flags.append(Flag("holder_sluttet", _("Stafettholderen er ikke lenger ansatt her")))
        # Calendar months since the last meeting held; one planned ahead is said, it does not
        # hide the gap (issue 14 §3, the same rule as the reminder in logs/reminders.py).
        since = timezone.localtime(self.last_meeting or self.log.created_at).date()
        if add_months(since, no_meeting_months) <= today:
            if self.next_meeting is not None:
                text = _("Ingen møter på over %(months)s måneder (et møte er avtalt)")
            else:
                text = _("Ingen møter på over %(months)s måneder")
            flags.append(Flag("ingen_mote", text % {"months": no_meeting_months}))
        return flags


ANNOTATIONS = [f for f in FollowUp.__dataclass_fields__ if f != "log"]


def orphan_flag(count: int) -> Flag:
    """Measures whose responsible person has left the log (logs/orphans.py, derived from access)."""
    return Flag("ny_ansvarlig", _("Trenger ny ansvarlig (%(n)s tiltak)") % {"n": count})


def stand_in_flag(count: int) -> Flag:
    """Measures whose responsible person cannot be reached: the holder gets their reminders
    (issue 14 §1, logs/reminders.py)."""
    return Flag(
        "ansvarlig_nas_ikke", _("Den ansvarlige kan ikke nås – du får påminnelsene (%(n)s tiltak)") % {"n": count}
    )
