from typing import Any

from django.core.management.base import BaseCommand

from stafett.archive.receipts import read_receipts, resend_unanswered


class Command(BaseCommand):
    help = (
        "Leser kvitteringer fra Fiks Arkiv i fildropens innboks (STAFETT_FIKS_ARKIV_DIR/innboks), markerer "
        "arkivkopiene som arkivert, og sender kopier uten kvittering på nytt. Arbeideren gjør det hvert minutt."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        run = read_receipts()
        queued = resend_unanswered()
        self.stdout.write(f"Kvitteringer: {run}. {queued} kopier uten kvittering lagt i kø på nytt.")
