"""Level 0: the private reflection note (seeds/004 Refleksjonsnotat BTI nivå 0).

Owned by one employee; nobody else — leader and administrators included — can read it
(stafett/access.py). When the undring ends the note is destroyed ("Refleksjonsnotat
makuleres når undringen avsluttes"): the row is deleted, and only a count per unit,
year and outcome is kept for statistics."""

import uuid

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from stafett.people.models import Person, Unit

TEXT = 1000


class Dimension(models.TextChoices):
    """The seven questions of the reflection note, each with its own 1–7 «uro» rating."""

    RESOURCES = "ressurser", _("Hvilke ressurser har barnet, og hvordan kommer de til uttrykk?")
    CHALLENGES = "utfordringer", _("Hvilke utfordringer har barnet, og hvordan kommer de til uttrykk?")
    EMOTIONAL = "folelser", _("Barnets følelsesmessige utvikling")
    SOCIAL = "relasjoner", _("Barnets evne til å inngå i sosiale relasjoner")
    AGE = "alder", _("Fungerer barnet som andre på sin alder?")
    SERVICE = "tjenesten", _("Forhold ved tjenesten som påvirker situasjonen")
    HOME = "hjemmet", _("Forhold ved hjemmet og nærmiljøet som påvirker situasjonen")


DIMENSION_HINTS = {
    Dimension.RESOURCES: _("For eksempel fysisk, sosialt, psykisk, læringsevne, språk."),
    Dimension.CHALLENGES: _("For eksempel fysisk, sosialt, psykisk, læringsevne, språk."),
    Dimension.EMOTIONAL: _("For eksempel humør, selvtillit, reaksjonsmåter, frustrasjoner."),
    Dimension.SOCIAL: _("For eksempel tilknytning til foresatte, forhold til andre voksne og til andre barn."),
    Dimension.AGE: _("For eksempel interesser, kunnskap, konsentrasjonsevne, planleggingsevne."),
    Dimension.SERVICE: _("Vurder gjerne opprettholdende faktorer i barnehagen, på skolen eller i tjenesten."),
    Dimension.HOME: _("Det du vet – ikke det du tror."),
}

# seeds/004 «Oversikt over uro-sonene».
URO_SCALE = {
    1: _("Ingen uro: det går bra."),
    2: _("Ingen uro: barnet og familien klarer utviklingsoppgavene."),
    3: _("Liten uro: jeg er litt urolig, men har stor tro på at vi får til en endring."),
    4: _("Gråsone: jeg blir mer og mer urolig; tiltak har ikke ført fram."),
    5: _("Gråsone: jeg holder på å miste troen på egen evne til å hjelpe og trenger mer hjelp."),
    6: _("Stor uro: barnet er i fare. Situasjonen må endres."),
    7: _("Stor uro: barnet er i umiddelbar fare. Situasjonen må endres øyeblikkelig."),
}


class ConcernCategory(models.TextChoices):
    """seeds/004 Konkretisering av bekymring."""

    MOTOR = "motorikk", _("Motorikk")
    LANGUAGE = "sprak", _("Språk")
    LEARNING = "fag", _("Fagvansker")
    SOCIAL = "sosialt", _("Sosiale forhold")
    ATTENTION = "konsentrasjon", _("Konsentrasjon og oppmerksomhet")
    SERVICE = "tjenesten", _("Forhold ved tjenesten")
    HOME = "hjemme", _("Hjemmeforhold")
    WELLBEING = "trivsel", _("Trivsel")
    OTHER = "annet", _("Annet")


class Step(models.TextChoices):
    CONCRETISE = "konkretiser", _("1. Konkretiser undringen")
    SHARE = "del", _("2. Del undringen (undringssamtale)")
    CLARIFY = "avklar", _("3. Avklar: bekymring eller ikke")
    CONCERN = "bekymring", _("4. Bekymring: konkretiser og gå til nivå 1")


class ConcernNote(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="concern_notes")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("tjenestested"))
    # Who it is about, in the owner's own words (e.g. first name and group): the child is not
    # registered in Stafett at level 0.
    about = models.CharField(_("hvem gjelder det"), max_length=80, help_text=_("For eksempel fornavn og avdeling."))
    why = models.TextField(_("hvorfor undrer du deg?"), max_length=TEXT, blank=True)
    ratings = models.JSONField(_("grad av uro per spørsmål (1–7)"), default=dict, blank=True)
    texts = models.JSONField(_("observasjoner per spørsmål"), default=dict, blank=True)
    step = models.CharField(max_length=12, choices=Step.choices, default=Step.CONCRETISE)
    talk_with = models.CharField(_("undringssamtale med"), max_length=120, blank=True)
    talk_on = models.DateField(_("dato for undringssamtalen"), null=True, blank=True)
    talk_result = models.TextField(_("hva kom fram i samtalen"), max_length=TEXT, blank=True)
    categories = models.JSONField(_("hva gjelder bekymringen"), default=list, blank=True)
    concern = models.TextField(_("bekymringen, konkret"), max_length=TEXT, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("undring")
        verbose_name_plural = _("undringer")
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return gettext("Undring om %(about)s") % {"about": self.about}

    @property
    def highest_rating(self) -> int | None:
        values = [int(v) for v in self.ratings.values() if v]
        return max(values) if values else None


class Outcome(models.TextChoices):
    NO_CONCERN = "ingen_bekymring", _("Ikke bekymring – avsluttet")
    LEVEL_ONE = "niva_1", _("Bekymring – stafettlogg på nivå 1")
    CHILD_WELFARE = "barnevern", _("Mistanke om vold eller overgrep – meldt til barnevernet")
    WITHDRAWN = "trukket", _("Avsluttet av eieren")


class ClosedNoteCount(models.Model):
    """All that is left of a destroyed note: how many ended, where, which year, how."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "year", "outcome"], name="one_count_per_outcome")]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}: {self.get_outcome_display()} ({self.count})"


class Discussion(models.Model):
    """seeds/004 «Vurdere å drøfte anonymt med TRT»: that a case was discussed anonymously with
    the interdisciplinary resource team — never who it was about. Owned by the employee who
    recorded it; nobody else reads it. It outlives the note it may be linked to (the note is
    destroyed when the undring ends); the count per year goes into the statistics."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="discussions")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+", verbose_name=_("tjenestested"))
    discussed_on = models.DateField(_("dato for drøftingen"))
    team_unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("ressursteam")
    )
    team = models.CharField(_("ressursteam"), max_length=120, blank=True)
    outcome = models.TextField(_("hva kom fram"), max_length=TEXT)
    next_step = models.TextField(_("neste steg"), max_length=TEXT, blank=True)
    note = models.ForeignKey(
        ConcernNote,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="discussions",
        verbose_name=_("undring"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("anonym drøfting")
        verbose_name_plural = _("anonyme drøftinger")
        ordering = ["-discussed_on", "-id"]

    def __str__(self) -> str:
        return gettext("Anonym drøfting %(date)s") % {"date": f"{self.discussed_on:%d.%m.%Y}"}

    @property
    def team_name(self) -> str:
        return self.team_unit.name if self.team_unit else self.team
