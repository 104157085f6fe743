"""The BTI action guide (seeds/004) in the database, and where each log stands in it.

- GuideStep: one step of the guide, copied from data/veileder-v1.toml; a superuser may edit its text.
- GuidePosition: a level of the guide a log follows, and the step it is at. Levels can run in
  parallel (seeds/004: «Det kan føres parallelle prosesser på nivå 1 og 2/3»), so a log can have
  several open positions, one per service and level.
- GuideDecision: the holder's decision at a step, kept as history.
- GuideTimeline: the dates child welfare's statutory deadlines are counted from (seeds/004 nivå 3.0–3.1).
- MaintainingFactors: the log's «Analyse av opprettholdende faktorer» (seeds/004 Verktøykasse).
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from stafett.logs.models import RelayLog
from stafett.people.models import Person

NOTE_LENGTH = 300


class GuideStep(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service = models.CharField(_("tjeneste"), max_length=30)
    # "0", "1", "2", or child welfare's "3.0"–"3.3".
    level = models.CharField(_("nivå"), max_length=4)
    number = models.PositiveSmallIntegerField(_("steg"))
    title = models.CharField(_("tittel"), max_length=200)
    how = models.TextField(_("hvordan"), max_length=3000)
    who = models.CharField(_("hvem"), max_length=400, blank=True)
    tools = models.JSONField(_("verktøy"), default=list, blank=True)  # [{"name": …, "slug": … or ""}]
    # The version of the data file the text came from; a newer file updates steps nobody has edited.
    data_version = models.PositiveIntegerField(_("versjon av veilederen"))
    edited_by = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    edited_by_name = models.CharField(max_length=210, blank=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("steg i veilederen")
        verbose_name_plural = _("steg i veilederen")
        ordering = ["service", "level", "number"]
        constraints = [models.UniqueConstraint(fields=["service", "level", "number"], name="one_guide_step_per_number")]

    def __str__(self) -> str:
        return gettext("Nivå %(level)s, steg %(step)s: %(title)s") % {
            "level": self.level,
            "step": self.number,
            "title": self.title,
        }


class DecisionKind(models.TextChoices):
    # seeds/004, step 5 of each level: stop, continue at this level, go up or down.
    CONTINUE = "fortsett", _("Fortsett på dette nivået")
    STOP = "stopp", _("Stopp")
    UP = "opp", _("Opp ett nivå")
    DOWN = "ned", _("Ned ett nivå")


class GuidePosition(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    log = models.ForeignKey(RelayLog, on_delete=models.CASCADE, related_name="guide_positions")
    service = models.CharField(_("tjeneste"), max_length=30)
    level = models.CharField(_("nivå"), max_length=4)
    step = models.PositiveSmallIntegerField(_("steg"), default=1)
    started_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["level", "started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["log", "service", "level"],
                condition=Q(ended_at__isnull=True),
                name="one_open_guide_position_per_level",
                violation_error_message=_("Loggen følger allerede dette nivået i veilederen."),
            )
        ]

    def __str__(self) -> str:
        return gettext("Nivå %(level)s, steg %(step)s") % {"level": self.level, "step": self.step}


class GuideDecision(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    log = models.ForeignKey(RelayLog, on_delete=models.CASCADE, related_name="guide_decisions")
    position = models.ForeignKey(GuidePosition, on_delete=models.CASCADE, related_name="decisions")
    service = models.CharField(max_length=30)
    level = models.CharField(max_length=4)
    step = models.PositiveSmallIntegerField()
    decision = models.CharField(_("beslutning"), max_length=10, choices=DecisionKind.choices)
    note = models.CharField(_("kommentar"), max_length=NOTE_LENGTH, blank=True)
    by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    by_name = models.CharField(max_length=210)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return gettext("Nivå %(level)s, steg %(step)s: %(title)s") % {
            "level": self.level,
            "step": self.step,
            "title": self.get_decision_display(),
        }


class GuideTimeline(models.Model):
    """Dates recorded on the log for child welfare's deadlines; the deadlines themselves are computed
    (guide/timelines.py), never stored."""

    log = models.OneToOneField(RelayLog, on_delete=models.CASCADE, related_name="guide_timeline")
    report_received_on = models.DateField(_("bekymringsmeldingen ble mottatt"), null=True, blank=True)
    public_reporter = models.BooleanField(
        _("meldingen kom fra en offentlig melder"),
        default=True,
        help_text=_("Offentlig melder har krav på informasjon innen tre uker."),
    )
    reporter_informed_on = models.DateField(_("melderen fikk svar"), null=True, blank=True)
    investigation_extended = models.BooleanField(
        _("undersøkelsesfristen er forlenget til seks måneder"),
        default=False,
        help_text=_("Bare i begrunnede tilfeller."),
    )
    investigation_concluded_on = models.DateField(_("undersøkelsen ble konkludert"), null=True, blank=True)
    measures_decided_on = models.DateField(_("vedtak om hjelpetiltak"), null=True, blank=True)
    measures_evaluated_on = models.DateField(_("hjelpetiltakene ble sist evaluert"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(reporter_informed_on__isnull=True)
                | Q(report_received_on__isnull=False, reporter_informed_on__gte=models.F("report_received_on")),
                name="reporter_informed_after_report",
                violation_error_message=_("Melderen kan ikke ha fått svar før meldingen ble mottatt."),
            ),
            models.CheckConstraint(
                condition=Q(investigation_concluded_on__isnull=True)
                | Q(
                    report_received_on__isnull=False,
                    investigation_concluded_on__gte=models.F("report_received_on"),
                ),
                name="investigation_concluded_after_report",
                violation_error_message=_("Undersøkelsen kan ikke være konkludert før meldingen ble mottatt."),
            ),
        ]

    def __str__(self) -> str:
        return gettext("Barnevernets frister for %(log)s") % {"log": self.log}


FACTOR_LENGTH = 1000


class MaintainingFactors(models.Model):
    """The analysis of maintaining factors for one log (seeds/004 «Analyse av opprettholdende
    faktorer»): what the challenge is and where it comes from, what keeps it going in the child,
    at home and in leisure time, and in the services, the child's own voice, and where to act.
    The prompts for each part are in data/verktoy/opprettholdende-faktorer.toml."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    log = models.OneToOneField(RelayLog, on_delete=models.CASCADE, related_name="maintaining_factors")
    focus = models.TextField(
        _("oppmerksomhet: utfordringen og hvor den kommer fra"), max_length=FACTOR_LENGTH, blank=True
    )
    in_child = models.TextField(
        _("opprettholdende faktorer hos barnet eller ungdommen"), max_length=FACTOR_LENGTH, blank=True
    )
    in_home = models.TextField(_("opprettholdende faktorer i hjem og fritid"), max_length=FACTOR_LENGTH, blank=True)
    in_service = models.TextField(_("opprettholdende faktorer i tjenestene"), max_length=FACTOR_LENGTH, blank=True)
    child_voice = models.TextField(_("barnets stemme"), max_length=FACTOR_LENGTH, blank=True)
    where_to_act = models.TextField(_("hvor settes det inn tiltak"), max_length=FACTOR_LENGTH, blank=True)
    updated_by_name = models.CharField(max_length=210, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("analyse av opprettholdende faktorer")
        verbose_name_plural = _("analyser av opprettholdende faktorer")

    def __str__(self) -> str:
        return gettext("Opprettholdende faktorer for %(log)s") % {"log": self.log}
