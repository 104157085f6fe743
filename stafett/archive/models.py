"""Archive copies: a PDF/A printout of a log at each moment the law asks for one
(seeds/004 Arkivering), held in an outbox until the archive has it.

No foreign key to the log: a copy must outlive the log's deletion on demand
(Archives Act; seeds/003 5.5).
"""

import uuid

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from stafett.lib.field_crypto import EncryptedTextField
from stafett.people.models import Municipality

SUBJECT_NATIONAL_ID_PURPOSE = "archive.archivecopy.subject_national_id"


class ArchiveEvent(models.TextChoices):
    SERVICE_CHANGE = "tjenestebytte", _("Bytte av tjeneste")
    HOLDER_CHANGE = "stafettholderbytte", _("Bytte av stafettholder")
    CONSENT_WITHDRAWN = "samtykke_trukket", _("Samtykke trukket")
    CLOSED = "avsluttet", _("Loggen avsluttet")
    MEETING = "mote", _("Etter møte")
    YEARLY = "aarlig", _("Årlig arkivering (enkeltvedtak)")
    DELETION = "sletting", _("Før sletting")
    INDIVIDUAL_PLAN = "individuell_plan", _("Loggen ble individuell plan")


class DeliveryStatus(models.TextChoices):
    PENDING = "venter", _("Venter")
    DELIVERED = "levert", _("Levert")
    # Fiks Arkiv (archive/fiks_arkiv.py): sent, and the archive's receipt not read yet.
    SENT = "sendt", _("Sendt, venter på kvittering")
    ARCHIVED = "arkivert", _("Arkivert (kvittering fra arkivet)")
    FAILED = "feilet", _("Feilet")


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
    # Whose archive settings apply (archive/settings.py); SET_NULL: the copy outlives a merger.
    municipality = models.ForeignKey(Municipality, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # Fiks Arkiv: sent at, when a missing receipt is sent again, and what the archive answered.
    sent_at = models.DateTimeField(null=True, blank=True)
    receipt_due_at = models.DateTimeField(null=True, blank=True)
    archived_at = models.DateTimeField(null=True, blank=True)
    archive_reference = models.CharField(_("arkivets referanse"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("arkivkopi")
        verbose_name_plural = _("arkivkopier")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return self.title


DEFAULT_ACCESS_RESTRICTION = "13"
DEFAULT_SCREENING_AUTHORITY = "Offl. § 13, jf. fvl. § 13"


class ArchiveSettings(models.Model):
    """How one municipality's archive files Stafett's copies (Fiks Arkiv, archive/arkivmelding.py).
    Edited by the system administrator with the municipality (Django admin, people/admin.py);
    a municipality without a row gets the defaults. The archive decides in the end."""

    municipality = models.OneToOneField(Municipality, on_delete=models.CASCADE, related_name="archive_settings")
    child_class_system = models.CharField(
        _("klassifikasjonssystem for barnet"),
        max_length=40,
        default="FNR",
        blank=True,
        help_text=_("Klassen er barnets fødselsnummer eller D-nummer (skjermet). Tomt: ingen klasse for barnet."),
    )
    topic_class_system = models.CharField(
        _("klassifikasjonssystem for saksområdet"), max_length=40, blank=True, help_text=_("For eksempel KK (K-koder).")
    )
    topic_class_id = models.CharField(
        _("klasse for BTI/stafettlogg"), max_length=40, blank=True, help_text=_("Arkivets klasse. Tomt: ingen klasse.")
    )
    topic_class_title = models.CharField(
        _("klassens tittel"), max_length=120, blank=True, default="Bedre tverrfaglig innsats (BTI)"
    )
    access_restriction = models.CharField(
        _("tilgangsrestriksjon"),
        max_length=10,
        default=DEFAULT_ACCESS_RESTRICTION,
        help_text=_("Kode, for eksempel 13."),
    )
    screening_authority = models.CharField(_("skjermingshjemmel"), max_length=120, default=DEFAULT_SCREENING_AUTHORITY)
    archive_part = models.CharField(
        _("arkivdel"),
        max_length=40,
        blank=True,
        help_text=_("Arkivdelen journalposten legges i. Tomt: arkivet velger."),
    )
    record_type = models.CharField(
        _("journalposttype"), max_length=4, default="X", help_text=_("X: organinternt dokument uten oppfølging.")
    )
    fiks_receiver_account = models.CharField(
        _("arkivets Fiks IO-konto"),
        max_length=36,
        blank=True,
        help_text=_("Konto-ID (UUID) arkivet tar imot arkivmeldinger på. Trengs bare for Fiks IO."),
    )

    class Meta:
        verbose_name = _("arkivinnstillinger")
        verbose_name_plural = _("arkivinnstillinger")

    def __str__(self) -> str:
        return gettext("Arkivinnstillinger for %(municipality)s") % {"municipality": self.municipality}
