"""The principal chooses the contact teacher among the school's staff on the list today (issue 14 §6)."""

from datetime import timedelta

from django.utils import timezone

from stafett.logs.forms import ContactTeacherForm
from stafett.people.models import Membership, Role, ServiceType, Unit
from tests.conftest import make_person


def test_a_teacher_leaving_at_a_later_date_is_still_offered_but_one_who_has_left_is_not(cast):
    school = Unit.objects.create(
        municipality=cast.kari.memberships.get().unit.municipality,
        name="Fjordvik skole",
        service_type=ServiceType.SKOLE,
    )
    today = timezone.localdate()
    staying = make_person("Ingrid", "Berg", serial=901)
    leaving_later = make_person("Per", "Dahl", serial=902)
    gone = make_person("Lise", "Moe", serial=903)
    for person in (staying, leaving_later, gone):
        Membership.objects.create(
            person=person, unit=school, role=Role.EMPLOYEE, title="lærer", started_on=today - timedelta(days=400)
        )
    Membership.objects.filter(person=leaving_later).update(ended_on=today + timedelta(days=30))
    Membership.objects.filter(person=gone).update(ended_on=today - timedelta(days=1))

    offered = set(ContactTeacherForm(unit=school).fields["teacher"].queryset)  # type: ignore[attr-defined]

    assert offered == {staying, leaving_later}
