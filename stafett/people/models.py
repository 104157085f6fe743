"""People and organisation: municipalities, units, persons, staff memberships, guardians.

A Person is also the login identity (AUTH_USER_MODEL): staff, guardians,
youths and children are all persons; only some ever log in, and nobody has a
password — login is through OpenID Connect (accounts/).
"""

import uuid
from datetime import date
from typing import ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from stdnum.no import fodselsnummer

from stafett.lib.field_crypto import BlindIndexField, EncryptedTextField, blind_indexes
from stafett.lib.languages import LANGUAGE_CHOICES, MALFORM_CHOICES


class ServiceType(models.TextChoices):
    # seeds/003 §6 and SPEC §4: the services a consent can name.
    BARNEHAGE = "barnehage", _("Barnehage")
    SKOLE = "skole", _("Skole")
    SFO = "sfo", _("SFO/AKS")
    HELSESTASJON = "helsestasjon", _("Helsestasjon")
    SKOLEHELSE = "skolehelse", _("Skolehelsetjeneste")
    PPT = "ppt", _("PPT")
    BARNEVERN = "barnevern", _("Barnevern")
    RESSURSTEAM = "ressursteam", _("Tverrfaglig ressursteam")
    BUP = "bup", _("BUP/spesialisthelsetjeneste")
    FASTLEGE = "fastlege", _("Fastlege")
    NAV = "nav", _("NAV")
    FOREBYGGENDE = "forebyggende", _("Forebyggende tjenester")
    FRIVILLIG = "frivillig", _("Frivillig sektor")
    ANNEN = "annen", _("Annen")


class Role(models.TextChoices):
    # seeds/001 §3, seeds/004 Roller.
    EMPLOYEE = "ansatt", _("Ansatt")
    LEADER = "leder", _("Leder")
    SYSTEM_ADMIN = "systemansvarlig", _("Systemansvarlig")
    SUPERUSER = "superbruker", _("Superbruker")


class Municipality(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("navn"), max_length=100, unique=True)
    number = models.CharField(_("kommunenummer"), max_length=4, unique=True)
    # SPEC §3 / seeds/001 §8, 003 4.5: the child's voice by age. Defaults from the seeds.
    child_view_weighs_from_age = models.PositiveSmallIntegerField(
        _("barnets syn vektlegges tungt fra alder"), default=12
    )
    youth_signs_from_age = models.PositiveSmallIntegerField(_("ungdommen signerer samtykke fra alder"), default=15)
    youth_logs_in_from_age = models.PositiveSmallIntegerField(
        _("ungdommen må samtykke og kan logge inn fra alder"), default=16
    )

    # Reminders (issue: no breaks in follow-up), per municipality.
    remind_days_before = models.PositiveSmallIntegerField(_("påminnelse dager før frist"), default=3)
    handover_reminder_days = models.PositiveSmallIntegerField(
        _("påminnelse når ny stafettholder ikke har svart (dager)"), default=7
    )
    no_meeting_months = models.PositiveSmallIntegerField(
        _("påminnelse når det ikke har vært møte (måneder)"), default=3
    )
    undring_reminder_weeks = models.PositiveSmallIntegerField(
        _("påminnelse når en undring (nivå 0) har stått urørt (uker)"), default=6
    )
    # The kindergarten/school year ends here; yearly archive copies are due within four weeks.
    school_year_ends_month = models.PositiveSmallIntegerField(_("skoleåret slutter (måned)"), default=6)
    school_year_ends_day = models.PositiveSmallIntegerField(_("skoleåret slutter (dag)"), default=20)
    # seeds/003 4.3 «Arkivering etter hvert møte»: a copy when the minutes are saved.
    archive_after_meeting = models.BooleanField(_("arkivkopi etter hvert møte"), default=True)
    # seeds/001 §6 «nye samtykker … når nye aktører skal inn»: each new participant is approved
    # by the family before they get access (issue 15 §4); off, the family is only told.
    family_approves_participants = models.BooleanField(_("foresatte godkjenner nye deltakere"), default=True)
    # The municipality's målform (issue 10): the language of its pages and letters for anyone
    # who has not chosen one, and of its archive copies.
    language = models.CharField(_("målform"), max_length=2, choices=MALFORM_CHOICES, default="nb")

    class Meta:
        verbose_name = _("kommune")
        verbose_name_plural = _("kommuner")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """A tjenestested: a kindergarten, school, health station, PPT office …"""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="units", verbose_name=_("kommune")
    )
    # PPT and child welfare are often shared between municipalities.
    also_serves = models.ManyToManyField(
        Municipality, blank=True, related_name="shared_units", verbose_name=_("betjener også")
    )
    name = models.CharField(_("navn"), max_length=120)
    service_type = models.CharField(_("tjeneste"), max_length=20, choices=ServiceType.choices)
    email = models.EmailField(_("e-post"), blank=True)
    phone = models.CharField(_("telefon"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("tjenestested")
        verbose_name_plural = _("tjenestesteder")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="unit_name_unique_in_municipality")
        ]

    def __str__(self) -> str:
        return self.name

    def child_welfare_services(self) -> list["Unit"]:
        """The child welfare services serving this unit's municipality (shared ones included)."""
        return list(
            Unit.objects.filter(service_type=ServiceType.BARNEVERN)
            .filter(models.Q(municipality=self.municipality) | models.Q(also_serves=self.municipality))
            .distinct()
            .order_by("name")
        )


NATIONAL_ID_PURPOSE = "people.person.national_id"


class PersonManager(BaseUserManager["Person"]):
    def get_by_natural_key(self, code: str) -> "Person":  # type: ignore[override]
        return self.get(code=code)

    def by_national_id(self, number: str) -> "models.QuerySet[Person]":
        """The person with this national ID number (at most one), found through the blind
        index: the only way to look a number up, since the number itself is encrypted."""
        number = fodselsnummer.compact(number or "")
        if not number:
            return self.none()
        return self.filter(national_id_index__in=blind_indexes(number, purpose=NATIONAL_ID_PURPOSE))


class Person(AbstractBaseUser):
    """Anyone Stafett knows: staff, guardians, children and youths."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Encrypted at rest (lib/field_crypto.py); plain only in memory. Found by its blind index.
    national_id = EncryptedTextField(
        "fødselsnummer", purpose=NATIONAL_ID_PURPOSE, null=True, blank=True, db_comment="AES-GCM, lib/field_crypto.py"
    )
    national_id_index = BlindIndexField(source="national_id", purpose=NATIONAL_ID_PURPOSE, unique=True)
    birth_date = models.DateField(_("fødselsdato"), null=True, blank=True)
    given_name = models.CharField(_("fornavn"), max_length=100)
    family_name = models.CharField(_("etternavn"), max_length=100)
    address = models.CharField(_("adresse"), max_length=200, blank=True)
    postal_code = models.CharField(_("postnummer"), max_length=4, blank=True)
    city = models.CharField(_("poststed"), max_length=60, blank=True)
    phone = models.CharField(_("mobil"), max_length=20, blank=True)
    email = models.EmailField(_("e-post"), blank=True)
    # Chosen by the person on any page (issue 10); empty follows the municipality's målform.
    language = models.CharField(_("språk"), max_length=2, choices=LANGUAGE_CHOICES, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    USERNAME_FIELD = "code"
    REQUIRED_FIELDS: ClassVar[list[str]] = []
    objects = PersonManager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("personer")
        ordering = ["family_name", "given_name"]
        indexes = [models.Index(fields=["email"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))

    # Django admin asks these; only system administrators get in (see access.py).
    @property
    def is_staff(self) -> bool:
        from stafett.access import is_system_admin

        return is_system_admin(self)

    def has_perm(self, perm: str, obj: object = None) -> bool:
        from stafett.access import admin_may

        return admin_may(self, perm)

    def has_module_perms(self, app_label: str) -> bool:
        from stafett.access import admin_may_see_app

        return admin_may_see_app(self, app_label)


class LoginIdentity(models.Model):
    """The subject a person has at an OpenID provider, remembered after first login."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="login_identities")
    provider = models.CharField(max_length=20)
    subject = models.CharField(max_length=255)
    last_login_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["provider", "subject"], name="login_identity_unique")]

    def __str__(self) -> str:
        return f"{self.provider}: {self.subject}"


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self, on: date | None = None) -> "MembershipQuerySet":
        """On the staff list on that day (today by default). An end date takes effect on that day,
        not when it is entered: until then the person keeps their access (issue 14 §6)."""
        day = on or timezone.localdate()
        return self.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))


class Membership(models.Model):
    """A person on a unit's staff list, with one role. A person may hold several roles."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices, default=Role.EMPLOYEE)
    title = models.CharField(_("stilling"), max_length=100, blank=True)
    started_on = models.DateField(_("fra"), default=date.today)
    # Ended rather than deleted: a holder who left the unit must still be traceable.
    ended_on = models.DateField(_("til"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("tilknytning")
        verbose_name_plural = _("tilknytninger")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "unit", "role"],
                condition=Q(ended_on__isnull=True),
                name="membership_one_active_per_role",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="membership_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_role_display()}, {self.unit}"


class GuardianKind(models.TextChoices):
    PARENT = "forelder", _("Forelder med foreldreansvar")
    OTHER = "annen", _("Annen med foreldreansvar")


class Guardianship(models.Model):
    """Guardian ↔ child: the guardian decides and has full insight (SPEC §3)."""

    guardian = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="wards")
    child = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="guardianships")
    kind = models.CharField(_("type"), max_length=20, choices=GuardianKind.choices, default=GuardianKind.PARENT)

    class Meta:
        verbose_name = _("foresatt")
        verbose_name_plural = _("foresatte")
        constraints = [
            models.UniqueConstraint(fields=["guardian", "child"], name="guardianship_unique"),
            models.CheckConstraint(condition=~Q(guardian=models.F("child")), name="guardian_is_not_child"),
        ]

    def __str__(self) -> str:
        return gettext("%(guardian)s er foresatt for %(child)s") % {"guardian": self.guardian, "child": self.child}
