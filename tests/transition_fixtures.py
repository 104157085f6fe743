"""The kindergarten → school cast shared by tests/test_transition.py and
tests/test_transition_prompts.py: Fjordvik skole with its principal and contact teacher, Fjordvik
SFO with its leader, and Kari's log for Emma with Silje's consent to kindergarten, school and SFO.
Import with `from tests.transition_fixtures import *` (pytest finds fixtures by name)."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from stafett.lib.demo_pdf import minimal_pdf
from stafett.logs import actions, transitions
from stafett.logs.actions import ConsentData
from stafett.people.models import Membership, Role, ServiceType, Unit
from tests.conftest import make_person

__all__ = ["log", "school", "states"]


@pytest.fixture
def school(cast):
    school = Unit.objects.create(municipality=cast.fjordvik, name="Fjordvik skole", service_type=ServiceType.SKOLE)
    sfo = Unit.objects.create(municipality=cast.fjordvik, name="Fjordvik SFO", service_type=ServiceType.SFO)
    people = {
        "rektor": make_person("Geir", "Moen", email="geir@x.example"),
        "laerer": make_person("Ingrid", "Berg", email="ingrid@x.example"),
        "sfo": make_person("Sindre", "Vik", email="sindre@x.example"),
    }
    Membership.objects.create(person=people["rektor"], unit=school, role=Role.LEADER, title="rektor")
    Membership.objects.create(person=people["laerer"], unit=school, role=Role.EMPLOYEE, title="kontaktlærer")
    Membership.objects.create(person=people["sfo"], unit=sfo, role=Role.LEADER, title="SFO-leder")
    return school, sfo, people


@pytest.fixture
def log(cast):
    consent = ConsentData(
        services=["barnehage", "skole", "sfo"],
        signatories=[cast.silje],
        document=SimpleUploadedFile("s.pdf", minimal_pdf(), content_type="application/pdf"),
        collected_at_unit=cast.kindergarten,
        valid_until=date(2027, 12, 31),
    )
    return actions.open_log(actor=cast.kari, subject=cast.emma, unit=cast.kindergarten, consent=consent)


def states(t):
    """The transition's steps by key."""
    return {s.key: s for s in transitions.progress(t)}
