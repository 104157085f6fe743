"""The people the demo login offers, each with what they are (role and unit)."""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from stafett.people.models import Membership, Person


@dataclass(frozen=True)
class DemoPerson:
    code: str
    name: str
    description: str
    group: str


def demo_people() -> list[DemoPerson]:
    staff = (
        Person.objects.filter(memberships__ended_on__isnull=True)
        .distinct()
        .prefetch_related(Prefetch("memberships", Membership.objects.active().select_related("unit")))
    )
    people = []
    for person in staff:
        roles = "; ".join(f"{m.title or m.get_role_display().lower()}, {m.unit.name}" for m in person.memberships.all())
        people.append(DemoPerson(str(person.code), person.full_name, roles, _("Ansatte")))
    guardians = Person.objects.filter(wards__isnull=False).distinct().prefetch_related("wards__child")
    for person in guardians:
        children = ", ".join(g.child.given_name for g in person.wards.all())
        description = _("foresatt til %(children)s") % {"children": children}
        people.append(DemoPerson(str(person.code), person.full_name, description, _("Foresatte")))
    return sorted(people, key=lambda p: (p.group, p.description, p.name))
