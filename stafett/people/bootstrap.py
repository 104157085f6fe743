"""Setting up a new installation: the first municipality, unit and system administrator.

Someone must be system administrator before anyone can be made one through
the app, so this is the one action that runs without an acting person; the
audit trail names the system as actor.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from stafett.audit.models import AuditAction
from stafett.audit.record import record
from stafett.people.models import Membership, Municipality, Person, Role, ServiceType, Unit


@transaction.atomic
def bootstrap_system_admin(
    *, municipality_name: str, municipality_number: str, unit_name: str, given_name: str, family_name: str, email: str
) -> Membership:
    municipality, _ = Municipality.objects.get_or_create(
        number=municipality_number, defaults={"name": municipality_name}
    )
    unit, _ = Unit.objects.get_or_create(
        municipality=municipality, name=unit_name, defaults={"service_type": ServiceType.ANNEN}
    )
    person = Person.objects.filter(email__iexact=email).first()
    if person is None:
        person = Person(given_name=given_name, family_name=family_name, email=email.lower())
        person.set_unusable_password()
        person.full_clean()
        person.save()
    if Membership.objects.active().filter(person=person, unit=unit, role=Role.SYSTEM_ADMIN).exists():
        raise ValidationError(f"{person.full_name} er allerede systemansvarlig ved {unit.name}.")
    membership = Membership(person=person, unit=unit, role=Role.SYSTEM_ADMIN, title="Systemansvarlig")
    membership.full_clean()
    membership.save()
    record(
        actor=None,
        action=AuditAction.STAFF_ADDED,
        obj=unit,
        details={
            "person": person.full_name,
            "person_kode": str(person.code),
            "rolle": Role.SYSTEM_ADMIN,
            "oppstart": True,
        },
    )
    return membership
