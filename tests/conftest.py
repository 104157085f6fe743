"""The cast every test can use, built by hand and by name (like healthchecks' hc/test.py).

- berit: leader (styrer) of Solsikken barnehage
- kari: employee (pedagogisk leder) at Solsikken barnehage
- nina: health nurse at Fjordvik helsestasjon (staff, another unit)
- trude: system administrator in Fjordvik
- randi: superuser in Fjordvik
- ola_admin: system administrator in another municipality (Nabodal)
- silje: guardian of emma (a child) and of jonas (a youth of 16)
- outsider: a citizen with no relation to anyone
"""

from dataclasses import dataclass
from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection

from stafett.core.demo_data import synthetic_national_id
from stafett.people.models import Guardianship, Membership, Municipality, Person, Role, ServiceType, Unit

SQLITE_DELETE_TRIGGER = """CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit_auditevent
BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END"""


@pytest.fixture(autouse=True)
def _audit_rows_stay_append_only(request: pytest.FixtureRequest):
    """Keep the SQLite DELETE trigger on audit rows in every test, but let the
    test runner's flush after a transactional test empty the table (migrations/0002)."""
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        names & {"transactional_db", "live_server"}
    )
    if not (marker or names & {"db", "transactional_db", "live_server"}):
        yield
        return
    if _flushed and not transactional:
        request.getfixturevalue("django_db_setup")
        with request.getfixturevalue("django_db_blocker").unblock():
            _reload_migration_data()
    request.getfixturevalue("transactional_db" if transactional else "db")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(SQLITE_DELETE_TRIGGER)
    yield
    if transactional:
        _flushed.append(request.node.nodeid)
    if transactional and connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER IF EXISTS audit_no_delete")


# The runner's flush after a transactional test also empties what data migrations loaded (the
# guide's steps). pytest-django runs transactional tests last, so in one process nothing notices;
# with several processes (pytest-xdist) a worker may run a plain test after one, so the guide is
# loaded again first, outside the plain test's transaction.
_flushed: list[str] = []


def _reload_migration_data() -> None:
    from stafett.guide.loader import load_guide

    _flushed.clear()
    load_guide()


@pytest.fixture(autouse=True)
def _municipality_language_read_afresh() -> None:
    """people/language.py remembers the installation's only målform for a minute; each test
    has its own municipalities."""
    from stafett.people import language

    language._only.clear()


@pytest.fixture(autouse=True)
def _rate_limits_start_fresh(request: pytest.FixtureRequest, _audit_rows_stay_append_only: None) -> None:
    """Rate-limit counts live in the cache table, which the runner's flush after a transactional
    test leaves alone: every test that has the database starts from zero."""
    marker = request.node.get_closest_marker("django_db")
    if marker or set(request.fixturenames) & {"db", "transactional_db", "live_server"}:
        cache.clear()


def make_person(given: str, family: str, *, born: date | None = None, email: str = "", serial: int = 0) -> Person:
    person = Person(given_name=given, family_name=family, email=email)
    if born:
        person.national_id = synthetic_national_id(born, serial)
        person.birth_date = born
    person.set_unusable_password()
    person.save()
    return person


@dataclass
class Cast:
    fjordvik: Municipality
    nabodal: Municipality
    kindergarten: Unit
    health_station: Unit
    ppt: Unit
    admin_office: Unit
    nabodal_office: Unit
    berit: Person
    kari: Person
    nina: Person
    trude: Person
    randi: Person
    ola_admin: Person
    silje: Person
    emma: Person
    jonas: Person
    outsider: Person


@pytest.fixture
def cast(db) -> Cast:
    # The cast's participants are added and read as they were before issue 15 §4: Fjordvik has
    # the family's approval of new participants off (tests/logs/test_participant_approval.py turns it on).
    fjordvik = Municipality.objects.create(name="Fjordvik kommune", number="9901", family_approves_participants=False)
    nabodal = Municipality.objects.create(name="Nabodal kommune", number="9902")
    kindergarten = Unit.objects.create(
        municipality=fjordvik, name="Solsikken barnehage", service_type=ServiceType.BARNEHAGE
    )
    health_station = Unit.objects.create(
        municipality=fjordvik, name="Fjordvik helsestasjon", service_type=ServiceType.HELSESTASJON
    )
    ppt = Unit.objects.create(municipality=fjordvik, name="PPT for Fjordvik og Nabodal", service_type=ServiceType.PPT)
    ppt.also_serves.add(nabodal)
    admin_office = Unit.objects.create(municipality=fjordvik, name="Oppvekstkontoret", service_type=ServiceType.ANNEN)
    nabodal_office = Unit.objects.create(municipality=nabodal, name="Nabodal rådhus", service_type=ServiceType.ANNEN)

    def staff(given: str, family: str, unit: Unit, role: Role, title: str) -> Person:
        person = make_person(given, family, email=f"{given.lower()}.{family.lower()}@fjordvik.example")
        Membership.objects.create(person=person, unit=unit, role=role, title=title)
        return person

    berit = staff("Berit", "Solheim", kindergarten, Role.LEADER, "styrer")
    kari = staff("Kari", "Lunde", kindergarten, Role.EMPLOYEE, "pedagogisk leder")
    nina = staff("Nina", "Fossum", health_station, Role.EMPLOYEE, "helsesykepleier")
    trude = staff("Trude", "Lie", admin_office, Role.SYSTEM_ADMIN, "systemansvarlig")
    randi = staff("Randi", "Nilsen", admin_office, Role.SUPERUSER, "BTI-koordinator")
    ola_admin = staff("Ola", "Nabo", nabodal_office, Role.SYSTEM_ADMIN, "systemansvarlig")
    silje = make_person("Silje", "Hansen", born=date(1990, 6, 2), email="silje@example.com")
    emma = make_person("Emma", "Hansen", born=date(2021, 3, 14))
    jonas = make_person("Jonas", "Hansen", born=date(2010, 1, 5))
    Guardianship.objects.create(guardian=silje, child=emma)
    Guardianship.objects.create(guardian=silje, child=jonas)
    outsider = make_person("Ute", "Andersen", born=date(1985, 2, 2), serial=1)
    return Cast(
        fjordvik,
        nabodal,
        kindergarten,
        health_station,
        ppt,
        admin_office,
        nabodal_office,
        berit,
        kari,
        nina,
        trude,
        randi,
        ola_admin,
        silje,
        emma,
        jonas,
        outsider,
    )


# --- CI never skips browser or OpenID tests ---------------------------------
_skipped_required: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and ("browser" in report.keywords or "oidc" in report.keywords):
        _skipped_required.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    import os

    if os.environ.get("CI") == "true" and _skipped_required:
        print("\nCI must run every browser and OpenID test; skipped: " + ", ".join(_skipped_required))
        session.exitstatus = 1
