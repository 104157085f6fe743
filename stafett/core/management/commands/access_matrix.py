from typing import Any

from django.core.management.base import BaseCommand

from stafett.access import POLICY, Relation


class Command(BaseCommand):
    help = "Skriver tilgangsmatrisen (rolle × handling) som en Markdown-tabell, til personvernombudet."

    def handle(self, *args: Any, **options: Any) -> None:
        for target, actions in POLICY.items():
            relations = list(Relation)
            self.stdout.write(f"\n### {target.label}\n")
            self.stdout.write("| Handling | " + " | ".join(r.label for r in relations) + " |")
            self.stdout.write("|---|" + "---|" * len(relations))
            for action, allowed in actions.items():
                cells = ["ja" if r in allowed else "–" for r in relations]
                self.stdout.write(f"| {action.label} | " + " | ".join(cells) + " |")
        self.stdout.write("\nUten lesetilgang svarer Stafett «finnes ikke» (404); lesere som prøver å endre, får 403.")
