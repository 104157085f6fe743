from typing import Any

from django.core.management.base import BaseCommand

from stafett.archive.copies import deliver_pending


class Command(BaseCommand):
    help = "Leverer arkivkopier som venter (PDF/A) til arkivet. Trygt å kjøre ofte, f.eks. hvert minutt."

    def handle(self, *args: Any, **options: Any) -> None:
        count = deliver_pending()
        self.stdout.write(f"{count} arkivkopier levert.")
