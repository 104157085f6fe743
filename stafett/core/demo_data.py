"""Demo data: an invented municipality with synthetic people.

National ID numbers are synthetic (month + 80, Norway's official test-data
convention) with valid check digits, so they pass validation but can never
belong to a real person.
"""

from dataclasses import dataclass
from datetime import date

from django.db import transaction

from stafett.core.demo_logs import seed_demo_logs
from stafett.guide.loader import load_guide
from stafett.lib.national_id import SYNTHETIC_MONTH_OFFSET, with_check_digits
from stafett.people import actions
from stafett.people.actions import PersonData, StaffEntry
from stafett.people.bootstrap import bootstrap_system_admin
from stafett.people.models import Municipality, Person, Role, ServiceType, Unit

MUNICIPALITY = ("Fjordvik kommune", "9901")
NEIGHBOUR = ("Nabodal kommune", "9902")
ADMIN_UNIT = "Oppvekstkontoret i Fjordvik"
DOMAIN = "fjordvik.example"


def synthetic_national_id(birth_date: date, serial: int = 0) -> str:
    """A synthetic number for this birth date; `serial` picks among the valid ones."""
    start = 500 if birth_date.year >= 2000 else 0
    found = -1
    for individual in range(start, start + 500):
        first_nine = (
            f"{birth_date.day:02d}{birth_date.month + SYNTHETIC_MONTH_OFFSET:02d}"
            f"{birth_date.year % 100:02d}{individual:03d}"
        )
        try:
            number = with_check_digits(first_nine)
        except ValueError:
            continue
        found += 1
        if found == serial:
            return number
    raise ValueError("no synthetic number left for this date")


UNITS = [
    ("Solsikken barnehage", ServiceType.BARNEHAGE),
    ("Fjordvik skole", ServiceType.SKOLE),
    ("Fjordvik SFO", ServiceType.SFO),
    ("Haugen skole", ServiceType.SKOLE),
    ("Haugen SFO", ServiceType.SFO),
    ("Fjordvik helsestasjon", ServiceType.HELSESTASJON),
    ("Fjordvik legesenter", ServiceType.FASTLEGE),
]
SHARED_UNITS = [
    ("PPT for Fjordvik og Nabodal", ServiceType.PPT),
    ("Barneverntjenesten i Fjordvik og Nabodal", ServiceType.BARNEVERN),
]

# (given, family, unit, role, title)
STAFF = [
    ("Berit", "Solheim", "Solsikken barnehage", Role.LEADER, "styrer"),
    ("Kari", "Lunde", "Solsikken barnehage", Role.EMPLOYEE, "pedagogisk leder"),
    ("Tor", "Aasen", "Solsikken barnehage", Role.EMPLOYEE, "barnehagelærer"),
    ("Geir", "Moen", "Fjordvik skole", Role.LEADER, "rektor"),
    ("Ingrid", "Berg", "Fjordvik skole", Role.EMPLOYEE, "kontaktlærer"),
    ("Sindre", "Vik", "Fjordvik SFO", Role.LEADER, "SFO-leder"),
    ("Hilde", "Dahl", "Haugen skole", Role.LEADER, "rektor"),
    ("Ola", "Strand", "Haugen skole", Role.EMPLOYEE, "kontaktlærer"),
    ("Mona", "Eik", "Haugen SFO", Role.LEADER, "SFO-leder"),
    ("Liv", "Haugland", "Fjordvik helsestasjon", Role.LEADER, "ledende helsesykepleier"),
    ("Nina", "Fossum", "Fjordvik helsestasjon", Role.EMPLOYEE, "helsesykepleier"),
    ("Per", "Lien", "PPT for Fjordvik og Nabodal", Role.LEADER, "PPT-leder"),
    ("Siri", "Holm", "PPT for Fjordvik og Nabodal", Role.EMPLOYEE, "PP-rådgiver"),
    ("Anders", "Bakke", "Barneverntjenesten i Fjordvik og Nabodal", Role.LEADER, "barnevernsleder"),
    ("Elin", "Ruud", "Barneverntjenesten i Fjordvik og Nabodal", Role.EMPLOYEE, "saksbehandler"),
    ("Jon", "Sletten", "Fjordvik legesenter", Role.EMPLOYEE, "fastlege"),
    ("Randi", "Nilsen", ADMIN_UNIT, Role.SUPERUSER, "BTI-koordinator"),
]


@dataclass(frozen=True)
class Family:
    family_name: str
    children: list[tuple[str, date]]
    guardians: list[tuple[str, date]]
    address: str


FAMILIES = [
    Family(
        "Hansen",
        [("Emma", date(2021, 3, 14))],
        [("Silje", date(1990, 6, 2)), ("Martin", date(1988, 11, 23))],
        "Fjordveien 3",
    ),
    Family("Johansen", [("Noah", date(2020, 9, 1))], [("Camilla", date(1992, 1, 17))], "Bakkegata 12"),
    Family(
        "Olsen",
        [("Sara", date(2019, 5, 30)), ("Jakob", date(2022, 2, 8))],
        [("Marte", date(1989, 4, 9)), ("Henrik", date(1987, 8, 15))],
        "Strandgata 7",
    ),
    Family("Larsen", [("Oskar", date(2018, 12, 3))], [("Ida", date(1991, 10, 21))], "Skoleveien 19"),
    Family(
        "Andersen",
        [("Ella", date(2017, 7, 11))],
        [("Thea", date(1985, 3, 28)), ("Kristian", date(1984, 12, 6))],
        "Haugenveien 4",
    ),
    Family("Pedersen", [("Lukas", date(2015, 4, 22))], [("Hanne", date(1983, 9, 13))], "Lia 2"),
    Family(
        "Nilsen",
        [("Maja", date(2012, 1, 19))],
        [("Anne", date(1980, 5, 5)), ("Erik", date(1979, 2, 27))],
        "Furuveien 8",
    ),
    Family("Kristiansen", [("Filip", date(2010, 11, 2))], [("Linda", date(1978, 7, 31))], "Sjøgata 22"),
    Family(
        "Jensen",
        [("Nora", date(2009, 8, 16))],
        [("Tone", date(1976, 11, 11)), ("Rune", date(1975, 6, 19))],
        "Eikelia 5",
    ),
    Family("Karlsen", [("William", date(2021, 10, 10))], [("Julie", date(1994, 2, 14))], "Parkveien 1"),
    Family("Eriksen", [("Olivia", date(2014, 6, 6))], [("Marit", date(1986, 12, 24))], "Bryggeveien 9"),
    Family(
        "Berg", [("Aksel", date(2016, 3, 3))], [("Stine", date(1988, 8, 8)), ("Jonas", date(1987, 4, 4))], "Tunet 6"
    ),
]


def _slug(text: str) -> str:
    return text.lower().replace("æ", "ae").replace("ø", "o").replace("å", "a")


@transaction.atomic
def seed_demo() -> bool:
    """Create the demo municipality once; returns False when it is already there."""
    load_guide()  # idempotent: the guide's steps are there even in a database emptied since migrating
    if Municipality.objects.filter(number=MUNICIPALITY[1]).exists():
        return False
    admin = bootstrap_system_admin(
        municipality_name=MUNICIPALITY[0],
        municipality_number=MUNICIPALITY[1],
        unit_name=ADMIN_UNIT,
        given_name="Trude",
        family_name="Lie",
        email=f"trude.lie@{DOMAIN}",
    ).person
    municipality = Municipality.objects.get(number=MUNICIPALITY[1])
    neighbour = Municipality.objects.create(name=NEIGHBOUR[0], number=NEIGHBOUR[1])
    for name, service in UNITS:
        Unit.objects.create(municipality=municipality, name=name, service_type=service)
    for name, service in SHARED_UNITS:
        Unit.objects.create(municipality=municipality, name=name, service_type=service).also_serves.add(neighbour)
    # The abuse path lists child welfare's contact details (invented: 5-digit numbers are never real phones).
    Unit.objects.filter(service_type=ServiceType.BARNEVERN).update(phone="00000", email=f"barnevern@{DOMAIN}")

    units = {u.name: u for u in Unit.objects.all()}
    for i, (given, surname, unit_name, role, title) in enumerate(STAFF):
        email = f"{_slug(given)}.{_slug(surname)}@{DOMAIN}"
        person = PersonData(given_name=given, family_name=surname, email=email, phone=f"4{i:07d}")
        actions.add_staff(actor=admin, unit=units[unit_name], entry=StaffEntry(person=person, role=role, title=title))

    serial = 0
    for family in FAMILIES:
        guardians = []
        for given, born in family.guardians:
            guardians.append(
                _register(
                    admin,
                    given,
                    family.family_name,
                    born,
                    serial,
                    family.address,
                    email=f"{_slug(given)}.{_slug(family.family_name)}@example.com",
                )
            )
            serial += 1
        for given, born in family.children:
            child = _register(admin, given, family.family_name, born, serial, family.address)
            serial += 1
            for guardian in guardians:
                actions.add_guardian(actor=admin, child=child, guardian=guardian)
    seed_demo_logs()
    return True


def _register(
    admin: Person, given: str, family_name: str, born: date, serial: int, address: str, email: str = ""
) -> Person:
    data = PersonData(
        given_name=given,
        family_name=family_name,
        national_id=synthetic_national_id(born, serial % 5),
        address=address,
        postal_code="9990",
        city="Fjordvik",
        email=email,
        phone=f"9{serial:07d}" if email else "",
    )
    return actions.register_person(actor=admin, data=data)
