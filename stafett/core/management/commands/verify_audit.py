from typing import Any

from django.core.management.base import BaseCommand, CommandError

from stafett.audit.chain import verify


class Command(BaseCommand):
    help = (
        "Går gjennom hashkjeden i revisjonsloggen (stafett/audit/chain.py). Skriver OK og antall rader, "
        "eller id-en til første rad der kjeden er brutt og hvorfor; avslutter da med kode 1."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--database", default="default", help="databasen som skal kontrolleres")

    def handle(self, *args: Any, **options: Any) -> None:
        verdict = verify(using=options["database"])
        if not verdict.ok:
            raise CommandError(str(verdict), returncode=1)
        self.stdout.write(str(verdict))
