"""Child welfare's deadlines (seeds/004 nivå 3.0–3.1), counted from the dates recorded on the log.

- A public reporter has the right to information within three weeks of the report
  («Offentlig melder har krav på informasjon innen 3 uker»).
- The investigation is done within three months of the report; in justified cases
  the deadline can be extended to six months.
- Measures (hjelpetiltak) are evaluated at least every three months.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

from stafett.guide.models import GuideTimeline

REPORTER_WEEKS = 3
INVESTIGATION_MONTHS = 3
INVESTIGATION_EXTENDED_MONTHS = 6
EVALUATION_MONTHS = 3


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the last day of the month when it has no such day (31.1 + 1 → 28.2)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Deadline:
    title: str
    rule: str
    due: date
    done_on: date | None
    today: date

    @property
    def overdue(self) -> bool:
        return self.done_on is None and self.due < self.today

    @property
    def days_left(self) -> int:
        return (self.due - self.today).days

    @property
    def state(self) -> str:
        """In plain Norwegian, for the log page."""
        if self.done_on is not None:
            done_on = f"{self.done_on:%d.%m.%Y}"
            if self.done_on > self.due:
                return _("gjort %(date)s – etter fristen") % {"date": done_on}
            return _("gjort %(date)s") % {"date": done_on}
        if self.overdue:
            return _("fristen gikk ut for %(days)s dager siden") % {"days": -self.days_left}
        if self.days_left == 0:
            return _("fristen er i dag")
        return _("om %(days)s dager") % {"days": self.days_left}


def deadlines(timeline: GuideTimeline | None, today: date) -> list[Deadline]:
    if timeline is None:
        return []
    found: list[Deadline] = []
    received = timeline.report_received_on
    if received is not None:
        if timeline.public_reporter:
            found.append(
                Deadline(
                    _("Svar til offentlig melder"),
                    _("Offentlig melder har krav på informasjon innen tre uker etter at meldingen kom inn."),
                    received + timedelta(weeks=REPORTER_WEEKS),
                    timeline.reporter_informed_on,
                    today,
                )
            )
        months = INVESTIGATION_EXTENDED_MONTHS if timeline.investigation_extended else INVESTIGATION_MONTHS
        rule = (
            _("Undersøkelsen skal være ferdig innen seks måneder (fristen er forlenget).")
            if timeline.investigation_extended
            else _(
                "Undersøkelsen skal være ferdig innen tre måneder. Fristen kan forlenges til seks måneder "
                "i begrunnede tilfeller."
            )
        )
        found.append(
            Deadline(
                _("Undersøkelsen ferdig"),
                rule,
                add_months(received, months),
                timeline.investigation_concluded_on,
                today,
            )
        )
    decided = timeline.measures_decided_on
    if decided is not None:
        last = max(decided, timeline.measures_evaluated_on or decided)
        found.append(
            Deadline(
                _("Neste evaluering av hjelpetiltakene"),
                _("Hjelpetiltak evalueres minst hver tredje måned."),
                add_months(last, EVALUATION_MONTHS),
                None,
                today,
            )
        )
    return found
