"""The outbox: every notification is a row written by the action that causes it, in the
same transaction, and delivered by the worker (STYLE: the database is the outbox).
A notification never carries sensitive content — only that there is news, and a link."""

import hashlib
import secrets
import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from stafett.lib.field_crypto import EncryptedTextField
from stafett.people.models import Person

SECRET_PURPOSE = "notify.notification.secret"


class Channel(models.TextChoices):
    EMAIL = "epost", _("E-post")
    SMS = "sms", _("SMS")


class Kind(models.TextChoices):
    NEW_MESSAGE = "melding", _("Ny melding")
    COMMENT = "kommentar", _("Ny kommentar")
    CALENDAR = "kalender", _("Nytt i kalenderen")
    CONSENT_REQUEST = "samtykke_forespurt", _("Samtykke venter på deg")
    HANDOVER_REQUEST = "stafettholder_forespurt", _("Spørsmål om å bli stafettholder")
    CONSENT_WITHDRAWN = "samtykke_trukket", _("Samtykket er trukket")
    SCHOOL_NOTIFIED = "skole_varslet", _("Barn som skal begynne på skolen")
    DEADLINE_SOON = "frist_snart", _("Frist nærmer seg")
    DEADLINE_PASSED = "frist_passert", _("Frist er passert")
    EVALUATION_SOON = "evaluering_snart", _("Evaluering nærmer seg")
    EVALUATION_PASSED = "evaluering_passert", _("Evaluering er forsinket")
    # After an outage a «before» reminder that comes on the day itself says so (issue 14 §4).
    DEADLINE_TODAY = "frist_i_dag", _("Frist i dag")
    EVALUATION_TODAY = "evaluering_i_dag", _("Evaluering i dag")
    CONSENT_EXPIRING = "samtykke_utloper", _("Samtykket går snart ut")
    CONSENT_EXPIRED = "samtykke_utlopt", _("Samtykket har gått ut")
    HANDOVER_PENDING = "overforing_venter", _("Ny stafettholder har ikke svart")
    NO_MEETING = "ingen_mote", _("Lenge siden siste møte")
    NO_MEETING_PLANNED = "ingen_mote_avtalt", _("Lenge siden siste møte, et møte er avtalt")
    HOLDER_LEFT = "holder_sluttet", _("Stafettholderen har sluttet")
    TRANSITION_STEP = "overgang_steg", _("Steg i overgangen forfaller")
    QUARTERLY_SUMMARY = "kvartal", _("Kvartalsoversikt")
    UNDRING_OPEN = "undring_apen", _("Undring står åpen")
    ACCESS_ENDED = "tilgang_endret", _("Noen har mistet tilgangen til en logg")
    STAFF_LEADER_ADDED = "ny_leder", _("Ny leder ved tjenestestedet")
    GUARDIAN_LINKED = "ny_foresatt", _("Ny foresatt registrert")
    AUDIT_BROKEN = "revisjon_brutt", _("Revisjonsloggen er endret")
    BULK_READ = "mange_lesinger", _("Noen har lest mange logger på kort tid")
    MEASURE_ORPHANED = "ny_ansvarlig", _("Tiltak trenger ny ansvarlig")
    HANDOVER_PROPOSED = "overforing_foreslatt", _("Ny stafettholder er foreslått")
    MEETING_CHANGED = "mote_endret", _("Et møte er endret eller avlyst")
    ARCHIVE_LATE = "arkiv_forsinket", _("Årlig arkivkopi ble laget for sent")
    LOG_REQUESTED = "logg_forespurt", _("En familie ber om stafettlogg")
    LOG_REQUEST_ANSWERED = "foresporsel_besvart", _("Svar på forespørselen om stafettlogg")
    PARTICIPANT_TO_APPROVE = "deltaker_godkjenn", _("Ny deltaker venter på godkjenning")
    PARTICIPANT_ADDED = "deltaker_lagt_til", _("Ny deltaker i loggen")
    PARTICIPANT_DECLINED = "deltaker_avslatt", _("De foresatte sa nei til en ny deltaker")
    BECAME_INDIVIDUAL_PLAN = "ble_ip", _("Loggen er blitt individuell plan")
    ARCHIVE_UNANSWERED = "arkiv_ukvittert", _("En arkivkopi er ikke arkivert")
    ASSISTED_CODE = "engangskode", _("Engangskode for å lese loggen uten elektronisk ID")


class Whose(models.TextChoices):
    """Whose item a stand-in is told about (issue 14 §1): a role, never a name."""

    GUARDIAN = "foresatt", _("en foresatt")
    CHILD = "barnet", _("barnet eller ungdommen selv")
    PARTICIPANT = "deltaker", _("en deltaker")
    HOLDER = "stafettholder", _("stafettholderen")


class Unreachable(models.TextChoices):
    """Why the one it concerns was not told, completing «…, som …»."""

    NO_CHANNEL = "ingen_kanal", _("ikke har e-post eller mobilnummer i Stafett")
    CHANNEL_FAILED = "kanal_feilet", _("ikke får varslene fram (de siste feilet)")
    NO_ACCESS = "uten_tilgang", _("ikke har tilgang til loggen nå")


class Status(models.TextChoices):
    PENDING = "venter", _("Venter")
    SENT = "sendt", _("Sendt")
    FAILED = "feilet", _("Feilet")
    CANCELLED = "stanset", _("Stanset")


class Notification(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, related_name="notifications")
    address = models.CharField(max_length=254)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    path = models.CharField(max_length=300, help_text="Link inside Stafett, e.g. /logg/<code>/")
    # The same reminder is sent once, not every day: the daily job gives it a key.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True)
    # Told in someone else's place (issue 14 §1): whose item it is and why they were not told.
    stands_in_for = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    whose = models.CharField(max_length=16, choices=Whose.choices, blank=True)
    unreachable = models.CharField(max_length=16, choices=Unreachable.choices, blank=True)
    # Issue 15 §7: a one-time code the SMS must carry — sealed (lib/field_crypto.py) while it
    # waits, and emptied once it is sent or given up; the code itself is only hashed elsewhere.
    secret = EncryptedTextField(purpose=SECRET_PURPOSE, null=True, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key", "channel"], condition=Q(dedupe_key__isnull=False), name="notification_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.address}"


class Preferences(models.Model):
    """What a person wants to hear about, and how. Participants choose per log too (Participant.notify_*)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="notification_preferences")
    new_message = models.BooleanField(_("varsel om ny melding"), default=True)
    calendar = models.BooleanField(_("varsel om kalenderoppføring"), default=True)
    comment = models.BooleanField(_("varsel om kommentar"), default=False)
    by_email = models.BooleanField(_("på e-post"), default=True)
    by_sms = models.BooleanField(_("på SMS"), default=False)

    def __str__(self) -> str:
        return gettext("Varsler for %(person)s") % {"person": self.person}


class CalendarFeed(models.Model):
    """A person's private iCalendar subscription (followup/calendar_feed.py). The URL holds only a
    random token; we keep its SHA-256, so a copy of the database does not give the feed away.
    Revoked feeds stay (revoked_at) so the page can say when; their token answers 404."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("kalenderabonnement")
        verbose_name_plural = _("kalenderabonnementer")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(revoked_at__isnull=True), name="one_active_calendar_feed"
            )
        ]

    def __str__(self) -> str:
        return gettext("Kalenderabonnement for %(person)s") % {"person": self.person}

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def hash_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
