"""Bookkeeping for the daily job: which days it finished. The first run after an outage
catches up from the last successful one (issue 14 §4)."""

from datetime import date

from django.db import models


class DailyRun(models.Model):
    """One row a day the daily job finished; a day it failed or did not run has none."""

    day = models.DateField(unique=True)
    finished_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"Daglig jobb {self.day:%d.%m.%Y}"


def last_successful_run(before: date) -> date | None:
    """The last day before `before` the daily job finished, or None if it never has."""
    return DailyRun.objects.filter(day__lt=before).aggregate(last=models.Max("day"))["last"]
