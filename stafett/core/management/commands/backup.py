from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from stafett.core.backup import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Tar sikkerhetskopi av databasen (SQLite: det innebygde kopieringsgrensesnittet; PostgreSQL: pg_dump), "
        "de opplastede filene og arkivmappa, med et manifest (migreringer, antall rader per tabell, "
        "revisjonsloggens hode). Trygt mens appen kjører. Nøkkelen for feltkryptering er IKKE med."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "mappe",
            nargs="?",
            type=Path,
            help="hvor sikkerhetskopien legges (en ny undermappe stafett-<tid>); standard er var/backup",
        )
        parser.add_argument("--database", default="default", help="databasen som skal kopieres")

    def handle(self, *args: Any, **options: Any) -> None:
        parent = options["mappe"] or Path(settings.VAR_DIR) / "backup"
        try:
            backup = create_backup(parent, using=options["database"])
        except BackupError as e:
            raise CommandError(str(e)) from None
        m = backup.manifest
        self.stdout.write(f"Sikkerhetskopi laget: {backup.path}")
        self.stdout.write(
            f"Database ({m['vendor']}): {len(m['row_counts'])} tabeller, {sum(m['row_counts'].values())} rader."
        )
        self.stdout.write(f"Revisjonslogg: {m['audit']['verdict']}")
        for folder in m["files"]["included"]:
            self.stdout.write(f"Med: {folder['source']} ({folder['files']} filer).")
        for line in m["not_included"]:
            self.stdout.write(f"Ikke med: {line}")
        if not m["audit"]["ok"]:
            self.stderr.write("Advarsel: revisjonsloggens kjede var brutt da kopien ble tatt (se over).")
