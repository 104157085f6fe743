from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from stafett.people.bootstrap import bootstrap_system_admin


class Command(BaseCommand):
    help = "Gjør en person til systemansvarlig (første gang en kommune tas i bruk)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kommune", required=True, help="Kommunens navn, f.eks. «Risør kommune»")
        parser.add_argument("--kommunenummer", required=True)
        parser.add_argument("--enhet", default="Oppvekstkontoret", help="Tjenestestedet den systemansvarlige hører til")
        parser.add_argument("--fornavn", required=True)
        parser.add_argument("--etternavn", required=True)
        parser.add_argument("--epost", required=True, help="E-postadressen personen logger inn med")

    def handle(self, *args: Any, **o: Any) -> None:
        try:
            m = bootstrap_system_admin(
                municipality_name=o["kommune"],
                municipality_number=o["kommunenummer"],
                unit_name=o["enhet"],
                given_name=o["fornavn"],
                family_name=o["etternavn"],
                email=o["epost"],
            )
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from None
        self.stdout.write(f"{m.person.full_name} er systemansvarlig for {m.unit.municipality.name}.")
