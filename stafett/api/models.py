"""Credentials for the API: a person's read-only tokens and the systems a system administrator
registers. Only a SHA-256 hash of each secret is kept; the secret itself is shown once."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from stafett.people.models import Municipality, Person, Unit


class PersonalToken(models.Model):
    """«API-nøkkel»: a person reads what they may read on the pages, from a script or an app."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("navn"), max_length=80)
    key_id = models.CharField(max_length=16, unique=True, editable=False)  # the public part, in the token
    secret_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("personlig API-nøkkel")
        verbose_name_plural = _("personlige API-nøkler")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.name


class SystemScope(models.TextChoices):
    """What a registered system may ask for. None of them reaches the content of a log."""

    PRESENCE = "logs.presence", _("Hvilke barn ved tjenestestedet som har en aktiv stafettlogg (uten innhold)")
    EVENTS = "events", _("Hendelser: logg opprettet, avsluttet, nytt nivå, ny stafettholder (uten innhold)")
    STATISTICS = "statistics", _("Kommunens samlede tall, med små tall skjult som på statistikksiden")


class SystemClient(models.Model):
    """A unit's record system, the archive, a municipality's data warehouse."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("navn"), max_length=120)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="system_clients", verbose_name=_("kommune")
    )
    # Empty: the system serves the whole municipality (every unit in it, and shared ones serving it).
    units = models.ManyToManyField(Unit, blank=True, related_name="system_clients", verbose_name=_("tjenestesteder"))
    scopes = models.JSONField(_("tilganger"), default=list)
    key_id = models.CharField(max_length=16, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    registered_by_name = models.CharField(max_length=210)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("registrert system")
        verbose_name_plural = _("registrerte systemer")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def full_name(self) -> str:
        """How the system is named in the audit trail (audit.record takes an actor's full_name)."""
        return f"System: {self.name}"

    @property
    def is_authenticated(self) -> bool:
        return self.revoked_at is None
