from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from stafett.core.daily import run_daily
from stafett.notify.outbox import deliver_due


class Command(BaseCommand):
    help = (
        "Dagens jobber: årlige arkivkopier, påminnelser og levering av varsler. "
        "Arbeideren (run_huey) kjører dem selv hver morgen; bruk denne fra cron uten arbeider."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = run_daily(timezone.localdate())
        sent = deliver_due()
        self.stdout.write(f"{result} {sent} varsler sendt.")
