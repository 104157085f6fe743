"""Families without BankID (issue 15 §7): a guardian who takes part without electronic ID, and
the one-time codes that let them read their own view of the log for a short while.

Who may read what is decided in stafett/access.py (the ASSISTED_GUARDIAN relation derives
from an AssistedGuardian row that has not ended); this module only stores.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stafett.people.models import Person

REASON_LENGTH = 300


class AssistedGuardian(models.Model):
    """The holder's record that a guardian takes part without electronic ID, and why."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    log = models.ForeignKey("logs.RelayLog", on_delete=models.CASCADE, related_name="assisted_guardians")
    guardian = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("foresatt"))
    reason = models.CharField(_("hvorfor uten elektronisk ID"), max_length=REASON_LENGTH)
    registered_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(default=timezone.now, editable=False)
    # A code goes only to a number the holder has checked with the guardian in person.
    phone = models.CharField(_("mobilnummer kontrollert ansikt til ansikt"), max_length=20, blank=True)
    phone_verified_by = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    phone_verified_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("foresatt uten elektronisk ID")
        verbose_name_plural = _("foresatte uten elektronisk ID")
        constraints = [
            models.UniqueConstraint(
                fields=["log", "guardian"],
                condition=Q(ended_at__isnull=True),
                name="assisted_guardian_once_per_log",
                violation_error_message=_("Den foresatte er allerede registrert uten elektronisk ID i denne loggen."),
            ),
            models.CheckConstraint(
                condition=Q(phone="") | Q(phone_verified_at__isnull=False, phone_verified_by__isnull=False),
                name="assisted_guardian_phone_is_verified",
                violation_error_message=_("Mobilnummeret må være kontrollert ansikt til ansikt."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guardian} uten elektronisk ID"


class AssistedCode(models.Model):
    """A one-time code sent by SMS. Only its keyed hash is stored; it opens one session, once,
    before `expires_at`, and that session ends at `session_ends_at`."""

    registration = models.ForeignKey(AssistedGuardian, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(max_length=64, unique=True)
    sent_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # The session the code opened is known by the hash of a random token kept in that session.
    session_hash = models.CharField(max_length=64, blank=True)
    session_ends_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("engangskode")
        verbose_name_plural = _("engangskoder")

    def __str__(self) -> str:
        return f"Engangskode {self.created_at:%Y-%m-%d %H:%M}"
