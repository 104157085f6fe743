from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from stafett.core.field_keys import rotate_field_key
from stafett.lib.field_crypto import FieldCryptoError, new_key


class Command(BaseCommand):
    help = (
        "Krypterer alle fødselsnumre på nytt med den nyeste nøkkelen i STAFETT_FIELD_KEY (den første), og "
        "bygger søkeindeksen på nytt der den ble laget med en eldre nøkkel. Alt eller ingenting; revisjonslogges. "
        "Med --new-key: skriver ut en ny nøkkel og gjør ingenting annet."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--new-key", action="store_true", help="skriv ut en ny tilfeldig nøkkel (base64)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["new_key"]:
            self.stdout.write(new_key())
            return
        try:
            rotation = rotate_field_key()
        except FieldCryptoError as e:
            raise CommandError(f"Ingenting er endret. {e}") from None
        self.stdout.write(str(rotation))
