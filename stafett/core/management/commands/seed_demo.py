from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from stafett.core.demo_data import seed_demo


class Command(BaseCommand):
    help = "Legger inn demodata (oppdiktet kommune med syntetiske personer). Bare i demomodus."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO:
            raise CommandError("Demodata kan bare legges inn når STAFETT_DEMO=true.")
        if seed_demo():
            self.stdout.write("Demodata er lagt inn.")
        else:
            self.stdout.write("Demodata finnes allerede.")
