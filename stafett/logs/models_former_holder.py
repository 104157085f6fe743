"""A holder who handed the baton on and was made passive (issue 15 §8, seeds/000: «passiviser
eller legg til deltakere»): they may read the log's history and nothing else, and hear of nothing.
The FORMER_HOLDER relation in stafett/access.py derives from these rows."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stafett.people.models import Person, Unit


class FormerHolder(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    log = models.ForeignKey("logs.RelayLog", on_delete=models.CASCADE, related_name="former_holders")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    # The unit they held the log from: their reading follows its staff list and the consent.
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    since = models.DateTimeField(default=timezone.now, editable=False)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("passiv tidligere stafettholder")
        verbose_name_plural = _("passive tidligere stafettholdere")
        constraints = [
            models.UniqueConstraint(
                fields=["log", "person"],
                condition=Q(ended_at__isnull=True),
                name="former_holder_once_per_log",
                violation_error_message=_("Personen leser allerede historikken i loggen."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} (passiv)"
