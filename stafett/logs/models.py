"""The stafettlogg: the consent-based plan and log around one child (SPEC §3–§6).

Versioned rows (`version`) refuse a save based on stale data: two people
editing the same item — the later save is refused, nothing is overwritten.
"""

import uuid
from datetime import date
from typing import Any

from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from stafett.people.models import Person, ServiceType, Unit


class LogStatus(models.TextChoices):
    AWAITING_CONSENT = "venter", _("Venter på samtykke")
    ACTIVE = "aktiv", _("Aktiv")
    PASSIVE = "passiv", _("Passiv (samtykke trukket)")
    CLOSED = "avsluttet", _("Avsluttet")


class CloseReason(models.TextChoices):
    # SPEC §6 Close.
    GOALS_MET = "maal_naadd", _("Målene er nådd")
    REPLACED_BY_IP = "erstattet_ip", _("Erstattet av individuell plan (IP)")
    CONSENT_WITHDRAWN = "samtykke_trukket", _("Samtykket er trukket tilbake")
    DELETION = "sletting", _("Krav om sletting")


class LogKind(models.TextChoices):
    # seeds/003: «Behovet vurderes som sammensatt og langvarig, det opprettes Individuell Plan» —
    # the log becomes the plan in place and keeps its history (issue 15 §6).
    RELAY_LOG = "stafettlogg", _("Stafettlogg")
    INDIVIDUAL_PLAN = "individuell_plan", _("Individuell plan")


class Level(models.IntegerChoices):
    ONE = 1, _("Nivå 1 – innen én tjeneste")
    TWO = 2, _("Nivå 2 – tverrfaglig")
    THREE = 3, _("Nivå 3 – barnevern / sammensatt")


class NeedExtent(models.IntegerChoices):
    # SPEC §5: extent of need on a three-step scale.
    SMALL = 1, _("Lite behov")
    MODERATE = 2, _("Middels behov")
    LARGE = 3, _("Stort behov")


class ChallengeCategory(models.TextChoices):
    # seeds/004 "Konkretisering av bekymring".
    MOTORIKK = "motorikk", _("Motorikk")
    SPRAK = "sprak", _("Språk")
    FAGVANSKER = "fagvansker", _("Fagvansker")
    SOSIALE = "sosiale", _("Sosiale forhold")
    KONSENTRASJON = "konsentrasjon", _("Konsentrasjon/oppmerksomhet")
    HJEMME = "hjemme", _("Hjemmeforhold")
    TRIVSEL = "trivsel", _("Trivsel")
    TJENESTEN = "tjenesten", _("Forhold ved tjenesten")
    ANNET = "annet", _("Annet")


class Arena(models.TextChoices):
    # seeds/003 5.3: goals per arena.
    HOME = "hjem", _("Hjem og fritid")
    SERVICE = "barnehage_skole", _("Barnehage/skole")
    OTHER = "andre", _("Andre samarbeidspartnere")


class MeasureCategory(models.TextChoices):
    SPRAK = "sprak", _("Språk og kommunikasjon")
    SOSIAL = "sosial", _("Sosial kompetanse og vennskap")
    LAERING = "laering", _("Læring og mestring")
    MOTORIKK = "motorikk", _("Motorikk og fysisk aktivitet")
    HELSE = "helse", _("Helse og søvn")
    FAMILIE = "familie", _("Foreldrestøtte og hjem")
    FRITID = "fritid", _("Fritid og deltakelse")
    TILRETTELEGGING = "tilrettelegging", _("Tilrettelegging i barnehage/skole")
    ANNET = "annet", _("Annet")


class ResponsibleKind(models.TextChoices):
    PARTICIPANT = "deltaker", _("Deltaker")
    GUARDIAN = "foresatt", _("Foresatt")
    CHILD = "barnet", _("Barnet/ungdommen selv")


class Decision(models.TextChoices):
    CONTINUE = "fortsette", _("Fortsette")
    ADJUST = "justere", _("Justere")
    STOP = "avslutte", _("Avslutte")


TEXT_SHORT = 300
TEXT_MEDIUM = 1000
TEXT_LONG = 2000


class LogTemplate(models.Model):
    """Plan elements pre-filled per service (barnehage, skole, helsestasjon …); kept by superusers."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service_type = models.CharField(_("tjeneste"), max_length=20, choices=ServiceType.choices, unique=True)
    about_me_heading = models.CharField(_("overskrift for «Meg som …»"), max_length=100)
    about_me_prompt = models.TextField(_("hjelpetekst for styrker og utfordringer"), max_length=TEXT_MEDIUM)
    meeting_agenda = models.TextField(_("dagsorden for møter"), max_length=TEXT_LONG)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("mal")
        verbose_name_plural = _("maler")

    def __str__(self) -> str:
        return self.get_service_type_display()


class RelayLog(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subject = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="relay_logs", verbose_name=_("gjelder"))
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="relay_logs", verbose_name=_("tjenestested"))
    holder = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="held_logs", verbose_name=_("stafettholder")
    )
    template = models.ForeignKey(LogTemplate, on_delete=models.PROTECT, null=True, blank=True)
    status = models.CharField(max_length=12, choices=LogStatus.choices, default=LogStatus.ACTIVE)
    level = models.PositiveSmallIntegerField(_("nivå"), choices=Level.choices, default=Level.ONE)
    interpreter_needed = models.BooleanField(_("behov for tolk"), default=False)
    interpreter_language = models.CharField(_("språk for tolk"), max_length=60, blank=True)
    presentation = models.TextField(_("presentasjon"), max_length=TEXT_MEDIUM, blank=True)
    photo = models.FileField(_("bilde"), upload_to="photos/%Y/", blank=True)
    initiator_text = models.TextField(_("initiativ og bekymring"), max_length=TEXT_MEDIUM, blank=True)
    initiated_by = models.CharField(_("hvem tok initiativet"), max_length=120, blank=True)
    strengths = models.TextField(_("styrker"), max_length=TEXT_MEDIUM, blank=True)
    challenges = models.TextField(_("utfordringer"), max_length=TEXT_MEDIUM, blank=True)
    challenge_categories = models.JSONField(_("utfordringer (kategorier)"), default=list, blank=True)
    need_extent = models.PositiveSmallIntegerField(
        _("omfang av behov"), choices=NeedExtent.choices, null=True, blank=True
    )
    # seeds/004 Arkivering: children with an individual decision are archived yearly.
    has_individual_decision = models.BooleanField(_("barnet har enkeltvedtak"), default=False)
    closed_reason = models.CharField(_("årsak til avslutning"), max_length=20, choices=CloseReason.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    content_deleted_at = models.DateTimeField(null=True, blank=True)
    # SPEC §7: suspected violence or abuse — from now on nothing in the log reaches the guardians.
    guardians_shielded_at = models.DateTimeField(_("skjermet for foresatte"), null=True, blank=True)
    # Individual plan (forskrift om habilitering, rehabilitering, individuell plan og koordinator):
    # the guardians' written consent to an IP, the day the log became one, and the person's own goals.
    kind = models.CharField(_("type"), max_length=20, choices=LogKind.choices, default=LogKind.RELAY_LOG)
    became_ip_on = models.DateField(_("ble individuell plan"), null=True, blank=True)
    ip_consent_on = models.DateField(_("foresatte samtykket skriftlig til IP"), null=True, blank=True)
    own_goals = models.TextField(_("mine egne mål"), max_length=TEXT_LONG, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("stafettlogg")
        verbose_name_plural = _("stafettlogger")
        indexes = [models.Index(fields=["holder", "status"]), models.Index(fields=["unit", "status"])]
        constraints = [
            # One active log per child: one holder, one plan (SPEC §1).
            models.UniqueConstraint(
                fields=["subject"],
                condition=Q(status__in=["aktiv", "venter"]),
                name="one_active_log_per_subject",
                # Said without revealing more than needed: guardians know whether there is a log.
                violation_error_message=_(
                    "Det kan ikke opprettes en ny stafettlogg for dette barnet nå. Snakk med de foresatte: "
                    "de vet om barnet allerede har en stafettlogg og hvem som er stafettholder."
                ),
            ),
            # An individual plan has a day it began and the guardians' consent to it; a relay log has neither.
            models.CheckConstraint(
                condition=(
                    Q(kind="stafettlogg", became_ip_on__isnull=True, ip_consent_on__isnull=True)
                    | Q(kind="individuell_plan", became_ip_on__isnull=False, ip_consent_on__isnull=False)
                ),
                name="individual_plan_has_date_and_consent",
            ),
        ]

    def __str__(self) -> str:
        return f"Stafettlogg for {self.subject}"

    @property
    def is_active(self) -> bool:
        return self.status == LogStatus.ACTIVE

    @property
    def is_individual_plan(self) -> bool:
        return self.kind == LogKind.INDIVIDUAL_PLAN

    @property
    def holder_label(self) -> str:
        """In an individual plan the holder is the statutory koordinator (the relation is the same)."""
        return gettext("Koordinator") if self.is_individual_plan else gettext("Stafettholder")

    @property
    def holder_label_definite(self) -> str:
        """«stafettholderen» or «koordinatoren», inside a sentence."""
        return gettext("koordinatoren") if self.is_individual_plan else gettext("stafettholderen")

    @property
    def participants_label(self) -> str:
        return gettext("Ansvarsgruppe") if self.is_individual_plan else gettext("Deltakere")

    @property
    def participant_label(self) -> str:
        """One participant: «Deltaker», or in an individual plan «I ansvarsgruppen»."""
        return gettext("I ansvarsgruppen") if self.is_individual_plan else gettext("Deltaker")

    @property
    def passive_former_holders(self) -> list[Any]:
        """Issue 15 §8: old holders made passive at handover (they read the history only)."""
        return list(self.former_holders.filter(ended_at__isnull=True).select_related("person", "unit"))

    @property
    def coordinator_duties(self) -> tuple[str, ...]:
        return tuple(gettext(d) for d in COORDINATOR_DUTIES) if self.is_individual_plan else ()

    @property
    def challenge_labels(self) -> list[str]:
        return [str(ChallengeCategory(c).label) for c in self.challenge_categories if c in ChallengeCategory.values]


# The coordinator's duties (forskrift om habilitering, rehabilitering, individuell plan og
# koordinator; helse- og omsorgstjenesteloven § 7-2): shown to the coordinator as a fixed list.
COORDINATOR_DUTIES = (
    gettext_noop("Sørge for nødvendig oppfølging av barnet/ungdommen og familien."),
    gettext_noop("Sikre samordning av tjenestetilbudet rundt barnet/ungdommen."),
    gettext_noop("Sikre framdrift i arbeidet med den individuelle planen."),
    gettext_noop(
        "Sørge for at barnet/ungdommen og foresatte får delta i arbeidet, og at deres egne mål står i planen."
    ),
    gettext_noop("Kalle inn ansvarsgruppen, og sørge for at planen blir evaluert og oppdatert jevnlig."),
)


class PlanDecision(models.Model):
    """A decision (vedtak) the individual plan rests on: what was decided, and when."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    log = models.ForeignKey(RelayLog, on_delete=models.CASCADE, related_name="plan_decisions")
    text = models.CharField(_("vedtak"), max_length=TEXT_SHORT)
    decided_on = models.DateField(_("vedtaksdato"))
    recorded_by_name = models.CharField(max_length=210)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_on", "id"]
        verbose_name = _("vedtak")
        verbose_name_plural = _("vedtak")

    def __str__(self) -> str:
        return self.text


# The reason the app itself writes when a log is opened: stored in bokmål like what people write,
# shown in the reader's language (issue 10).
LOG_OPENED_REASON = gettext_noop("Loggen ble opprettet")


class LevelChange(models.Model):
    log = models.ForeignKey(RelayLog, on_delete=models.CASCADE, related_name="level_changes")
    level = models.PositiveSmallIntegerField(choices=Level.choices)
    reason = models.CharField(_("begrunnelse"), max_length=TEXT_SHORT, blank=True)
    changed_by_name = models.CharField(max_length=210)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"Nivå {self.level}"

    @property
    def reason_shown(self) -> str:
        return gettext(self.reason) if self.reason == LOG_OPENED_REASON else self.reason


def consent_upload_path(instance: "Consent", filename: str) -> str:
    # Never the child's name or number in a file name; the original name is not kept.
    return f"consents/{instance.code}{instance.document_extension}"


class ConsentQuerySet(models.QuerySet["Consent"]):
    """ "Valid consent" is written here once (STYLE: one definition, many uses)."""

    def valid_on(self, day: date) -> "ConsentQuerySet":
        return self.filter(withdrawn_at__isnull=True, valid_from__lte=day, valid_until__gte=day)

    def latest_first(self) -> "ConsentQuerySet":
        # The latest recorded consent replaces earlier ones: a renewal narrows as well as widens.
        return self.order_by("-created_at", "-id")

    def covering(self, service: Any) -> "ConsentQuerySet":
        """Consents whose services include `service` (a value or an expression such as OuterRef).
        `services` is a JSON list of fixed slugs; matching the quoted slug in its text is exact
        and works the same on SQLite and PostgreSQL."""
        quoted = Concat(Value('"'), service if hasattr(service, "resolve_expression") else Value(service), Value('"'))
        return self.annotate(_services_text=Cast("services", models.TextField())).filter(
            _services_text__contains=quoted
        )


class UnsignedReason(models.TextChoices):
    """Why a guardian with parental responsibility did not sign a paper consent (issue 15 §8)."""

    SOLE_RESPONSIBILITY = "eneansvar", _("Den som har signert, har foreldreansvaret alene")
    UNREACHABLE = "ikke_nadd", _("Den andre foresatte kan ikke nås")


def current_consent(log: "RelayLog", today: date | None = None) -> "Consent | None":
    """The consent that governs the log today: the latest recorded one that is valid."""
    return Consent.objects.filter(log=log).valid_on(today or timezone.localdate()).latest_first().first()


class Consent(models.Model):
    """Written consent from the guardians (and the youth by age): scope, limits, period (SPEC §4)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    log = models.ForeignKey(RelayLog, on_delete=models.CASCADE, related_name="consents")
    services = models.JSONField(_("tjenester som kan delta"), default=list)
    not_shared = models.TextField(_("dette skal ikke deles"), max_length=TEXT_MEDIUM, blank=True)
    valid_from = models.DateField(_("gyldig fra"), default=date.today)
    valid_until = models.DateField(_("gyldig til"))
    collected_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    collected_at_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    signatories = models.ManyToManyField(Person, related_name="consents_signed", verbose_name=_("signert av"))
    # A guardian with parental responsibility who did not sign: why, as the holder recorded it.
    unsigned_reason = models.CharField(
        "hvorfor ikke alle foresatte har signert", max_length=20, choices=UnsignedReason.choices, blank=True
    )
    unsigned_note = models.CharField(_("forklaring"), max_length=300, blank=True)
    # A scanned signed form, or — for digital consent — the approvals in `request`.
    document = models.FileField(_("signert samtykkeskjema"), upload_to=consent_upload_path, blank=True)
    request = models.OneToOneField(
        "ConsentRequest", on_delete=models.PROTECT, null=True, blank=True, related_name="consent"
    )
    document_extension = models.CharField(max_length=8, default=".pdf", blank=True)
    document_content_type = models.CharField(max_length=40, default="application/pdf", blank=True)
    # The highest level the guardians consented to: a move above it needs new consent (seeds/001 §6).
    level = models.PositiveSmallIntegerField(_("gjelder til og med nivå"), choices=Level.choices, default=Level.ONE)
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by_name = models.CharField(max_length=210, blank=True)
    withdrawal_on_paper = models.BooleanField(default=False)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")), name="consent_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"Samtykke til {self.valid_until:%d.%m.%Y}"

    @property
    def service_labels(self) -> list[str]:
        return [str(ServiceType(s).label) for s in self.services if s in ServiceType.values]

    def covers(self, service_type: str) -> bool:
        return service_type in self.services


class ParticipantApproval(models.TextChoices):
    """Issue 15 §4 (seeds/001 §6): the family approves each new participant before access."""

    NOT_NEEDED = "ikke_nodvendig", _("Ikke nødvendig")
    PENDING = "venter", _("Venter på de foresatte")
    APPROVED = "godkjent", _("Godkjent av de foresatte")
    DECLINED = "avslatt", _("Avslått av de foresatte")


def participant_approval_upload_path(instance: "Participant", filename: str) -> str:
    return f"participant-approvals/{instance.code}{instance.approval_document_extension}"


class Participant(models.Model):
    """A professional invited into the log from a unit (at most one per unit, seeds/001 §7)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    log = models.ForeignKey(RelayLog, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="participations")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    extra_reason = models.CharField(_("begrunnelse for flere fra samme sted"), max_length=TEXT_SHORT, blank=True)
    notify_message = models.BooleanField(_("varsel om ny melding"), default=True)
    notify_calendar = models.BooleanField(_("varsel om kalenderoppføring"), default=True)
    notify_comment = models.BooleanField(_("varsel om kommentar"), default=False)
    added_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    # Access waits for this (stafett.access._participant); a decline also sets removed_at.
    approval = models.CharField(
        "de foresattes godkjenning",
        max_length=16,
        choices=ParticipantApproval.choices,
        default=ParticipantApproval.NOT_NEEDED,
    )
    # A paper approval, scanned by the holder (issue 15 §4).
    approval_document = models.FileField(
        _("signert godkjenning"), upload_to=participant_approval_upload_path, blank=True
    )
    approval_document_extension = models.CharField(max_length=8, blank=True)
    approval_document_content_type = models.CharField(max_length=40, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["log", "person"],
                condition=Q(removed_at__isnull=True),
                name="participant_once_per_log",
                violation_error_message=_("Personen er allerede deltaker i loggen."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} ({self.unit})"


class Goal(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    log = models.ForeignKey(RelayLog, on_delete=models.CASCADE, related_name="goals")
    arena = models.CharField(_("arena"), max_length=20, choices=Arena.choices)
    text = models.CharField(_("mål"), max_length=TEXT_SHORT)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["arena", "created_at", "id"]

    def __str__(self) -> str:
        return self.text


class Measure(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    log = models.ForeignKey(RelayLog, on_delete=models.CASCADE, related_name="measures")
    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="measures")
    what = models.CharField(_("tiltak"), max_length=TEXT_SHORT)
    category = models.CharField(_("kategori"), max_length=20, choices=MeasureCategory.choices)
    responsible_kind = models.CharField(_("ansvarlig er"), max_length=12, choices=ResponsibleKind.choices)
    responsible = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="measures", verbose_name=_("ansvarlig")
    )
    deadline = models.DateField(_("frist"))
    evaluation_date = models.DateField(_("evalueres"))
    stopped_at = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["responsible", "evaluation_date"])]

    def __str__(self) -> str:
        return self.what


class Evaluation(models.Model):
    """seeds/004 Evalueringsskjema. The child and family have the last word on effect."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="evaluations")
    carried_out = models.BooleanField(_("er tiltaket gjennomført"))
    effect_child = models.TextField(_("effekt for barnet/ungdommen"), max_length=TEXT_MEDIUM, blank=True)
    effect_guardians = models.TextField(_("effekt for foresatte"), max_length=TEXT_MEDIUM, blank=True)
    effect_holder = models.TextField(_("effekt for stafettholder"), max_length=TEXT_MEDIUM, blank=True)
    effect_others = models.TextField(_("effekt for andre aktører"), max_length=TEXT_MEDIUM, blank=True)
    decision = models.CharField(_("vurdering"), max_length=12, choices=Decision.choices)
    new_measures_needed = models.TextField(_("behov for nye tiltak"), max_length=TEXT_MEDIUM, blank=True)
    closing_answer = models.TextField(_("kunne noe vært annerledes"), max_length=TEXT_MEDIUM, blank=True)
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    author_is_guardian = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Evaluering av {self.measure}"


GOOD_MEETINGS_AGENDA = """1. Forberedelse: formål, dagsorden og tidsramme er avklart med foresatte/ungdom.
2. Velkommen: kort om hvorfor vi møtes, og en presentasjonsrunde (navn og rolle).
3. Nåsituasjon: hva har fungert siden sist? Foresatte og barnet/ungdommen får snakke først.
4. Felles målsetning: hva skal vi jobbe videre med?
5. Valg av tiltak: hvem gjør hva, og når evaluerer vi?
6. Oppsummering: gjennomgå planen og konkrete avtaler.
7. Avslutning: kom vi i havn? Er det noe i dette møtet som kunne vært annerledes? Nytt møtetidspunkt."""


class ChildAttends(models.TextChoices):
    # seeds/000, seeds/003 4.5: whether the child takes part in the meeting is asked each time.
    YES = "ja", _("Ja")
    NO = "nei", _("Nei")
    PARTLY = "delvis", _("Delvis")


class Meeting(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    log = models.ForeignKey(RelayLog, on_delete=models.CASCADE, related_name="meetings")
    title = models.CharField(_("tittel"), max_length=120, default="Stafettmøte")
    starts_at = models.DateTimeField(_("tidspunkt"))
    duration_minutes = models.PositiveSmallIntegerField(_("varighet (minutter)"), default=60)
    place = models.CharField(_("sted"), max_length=200)
    agenda = models.TextField(_("dagsorden"), max_length=TEXT_LONG, default=GOOD_MEETINGS_AGENDA)
    attendees = models.ManyToManyField(Person, blank=True, related_name="+", verbose_name=_("til stede"))
    minutes = models.TextField(_("referat"), max_length=TEXT_LONG, blank=True)
    next_meeting_date = models.DateField(_("neste møte"), null=True, blank=True)
    held = models.BooleanField(default=False)
    child_attends = models.CharField(
        _("deltok barnet/ungdommen"), max_length=8, choices=ChildAttends.choices, blank=True
    )
    child_attends_note = models.CharField(_("om barnets deltakelse"), max_length=TEXT_SHORT, blank=True)
    # Why the meeting is outside the routine's time limit (overgangsmøte 2 later than two
    # weeks after school start, seeds/000); the holder must say why.
    off_routine_reason = models.CharField(_("begrunnelse for tidspunktet"), max_length=TEXT_SHORT, blank=True)
    cancelled_at = models.DateTimeField(_("avlyst"), null=True, blank=True)
    cancel_reason = models.CharField(_("årsak til avlysning"), max_length=TEXT_SHORT, blank=True)
    # The invitation's SEQUENCE (RFC 5545): raised on each change, so calendars replace the old one.
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    changed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True) | ~Q(cancel_reason=""), name="cancelled_meeting_has_reason"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} {self.starts_at:%d.%m.%Y}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def status_label(self) -> str:
        """What the log page, the calendar and the printout call the meeting — never «Planlagt» once cancelled."""
        if self.cancelled_at is not None:
            return gettext("Avlyst")
        return gettext("Holdt") if self.held else gettext("Planlagt")


class Message(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    log = models.ForeignKey(RelayLog, on_delete=models.CASCADE, related_name="messages")
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, null=True, blank=True, related_name="comments")
    author = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("melding"), max_length=TEXT_MEDIUM)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class HandoverStatus(models.TextChoices):
    PROPOSED = "foreslatt", _("Foreslått")
    ACCEPTED = "godtatt", _("Godtatt")
    DECLINED = "avslatt", _("Avslått")
    WITHDRAWN = "trukket", _("Trukket tilbake")


class Handover(models.Model):
    """The baton: proposed by the holder or the unit leader, accepted by the new holder.
    Until accepted, the old holder stays responsible (seeds/004 ordliste)."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    log = models.ForeignKey(RelayLog, on_delete=models.CASCADE, related_name="handovers")
    from_holder = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    to_person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="handovers_received")
    to_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    proposed_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("kommentar"), max_length=TEXT_SHORT, blank=True)
    status = models.CharField(max_length=10, choices=HandoverStatus.choices, default=HandoverStatus.PROPOSED)
    decline_reason = models.CharField(_("begrunnelse"), max_length=TEXT_SHORT, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["log"],
                condition=Q(status="foreslatt"),
                name="one_open_handover_per_log",
                violation_error_message=_("Det finnes allerede et forslag om ny stafettholder som venter på svar."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.from_holder} → {self.to_person}"


class ConsentRequestStatus(models.TextChoices):
    PENDING = "venter", _("Venter på godkjenning")
    COMPLETED = "godkjent", _("Godkjent av alle")
    DECLINED = "avslatt", _("Avslått")


class ConsentRequest(models.Model):
    """Digital consent: prepared by the holder, approved by each guardian (and the youth
    by age) after logging in. Becomes a Consent when everyone has approved."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    log = models.ForeignKey(RelayLog, on_delete=models.CASCADE, related_name="consent_requests")
    services = models.JSONField(_("tjenester som kan delta"), default=list)
    not_shared = models.TextField(_("dette skal ikke deles"), max_length=TEXT_MEDIUM, blank=True)
    valid_until = models.DateField(_("gyldig til"))
    level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.TWO)
    required_signers = models.ManyToManyField(Person, related_name="consent_requests_to_sign")
    requested_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=ConsentRequestStatus.choices, default=ConsentRequestStatus.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Digitalt samtykke for {self.log}"

    @property
    def service_labels(self) -> list[str]:
        return [str(ServiceType(s).label) for s in self.services if s in ServiceType.values]


class FamilyAnswer(models.Model):
    """One guardian's (or the youth's) answer in the app: to a consent request, or to a new
    participant. The answers (who, when, how authenticated) are the record."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    approved = models.BooleanField()
    answered_at = models.DateTimeField(auto_now_add=True)
    # How the signer was authenticated, e.g. "ID-porten (idporten-loa-high)".
    authenticated_by = models.CharField(max_length=120)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.person}: {'ja' if self.approved else 'nei'}"


class ConsentApproval(FamilyAnswer):
    request = models.ForeignKey(ConsentRequest, on_delete=models.CASCADE, related_name="approvals")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["request", "person"], name="one_answer_per_signer")]


class ParticipantAnswer(FamilyAnswer):
    """Issue 15 §4: a guardian's (or the youth's) answer about a new participant."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="answers")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["participant", "person"], name="one_answer_per_participant_signer")
        ]


class TransitionKind(models.TextChoices):
    KINDERGARTEN_TO_SCHOOL = "barnehage_skole", _("Fra barnehage til skole")
    TO_LOWER_SECONDARY = "ungdomsskole", _("Fra barneskole til ungdomsskole")
    MOVING = "flytting", _("Flytting til en annen kommune eller skole")


class Transition(models.Model):
    """A change of service with its routine (seeds/000 for kindergarten → school).
    Which step is done is read from the log itself (participants, meetings, measures);
    this row holds only what the log cannot tell."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    log = models.ForeignKey(RelayLog, on_delete=models.CASCADE, related_name="transitions")
    kind = models.CharField(_("overgang"), max_length=20, choices=TransitionKind.choices)
    to_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("mottakende skole"))
    sfo_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="+", null=True, blank=True, verbose_name=_("SFO")
    )
    start_date = models.DateField(_("skolestart"))
    # seeds/000: children with significant needs are announced a year earlier.
    significant_needs = models.BooleanField(_("betydelige behov for tilrettelegging"), default=False)
    notified_at = models.DateTimeField(null=True, blank=True)
    contact_teacher = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    meeting_1 = models.ForeignKey(Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    meeting_2 = models.ForeignKey(Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["log"],
                condition=Q(completed_at__isnull=True),
                name="one_open_transition_per_log",
                violation_error_message=_("Loggen har allerede en overgang som ikke er fullført."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.to_unit})"


# --- Families ask (seeds/001 §1, issue 15 §3) --------------------------------------------

# seeds/001 §1: «Foresatte kan selv be helsestasjon, barnehage eller skole om å vurdere å
# opprette Stafettlogg». The services a family may ask.
ASKABLE_SERVICES = (ServiceType.BARNEHAGE, ServiceType.SKOLE, ServiceType.HELSESTASJON, ServiceType.SKOLEHELSE)
ANSWER_WITHIN_DAYS = 14
REQUEST_TEXT = 1000


class RequestOutcome(models.TextChoices):
    WILL_CONSIDER = "vil_vurdere", _("Vi vil vurdere det og tar kontakt med dere")
    AFTER_CONSENT = "etter_samtykke", _("Vi oppretter en stafettlogg etter samtykke fra dere")
    NOT_NOW = "ikke_naa", _("Ikke nå")


class LogRequest(models.Model):
    """A family's request that a unit consider a log. It is not a log: no log exists until
    the guardians (and a youth with rights) have consented, as always."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="log_requests", verbose_name=_("barnet"))
    asked_by = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("spurt av"))
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="log_requests", verbose_name=_("tjenestested")
    )
    text = models.TextField(_("hva dere ønsker hjelp med"), max_length=REQUEST_TEXT)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    answer_by = models.DateField(_("svarfrist"))
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    outcome = models.CharField(_("svar"), max_length=20, choices=RequestOutcome.choices, blank=True)
    answer = models.TextField(_("svaret til familien"), max_length=REQUEST_TEXT, blank=True)

    class Meta:
        verbose_name = _("forespørsel om stafettlogg")
        verbose_name_plural = _("forespørsler om stafettlogg")
        ordering = ["answer_by", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | ~Q(outcome=""),
                name="log_request_answer_has_outcome",
                violation_error_message=_("Velg et svar."),
            )
        ]

    def __str__(self) -> str:
        return f"Forespørsel til {self.unit}"

    def is_overdue(self, today: date | None = None) -> bool:
        return self.answered_at is None and (today or timezone.localdate()) > self.answer_by


# Families without BankID (issue 15 §7), in their own module; imported here so Django finds them.
from stafett.logs.models_assisted import AssistedCode as AssistedCode  # noqa: E402
from stafett.logs.models_assisted import AssistedGuardian as AssistedGuardian  # noqa: E402
from stafett.logs.models_former_holder import FormerHolder as FormerHolder  # noqa: E402
