"""Every change to people, staff lists and guardians goes through these functions.

Each takes the acting person first (keyword-only), validates, saves and
writes its audit row in one transaction (STYLE: one action function per
change of state).
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stafett import access
from stafett.access import Action
from stafett.audit.models import AuditAction
from stafett.audit.record import record
from stafett.lib import national_id as nid
from stafett.lib.languages import CODES as LANGUAGE_CODES
from stafett.people.models import GuardianKind, Guardianship, Membership, Person, Role, Unit


@dataclass(frozen=True)
class PersonData:
    given_name: str
    family_name: str
    email: str = ""
    phone: str = ""
    national_id: str = ""
    address: str = ""
    postal_code: str = ""
    city: str = ""


def _audit_person_fields(data: PersonData) -> dict[str, str]:
    # Never the full national ID number in the audit details.
    return {
        "navn": f"{data.given_name} {data.family_name}",
        "fødselsnummer": nid.mask(data.national_id),
        "e-post": data.email,
    }


def _new_person(data: PersonData) -> Person:
    person = Person(
        given_name=data.given_name.strip(),
        family_name=data.family_name.strip(),
        email=data.email.strip().lower(),
        phone=data.phone.strip(),
        address=data.address.strip(),
        postal_code=data.postal_code.strip(),
        city=data.city.strip(),
    )
    if data.national_id:
        try:
            parsed = nid.parse(data.national_id)
        except nid.InvalidNationalId as e:
            raise ValidationError({"national_id": str(e)}) from None
        # The number is encrypted, so the database's unique index is on its blind index, which is
        # only worked out on save: ask the index here, as full_clean asked the number before.
        if Person.objects.by_national_id(parsed.number).exists():
            raise ValidationError({"national_id": _("En person med dette fødselsnummeret er allerede registrert.")})
        person.national_id = parsed.number
        person.birth_date = parsed.birth_date
    person.set_unusable_password()
    person.full_clean()
    return person


@transaction.atomic
def register_person(*, actor: Person, data: PersonData) -> Person:
    """Register a person (a child, a guardian) in the installation's person register."""
    access.require(actor, Action.MANAGE_PEOPLE)
    if not data.national_id:
        raise ValidationError({"national_id": _("Fødselsnummer eller D-nummer må fylles ut.")})
    person = _new_person(data)
    person.save()
    record(actor=actor, action=AuditAction.PERSON_REGISTERED, obj=person, details=_audit_person_fields(data))
    return person


def find_by_national_id(raw: str) -> Person | None:
    """Look a person up by national ID number; raises InvalidNationalId for a malformed one."""
    number = nid.parse(raw).number
    return Person.objects.by_national_id(number).first()


@transaction.atomic
def add_guardian(*, actor: Person, child: Person, guardian: Person, kind: str = GuardianKind.PARENT) -> Guardianship:
    access.require(actor, Action.MANAGE_PEOPLE)
    if guardian == actor:
        # SPEC §3: nobody grants access to themselves; a guardian reads the child's log.
        raise ValidationError(_("Du kan ikke registrere deg selv som foresatt. Be en annen systemansvarlig."))
    if Guardianship.objects.filter(child=child, guardian=guardian).exists():
        raise ValidationError(
            _("%(guardian)s er allerede registrert som foresatt for %(child)s.")
            % {"guardian": guardian.full_name, "child": child.full_name}
        )
    if child == guardian:
        raise ValidationError(_("En person kan ikke være sin egen foresatte."))
    guardianship = Guardianship(child=child, guardian=guardian, kind=kind)
    guardianship.full_clean()
    guardianship.save()
    record(
        actor=actor,
        action=AuditAction.GUARDIAN_ADDED,
        obj=child,
        details={"foresatt": guardian.full_name, "foresatt_kode": str(guardian.code), "type": kind},
    )
    return guardianship


@transaction.atomic
def remove_guardian(*, actor: Person, guardianship: Guardianship) -> None:
    access.require(actor, Action.MANAGE_PEOPLE)
    child, guardian = guardianship.child, guardianship.guardian
    guardianship.delete()
    record(
        actor=actor,
        action=AuditAction.GUARDIAN_REMOVED,
        obj=child,
        details={"foresatt": guardian.full_name, "foresatt_kode": str(guardian.code)},
    )


# --- Staff lists (seeds/001 §3: the leader keeps the list current) ---------

LEADER_ASSIGNABLE_ROLES = (Role.EMPLOYEE, Role.LEADER)


def assignable_roles(actor: Person, unit: Unit) -> list[Role]:
    """A leader staffs their unit; only a system administrator hands out admin roles."""
    if access.Relation.SYSTEM_ADMIN in access.relations_to(actor, unit):
        return list(Role)
    return list(LEADER_ASSIGNABLE_ROLES)


@dataclass(frozen=True)
class StaffEntry:
    person: PersonData
    role: str = Role.EMPLOYEE
    title: str = ""


def _find_staff_person(data: PersonData) -> Person | None:
    # Staff log in through the municipality's SSO, matched by e-mail (accounts/oidc.py),
    # so the e-mail address is what identifies a staff member on the list.
    if data.national_id:
        try:
            number = nid.parse(data.national_id).number
        except nid.InvalidNationalId as e:
            raise ValidationError({"national_id": str(e)}) from None
        by_id = Person.objects.by_national_id(number).first()
        if by_id:
            return by_id
    return Person.objects.filter(email__iexact=data.email.strip()).first()


def _validate_staff_entry(actor: Person, unit: Unit, entry: StaffEntry) -> Person | None:
    """Raise ValidationError for a bad entry; return the existing person, if any."""
    if not entry.person.email.strip():
        raise ValidationError({"email": _("E-postadresse må fylles ut: den brukes ved innlogging.")})
    if entry.role not in Role.values:
        raise ValidationError(
            {
                "role": _("Ukjent rolle «%(role)s». Bruk en av: %(roles)s.")
                % {"role": entry.role, "roles": ", ".join(Role.values)}
            }
        )
    if entry.role not in assignable_roles(actor, unit):
        raise ValidationError(
            {"role": _("Bare systemansvarlig kan gi rollen %(role)s.") % {"role": Role(entry.role).label.lower()}}
        )
    person = _find_staff_person(entry.person)
    if person is not None and person.id == actor.id:
        # SPEC §3: nobody changes their own memberships or roles (a leader role reads overviews).
        raise ValidationError(
            "Du kan ikke endre din egen plass på ansattlisten. Be en annen leder eller systemansvarlig."
        )
    if person is None:
        _new_person(entry.person)  # validates names, e-mail and ID number
    elif Membership.objects.active().filter(person=person, unit=unit, role=entry.role).exists():
        raise ValidationError(
            _("%(name)s står allerede på ansattlisten som %(role)s.")
            % {"name": person.full_name, "role": Role(entry.role).label.lower()}
        )
    return person


def _add_validated_staff(actor: Person, unit: Unit, entry: StaffEntry, person: Person | None) -> Membership:
    # An import can name a new person twice (two roles): the first row created them.
    person = person or _find_staff_person(entry.person)
    if person is None:
        person = _new_person(entry.person)
        person.save()
        record(
            actor=actor, action=AuditAction.PERSON_REGISTERED, obj=person, details=_audit_person_fields(entry.person)
        )
    membership = Membership(person=person, unit=unit, role=entry.role, title=entry.title.strip())
    membership.full_clean()
    membership.save()
    record(
        actor=actor,
        action=AuditAction.STAFF_ADDED,
        obj=unit,
        details={
            "person": person.full_name,
            "person_kode": str(person.code),
            "rolle": entry.role,
            "stilling": membership.title,
        },
    )
    _tell_leaders_of_new_leader(actor, membership)
    return membership


@transaction.atomic
def add_staff(*, actor: Person, unit: Unit, entry: StaffEntry) -> Membership:
    access.require(actor, Action.MANAGE_STAFF, unit)
    person = _validate_staff_entry(actor, unit, entry)
    return _add_validated_staff(actor, unit, entry, person)


def _tell_leaders_of_new_leader(actor: Person, membership: Membership) -> None:
    """A leader sees the unit's log overview and may propose holders: when someone other than
    the unit's own leaders makes a new one, those leaders hear of it (SPEC §3, no silent grants)."""
    from stafett.notify.events import tell
    from stafett.notify.models import Kind

    if membership.role != Role.LEADER:
        return
    leaders = list(Membership.objects.active().filter(unit=membership.unit, role=Role.LEADER).select_related("person"))
    if any(m.person_id == actor.id for m in leaders):
        return  # a leader staffing their own unit: the other leaders see it on the list
    for leader in (m.person for m in leaders if m.person_id != membership.person_id):
        tell(leader, kind=Kind.STAFF_LEADER_ADDED, path=f"/tjenestested/{membership.unit.code}/ansatte/")


@transaction.atomic
def end_membership(*, actor: Person, membership: Membership, on: date | None = None) -> Membership:
    """Take a person off the unit's staff list from `on` (today by default). Their access through
    the unit lasts until that day and ends on it (Membership.objects.active); the daily job tells
    the leaders then if they held logs, and the holders of the measures they leave behind."""
    access.require(actor, Action.MANAGE_STAFF, membership.unit)
    today = timezone.localdate()
    if membership.ended_on is not None:
        if membership.ended_on > today:
            raise ValidationError(
                _("Personen slutter allerede %(date)s.") % {"date": f"{membership.ended_on:%d.%m.%Y}"}
            )
        raise ValidationError(_("Personen er allerede tatt av ansattlisten."))
    if on is not None and on < today:
        # Access already given cannot be taken back in time; the access log shows what was read.
        raise ValidationError({"on": _("Datoen kan ikke være tilbake i tid. Velg i dag eller en senere dag.")})
    if membership.person_id == actor.id:
        # SPEC §3: nobody changes their own memberships or roles.
        raise ValidationError(_("Du kan ikke ta deg selv av ansattlisten. Be en annen leder eller systemansvarlig."))
    membership.ended_on = on or today
    membership.full_clean()
    membership.save(update_fields=["ended_on"])
    record(
        actor=actor,
        action=AuditAction.STAFF_ENDED,
        obj=membership.unit,
        details={
            "person": membership.person.full_name,
            "person_kode": str(membership.person.code),
            "rolle": membership.role,
            "slutter": membership.ended_on.isoformat(),
        },
    )
    return membership


@dataclass
class RowError:
    line: int
    messages: list[str]


@dataclass
class ImportResult:
    added: list[Membership]
    errors: list[RowError]

    @property
    def ok(self) -> bool:
        return not self.errors


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for msgs in error.message_dict.values() for m in msgs]
    return list(error.messages)


@transaction.atomic
def import_staff(*, actor: Person, unit: Unit, rows: list[tuple[int, StaffEntry | ValidationError]]) -> ImportResult:
    """Add many staff members at once. Any bad row means nothing is changed (all or nothing)."""
    access.require(actor, Action.MANAGE_STAFF, unit)
    errors: list[RowError] = []
    checked: list[tuple[StaffEntry, Person | None]] = []
    seen: dict[tuple[str, str], int] = {}
    for line, entry in rows:
        if isinstance(entry, ValidationError):
            errors.append(RowError(line, _messages(entry)))
            continue
        email = entry.person.email.strip().lower()
        if email and (email, entry.role) in seen:
            errors.append(
                RowError(line, [_("Samme e-post og rolle som linje %(line)s.") % {"line": seen[(email, entry.role)]}])
            )
            continue
        seen[(email, entry.role)] = line
        try:
            checked.append((entry, _validate_staff_entry(actor, unit, entry)))
        except ValidationError as e:
            errors.append(RowError(line, _messages(e)))
    if errors:
        return ImportResult(added=[], errors=errors)
    added = [_add_validated_staff(actor, unit, entry, person) for entry, person in checked]
    return ImportResult(added=added, errors=[])


@transaction.atomic
def register_child_with_guardians(
    *, actor: Person, unit: Unit, child: PersonData, guardians: list[PersonData]
) -> Person:
    """A staff member opening a log registers a child not yet in Stafett, with the guardians
    who sign the consent (SPEC §6: find or register the person by national ID number).
    Guardians already registered are linked, not duplicated."""
    access.require(actor, Action.OPEN_LOG, unit)
    if not guardians:
        raise ValidationError(_("Registrer minst én foresatt: de foresatte må samtykke."))
    if not child.national_id:
        raise ValidationError({"national_id": _("Fødselsnummer eller D-nummer må fylles ut.")})
    if find_by_national_id(child.national_id) is not None:
        raise ValidationError({"national_id": _("Barnet er allerede registrert.")})
    person = _new_person(child)
    person.save()
    record(actor=actor, action=AuditAction.PERSON_REGISTERED, obj=person, details=_audit_person_fields(child))
    for data in guardians:
        guardian = find_by_national_id(data.national_id) if data.national_id else None
        if guardian is None:
            guardian = _new_person(data)
            guardian.save()
            record(actor=actor, action=AuditAction.PERSON_REGISTERED, obj=guardian, details=_audit_person_fields(data))
        Guardianship.objects.create(child=person, guardian=guardian)
        record(
            actor=actor,
            action=AuditAction.GUARDIAN_ADDED,
            obj=person,
            details={"foresatt": guardian.full_name, "foresatt_kode": str(guardian.code), "type": GuardianKind.PARENT},
        )
    return person


@transaction.atomic
def choose_language(*, actor: Person, language: str) -> None:
    """The person's own choice of language (issue 10), kept for every page and letter to them."""
    if language not in LANGUAGE_CODES:
        raise ValidationError(_("Ukjent språk."))
    if actor.language == language:
        return
    actor.language = language
    actor.save(update_fields=["language"])
    record(actor=actor, action=AuditAction.LANGUAGE_CHOSEN, obj=actor, details={"language": language})
