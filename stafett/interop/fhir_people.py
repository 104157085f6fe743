"""Who and where a FHIR export names (interop/fhir.py): the child as Patient with the national
ID, guardians as RelatedPerson, staff as Practitioner and units as Organization — names only,
as in the printout; no address, phone, e-mail, or anyone else's national ID."""

from typing import Any

from django.utils.translation import gettext as _
from fhir.resources.R4B.domainresource import DomainResource
from fhir.resources.R4B.organization import Organization
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.relatedperson import RelatedPerson

from stafett.lib import national_id as nid
from stafett.logs.models import RelayLog
from stafett.people.models import Membership, Person, Unit

# HL7 Norway no-basis: the identifier systems of the national population register's numbers.
FNR_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.1"
DNR_SYSTEM = "urn:oid:2.16.578.1.12.4.1.4.2"
UUID_SYSTEM = "urn:ietf:rfc:3986"
GUARDIAN_ROLE = {"system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "code": "GUARD", "display": "guardian"}


def urn(code: Any) -> str:
    return f"urn:uuid:{code}"


def uuid_identifier(code: Any) -> dict[str, str]:
    return {"system": UUID_SYSTEM, "value": urn(code)}


def ref(code: Any, display: str = "") -> dict[str, str]:
    return {"reference": urn(code), **({"display": display} if display else {})}


class Refs:
    """Everyone and every unit the bundle names, each once, as a resource of its own: the child
    is the Patient; guardians are RelatedPersons; staff are Practitioners with their name only."""

    def __init__(self, log: RelayLog, guardians: list[Person]) -> None:
        self.child = log.subject
        self.guardian_ids = {g.id for g in guardians}
        self._people: dict[int, Person] = {}
        self._units: dict[int, Unit] = {}

    def person(self, person: Person) -> dict[str, str]:
        if person.id != self.child.id:
            self._people.setdefault(person.id, person)
        return ref(person.code, person.full_name)

    def patient(self) -> dict[str, str]:
        return self.person(self.child)

    def unit(self, unit: Unit) -> dict[str, str]:
        self._units.setdefault(unit.id, unit)
        return ref(unit.code, unit.name)

    def resources(self) -> list[DomainResource]:
        staff = set(Membership.objects.filter(person_id__in=self._people).values_list("person_id", flat=True))
        found: list[DomainResource] = []
        for person in self._people.values():
            base = {"id": str(person.code), "identifier": [uuid_identifier(person.code)], "name": [_name(person)]}
            if person.id in staff and person.id not in self.guardian_ids:
                found.append(Practitioner.model_validate({"resourceType": "Practitioner", **base}))
                continue
            relationship = (
                [{"coding": [GUARDIAN_ROLE], "text": _("Foresatt")}] if person.id in self.guardian_ids else None
            )
            found.append(
                RelatedPerson.model_validate(
                    {"resourceType": "RelatedPerson", **base, "patient": self.patient(), "relationship": relationship}
                )
            )
        for unit in self._units.values():
            found.append(
                Organization.model_validate(
                    {
                        "resourceType": "Organization",
                        "id": str(unit.code),
                        "identifier": [uuid_identifier(unit.code)],
                        "name": unit.name,
                    }
                )
            )
        return found


def _name(person: Person) -> dict[str, Any]:
    return {"text": person.full_name, "family": person.family_name, "given": [person.given_name]}


def national_identifier(number: str | None) -> dict[str, str] | None:
    """The fødselsnummer or D-nummer with its no-basis system; None without a valid number."""
    if not number:
        return None
    try:
        parsed = nid.parse(number, allow_synthetic=True)
    except nid.InvalidNationalId:
        return None
    return {"use": "official", "system": DNR_SYSTEM if parsed.is_d_number else FNR_SYSTEM, "value": parsed.number}


def patient(child: Person) -> Patient:
    # national_id is decrypted by its field (lib/field_crypto.py): plain only in memory.
    national = national_identifier(child.national_id)
    return Patient.model_validate(
        {
            "resourceType": "Patient",
            "id": str(child.code),
            "identifier": [uuid_identifier(child.code), *([national] if national else [])],
            "name": [_name(child)],
            "birthDate": child.birth_date.isoformat() if child.birth_date else None,
        }
    )
