"""The audit trail: append-only, survives what it describes.

No foreign keys: a row must outlive the person, unit or log it names, and
deleting those must never touch it. The database refuses UPDATE and DELETE
(see migrations/0002_append_only.py); the model refuses them too. Every row is a
link in a hash chain (chain.py), so a change made past both still shows.
"""

import uuid
from collections.abc import Collection, Iterable

from django.db import models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from stafett.audit import chain


class AppendOnlyError(Exception):
    pass


class AuditAction(models.TextChoices):
    """Every kind of row in the audit trail. The values are stored (old rows keep them), so
    they never change; the labels are what a parent reads in «Hvem har sett loggen»."""

    # The log
    LOG_VIEWED = "log.viewed", _("Så loggen")
    LOG_OPENED = "log.opened", _("Opprettet loggen")
    LOG_OVERVIEW_CHANGED = "log.overview_changed", _("Endret oversikten")
    LOG_PHOTO_CHANGED = "log.photo_changed", _("Endret bildet i loggen")
    LOG_CLOSED = "log.closed", _("Avsluttet loggen")
    LOG_REOPENED = "log.reopened", _("Åpnet loggen igjen")
    LOG_CONTENT_DELETED = "log.content_deleted", _("Slettet innholdet i loggen")
    LOG_SHIELDED_FROM_GUARDIANS = "log.shielded_from_guardians", _("Skjermet loggen for de foresatte")
    LOG_BECAME_INDIVIDUAL_PLAN = "log.became_individual_plan", _("Gjorde loggen om til individuell plan")
    IP_OWN_GOALS_UPDATED = "ip.own_goals_updated", _("Endret «mine egne mål» i den individuelle planen")
    IP_DECISION_ADDED = "ip.decision_added", _("La til et vedtak i den individuelle planen")
    # Consent
    CONSENT_RECORDED = "consent.recorded", _("Registrerte samtykke")
    CONSENT_WITHDRAWN = "consent.withdrawn", _("Trakk tilbake samtykket")
    CONSENT_REQUESTED = "consent.requested", _("Ba om samtykke digitalt")
    CONSENT_APPROVED = "consent.approved", _("Ga samtykke digitalt")
    CONSENT_DECLINED = "consent.declined", _("Sa nei til å gi samtykke")
    # Who works in the log
    PARTICIPANT_ADDED = "participant.added", _("La til deltaker")
    PARTICIPANT_REMOVED = "participant.removed", _("Fjernet deltaker")
    PARTICIPANT_LOST_ACCESS = (
        "participant.lost_access",
        _("Deltaker mistet tilgang fordi samtykket ikke lenger gjelder tjenesten"),
    )
    # Issue 15 §4: the family approves each new participant.
    PARTICIPANT_APPROVAL_REQUESTED = "participant.approval_requested", _("Ba de foresatte godkjenne ny deltaker")
    PARTICIPANT_APPROVED = "participant.approved", _("Godkjente ny deltaker")
    PARTICIPANT_DECLINED = "participant.declined", _("Sa nei til ny deltaker")
    PARTICIPANT_APPROVED_ON_PAPER = (
        "participant.approved_on_paper",
        _("Registrerte godkjenning av ny deltaker på papir"),
    )
    PARTICIPANT_FAMILY_TOLD = "participant.family_told", _("Ga de foresatte beskjed om ny deltaker")
    HANDOVER_PROPOSED = "handover.proposed", _("Foreslo ny stafettholder")
    HANDOVER_ACCEPTED = "handover.accepted", _("Sa ja til å bli ny stafettholder")
    HANDOVER_DECLINED = "handover.declined", _("Sa nei til å bli ny stafettholder")
    HANDOVER_WITHDRAWN = "handover.withdrawn", _("Forslaget om ny stafettholder ble trukket tilbake")
    FORMER_HOLDER_ENDED = "former_holder.ended", _("Tok bort lesetilgangen til en tidligere stafettholder")
    # Issue 15 §7: families without BankID
    ASSISTED_REGISTERED = "assisted.registered", _("Registrerte at en foresatt er med uten elektronisk ID")
    ASSISTED_PHONE_VERIFIED = (
        "assisted.phone_verified",
        _("Kontrollerte mobilnummeret til en foresatt ansikt til ansikt"),
    )
    ASSISTED_ENDED = "assisted.ended", _("Avsluttet ordningen for en foresatt uten elektronisk ID")
    ASSISTED_PRINTED = "assisted.printed", _("Skrev ut loggen til en foresatt uten elektronisk ID")
    ASSISTED_CODE_SENT = "assisted.code_sent", _("Sendte engangskode på SMS til en foresatt")
    ASSISTED_CODE_USED = "assisted.code_used", _("Åpnet loggen med engangskode")
    ASSISTED_CODE_REFUSED = "assisted.code_refused", _("Fikk ikke åpne loggen med engangskoden")
    # The plan
    GOAL_ADDED = "goal.added", _("La til mål")
    GOAL_CHANGED = "goal.changed", _("Endret mål")
    MEASURE_ADDED = "measure.added", _("La til tiltak")
    MEASURE_CHANGED = "measure.changed", _("Endret tiltak")
    MEASURE_EVALUATED = "measure.evaluated", _("Evaluerte tiltak")
    MEETING_SCHEDULED = "meeting.scheduled", _("Kalte inn til møte")
    MEETING_MINUTES_WRITTEN = "meeting.minutes_written", _("Skrev referat")
    MEETING_CHANGED = "meeting.changed", _("Endret eller flyttet et møte")
    MEETING_CANCELLED = "meeting.cancelled", _("Avlyste et møte")
    MEASURE_EVALUATION_DATES_SET = (
        "measure.evaluation_dates_set",
        _("Satte evalueringsdatoen for tiltak til møtedatoen"),
    )
    MESSAGE_POSTED = "message.posted", _("Skrev melding")
    COMMENT_POSTED = "comment.posted", _("Kommenterte tiltak")
    # Moving to a new school
    TRANSITION_STARTED = "transition.started", _("Startet overgangen til ny skole")
    TRANSITION_SCHOOL_NOTIFIED = "transition.school_notified", _("Varslet den nye skolen")
    TRANSITION_CONTACT_TEACHER_ADDED = "transition.contact_teacher_added", _("La til kontaktlærer")
    # The BTI guide
    GUIDE_STARTED = "guide.started", _("Startet et nivå i BTI-veilederen")
    GUIDE_DECISION = "guide.decision", _("Registrerte en beslutning i BTI-veilederen")
    GUIDE_TIMELINE_CHANGED = "guide.timeline_changed", _("Registrerte datoer for barneverntjenestens frister")
    GUIDE_FACTORS_CHANGED = "guide.factors_changed", _("Skrev analysen av opprettholdende faktorer")
    GUIDE_STEP_CHANGED = "guide.step_changed", _("Endret teksten i et steg i BTI-veilederen")
    # Level 0: the undring (the trail never holds what a note says)
    NOTE_CREATED = "undring.created", _("Skrev en ny undring")
    NOTE_CHANGED = "undring.changed", _("Endret en undring")
    NOTE_TALK_RECORDED = "undring.talk_recorded", _("Skrev ned undringssamtalen")
    NOTE_CLARIFIED = "undring.clarified", _("Beskrev bekymringen i en undring")
    NOTE_CLOSED = "undring.closed", _("Avsluttet en undring")
    DISCUSSION_RECORDED = "discussion.recorded", _("Registrerte en anonym drøfting med ressursteamet")
    # Families ask for a log (seeds/001 §1); the request is not a log
    LOG_REQUEST_CREATED = "log_request.created", _("Ba et tjenestested vurdere stafettlogg")
    LOG_REQUEST_VIEWED = "log_request.viewed", _("Leste en forespørsel om stafettlogg")
    LOG_REQUEST_ANSWERED = "log_request.answered", _("Svarte på en forespørsel om stafettlogg")
    # Templates
    TEMPLATE_CHANGED = "template.changed", _("Endret en mal for logger")
    # People, staff lists and guardians
    PERSON_REGISTERED = "person.registered", _("Registrerte en person")
    GUARDIAN_ADDED = "guardian.added", _("Registrerte en foresatt")
    GUARDIAN_REMOVED = "guardian.removed", _("Fjernet en foresatt")
    GUARDIAN_LINKED_TO_LOG = "guardian.linked", _("En ny foresatt ble registrert for barnet")
    STAFF_ADDED = "staff.added", _("La til en ansatt")
    STAFF_ENDED = "staff.ended", _("Tok en ansatt av ansattlisten")
    LANGUAGE_CHOSEN = "person.language", _("Valgte språk")
    # Municipalities and units (the admin)
    MUNICIPALITY_CREATED = "municipality.created", _("Opprettet en kommune")
    MUNICIPALITY_CHANGED = "municipality.changed", _("Endret en kommune")
    MUNICIPALITY_DELETED = "municipality.deleted", _("Slettet en kommune")
    UNIT_CREATED = "unit.created", _("Opprettet et tjenestested")
    UNIT_CHANGED = "unit.changed", _("Endret et tjenestested")
    UNIT_DELETED = "unit.deleted", _("Slettet et tjenestested")
    # Operations (management commands)
    FIELD_KEY_ROTATED = "field_key.rotated", _("Krypterte fødselsnumrene på nytt med den nyeste nøkkelen")
    # Signing in
    LOGIN = "login", _("Logget inn")
    LOGOUT = "logout", _("Logget ut")
    LOGIN_REFUSED = "login.refused", _("Fikk ikke logge inn")
    # Too many tries in a short time (audit/ratelimit.py)
    RATE_LIMITED = "rate_limited", _("Ble stanset etter for mange forsøk på kort tid")
    # Calendar feeds (issue 11 §4, followup/calendar_feed.py): one row per fetch, not per log
    CALENDAR_FEED_CREATED = "calendar_feed.created", _("Lagde en kalenderadresse")
    CALENDAR_FEED_REVOKED = "calendar_feed.revoked", _("Trakk tilbake en kalenderadresse")
    CALENDAR_FEED_READ = "calendar_feed.read", _("Kalenderen hentet møter og frister")
    # The API (issue 11): keys, registered systems, and every call
    API_TOKEN_CREATED = "api.token_created", _("Lagde en personlig API-nøkkel")
    API_TOKEN_REVOKED = "api.token_revoked", _("Trakk tilbake en personlig API-nøkkel")
    SYSTEM_CLIENT_REGISTERED = "api.system_registered", _("Registrerte et system som bruker API-et")
    SYSTEM_CLIENT_REVOKED = "api.system_revoked", _("Trakk tilbake et systems tilgang til API-et")
    API_CALLED = "api.called", _("Brukte API-et")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: object) -> int:
        raise AppendOnlyError("Revisjonsloggen kan ikke endres.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Revisjonsloggen kan ikke slettes.")

    def bulk_create(
        self,
        objs: Iterable["AuditEvent"],
        batch_size: int | None = None,
        ignore_conflicts: bool = False,
        update_conflicts: bool = False,
        update_fields: Collection[str] | None = None,
        unique_fields: Collection[str] | None = None,
    ) -> list["AuditEvent"]:
        """Many rows at once (the benchmark's builder), chained in list order like save()."""
        rows = list(objs)
        if ignore_conflicts or update_conflicts or any(row.pk is not None for row in rows):
            raise AppendOnlyError("Revisjonsloggen tar bare imot nye rader, i kjedens rekkefølge.")
        if not rows:
            return rows
        with transaction.atomic(using=self.db):
            chain.seal(rows, using=self.db)
            return super().bulk_create(rows, batch_size=batch_size)

    def about(self, obj: models.Model) -> "AuditEventQuerySet":
        return self.filter(object_type=obj._meta.label_lower, object_code=str(getattr(obj, "code", obj.pk)))


class AuditEvent(models.Model):
    # Set before the insert (not auto_now_add, which stamps during it): the hash covers it.
    at = models.DateTimeField(_("tidspunkt"), default=timezone.now, editable=False, db_index=True)
    actor_code = models.UUIDField(_("utført av (kode)"), null=True)
    # The actor's name at the time: names change and persons get deleted.
    actor_name = models.CharField(_("utført av"), max_length=210)
    action = models.CharField(_("handling"), max_length=60, db_index=True)
    object_type = models.CharField(_("objekttype"), max_length=60)
    object_code = models.CharField(_("objekt"), max_length=64, db_index=True)
    # Lets later issues find all events about one log, whatever the object.
    scope_code = models.UUIDField(_("gjelder"), null=True, db_index=True, default=None)
    ip = models.GenericIPAddressField(_("IP-adresse"), null=True)
    details = models.JSONField(_("detaljer"), default=dict)
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The hash chain (chain.py): place in the chain, the previous row's hash, this row's hash.
    seq = models.BigIntegerField(_("nummer i kjeden"), unique=True, editable=False)
    prev_hash = models.CharField(_("forrige hash"), max_length=64, editable=False)
    hash = models.CharField(_("hash"), max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("revisjonshendelse")
        verbose_name_plural = _("revisjonslogg")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name}: {self.action}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise AppendOnlyError("Revisjonsloggen kan ikke endres.")
        using = str(kwargs.get("using") or router.db_for_write(type(self), instance=self))
        with transaction.atomic(using=using):
            chain.seal([self], using=using)
            super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("Revisjonsloggen kan ikke slettes.")

    @property
    def action_label(self) -> str:
        """Plain Norwegian for guardians reading "who has seen the log"."""
        try:
            label = str(AuditAction(self.action).label)
        except ValueError:  # a key from before AuditAction, kept as it was written
            label = self.action
        side = self.details.get("side") if isinstance(self.details, dict) else None
        # The log page itself (record_view's default side "log") is just «Så loggen».
        return f"{label} ({side})" if side and side != "log" else label
