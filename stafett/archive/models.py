"""Archive copies: a PDF/A printout of a log at each moment the law asks for one
(seeds/004 Arkivering), held in an outbox until the archive has it.

No foreign key to the log: a copy must outlive the log's deletion on demand
(Archives Act; seeds/003 5.5).
"""

import uuid

from django.db import models

from stafett.lib.field_crypto import EncryptedTextField

SUBJECT_NATIONAL_ID_PURPOSE = "archive.archivecopy.subject_national_id"


class ArchiveEvent(models.TextChoices):
    SERVICE_CHANGE = "tjenestebytte", "Bytte av tjeneste"
    HOLDER_CHANGE = "stafettholderbytte", "Bytte av stafettholder"
    CONSENT_WITHDRAWN = "samtykke_trukket", "Samtykke trukket"
    CLOSED = "avsluttet", "Loggen avsluttet"
    MEETING = "mote", "Etter møte"
    YEARLY = "aarlig", "Årlig arkivering (enkeltvedtak)"
    DELETION = "sletting", "Før sletting"
    INDIVIDUAL_PLAN = "individuell_plan", "Loggen ble individuell plan"


class DeliveryStatus(models.TextChoices):
    PENDING = "venter", "Venter"
    DELIVERED = "levert", "Levert"
    FAILED = "feilet", "Feilet"


class ArchiveCopy(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    log_code = models.UUIDField(db_index=True)
    event = models.CharField(max_length=24, choices=ArchiveEvent.choices)
    title = models.CharField(max_length=200)
    subject_name = models.CharField(max_length=210)
    # Only the archive needs the number (its metadata files the copy under the person): kept
    # encrypted until delivery, then emptied (copies.deliver_pending).
    subject_national_id = EncryptedTextField(blank=True, purpose=SUBJECT_NATIONAL_ID_PURPOSE)
    unit_name = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)
    # The log as it was at the archive moment; the worker renders it to PDF/A
    # (slow, and needs Pango) outside the user's request.
    html_snapshot = models.TextField()
    sha256 = models.CharField(max_length=64, blank=True)
    external_key = models.CharField(max_length=120, unique=True)
    pdf = models.FileField(upload_to="archive/%Y/", blank=True)
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    delivered_to = models.CharField(max_length=300, blank=True)

    class Meta:
        verbose_name = "arkivkopi"
        verbose_name_plural = "arkivkopier"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return self.title
