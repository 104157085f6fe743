from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stafett.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Gjenoppretter en sikkerhetskopi fra `manage.py backup`: kontrollerer manifestet, erstatter databasen og "
        "filene, og sammenligner så antall rader per tabell og revisjonsloggens kjede med sikkerhetskopien. "
        "Alt som er i databasen nå, blir borte. På PostgreSQL: kjør som eierrollen."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kopi", type=Path, help="mappa med sikkerhetskopien (den med manifest.json)")
        parser.add_argument("--yes", action="store_true", help="ikke spør før databasen erstattes")
        parser.add_argument(
            "--force", action="store_true", help="gjenopprett selv om databasen ser ut til å være i bruk"
        )
        parser.add_argument("--database", default="default", help="databasen som skal erstattes")

    def handle(self, *args: Any, **options: Any) -> None:
        def confirm(manifest: dict[str, Any], notes: list[str]) -> bool:
            self.stdout.write(
                f"Sikkerhetskopien er fra {manifest['created_at']} ({manifest['vendor']}, "
                f"{sum(manifest['row_counts'].values())} rader, revisjonslogg med {manifest['audit']['count']} rader)."
            )
            for note in notes:
                self.stdout.write(note)
            if options["yes"]:
                return True
            self.stdout.write("Alt som er i databasen og filmappene nå, blir erstattet og er borte etterpå.")
            try:
                answer = input("Skriv «ja» for å gjenopprette: ")
            except EOFError:
                return False
            return answer.strip().lower() == "ja"

        try:
            restored = restore_backup(
                options["kopi"], using=options["database"], force=options["force"], confirm=confirm
            )
        except BackupError as e:
            raise CommandError(str(e)) from None
        for line in restored.files:
            self.stdout.write(f"Filer: {line}")
        result = restored.comparison
        self.stdout.write(f"Revisjonslogg: {result.audit_verdict}")
        if not result.ok:
            for difference in result.differences:
                self.stderr.write(f"Avvik: {difference}")
            raise CommandError("Gjenopprettingen stemmer IKKE med sikkerhetskopien (se avvikene over).", returncode=1)
        self.stdout.write(
            f"Ferdig: alle {result.tables} tabeller har like mange rader som i sikkerhetskopien, "
            "og revisjonsloggen er hel med samme hode."
        )
        for note in restored.notes:
            self.stdout.write(note)
