from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from stafett.archive.copies import deliver_pending
from stafett.archive.yearly import archive_yearly


class Command(BaseCommand):
    help = "Dagens jobber: årlige arkivkopier (enkeltvedtak) og levering av arkivkopier. Kjør én gang i døgnet."

    def handle(self, *args: Any, **options: Any) -> None:
        today = timezone.localdate()
        made = archive_yearly(today)
        delivered = deliver_pending()
        self.stdout.write(f"{made} årlige arkivkopier laget, {delivered} arkivkopier levert.")
