"""The audit trail: append-only, survives what it describes.

No foreign keys: a row must outlive the person, unit or log it names, and
deleting those must never touch it. The database refuses UPDATE and DELETE
(see migrations/0002_append_only.py); the model refuses them too.
"""

import uuid

from django.db import models


class AppendOnlyError(Exception):
    pass


ACTION_LABELS = {
    "log.viewed": "Så loggen",
    "log.opened": "Opprettet loggen",
    "log.overview_changed": "Endret oversikten",
    "consent.recorded": "Registrerte samtykke",
    "participant.added": "La til deltaker",
    "participant.removed": "Fjernet deltaker",
    "goal.added": "La til mål",
    "goal.changed": "Endret mål",
    "measure.added": "La til tiltak",
    "measure.changed": "Endret tiltak",
    "measure.evaluated": "Evaluerte tiltak",
    "meeting.scheduled": "Kalte inn til møte",
    "meeting.minutes_written": "Skrev referat",
    "message.posted": "Skrev melding",
    "comment.posted": "Kommenterte tiltak",
    "guide.started": "Startet et nivå i BTI-veilederen",
    "guide.decision": "Registrerte en beslutning i BTI-veilederen",
    "guide.timeline_changed": "Registrerte datoer for barneverntjenestens frister",
    "guide.factors_changed": "Skrev analysen av opprettholdende faktorer",
}


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: object) -> int:
        raise AppendOnlyError("Revisjonsloggen kan ikke endres.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Revisjonsloggen kan ikke slettes.")

    def about(self, obj: models.Model) -> "AuditEventQuerySet":
        return self.filter(object_type=obj._meta.label_lower, object_code=str(getattr(obj, "code", obj.pk)))


class AuditEvent(models.Model):
    at = models.DateTimeField("tidspunkt", auto_now_add=True, db_index=True)
    actor_code = models.UUIDField("utført av (kode)", null=True)
    # The actor's name at the time: names change and persons get deleted.
    actor_name = models.CharField("utført av", max_length=210)
    action = models.CharField("handling", max_length=60, db_index=True)
    object_type = models.CharField("objekttype", max_length=60)
    object_code = models.CharField("objekt", max_length=64, db_index=True)
    # Lets later issues find all events about one log, whatever the object.
    scope_code = models.UUIDField("gjelder", null=True, db_index=True, default=None)
    ip = models.GenericIPAddressField("IP-adresse", null=True)
    details = models.JSONField("detaljer", default=dict)
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "revisjonshendelse"
        verbose_name_plural = "revisjonslogg"
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name}: {self.action}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Revisjonsloggen kan ikke endres.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Revisjonsloggen kan ikke slettes.")

    @property
    def action_label(self) -> str:
        """Plain Norwegian for guardians reading "who has seen the log"."""
        label = ACTION_LABELS.get(self.action, self.action)
        side = self.details.get("side") if isinstance(self.details, dict) else None
        return f"{label} ({side})" if side and side != "log" else label
