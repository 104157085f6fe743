"""Calendar months (issue 14 §3): «no meeting for three months» means 2 March to 2 June, not
90 days. python-dateutil is not a direct dependency, and this is all we need of it."""

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier); the month's last day when it has no such day
    (30 November + 3 months is 28 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))
