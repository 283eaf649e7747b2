"""Load the IVIG demo data; safe to run any number of times."""

from django.core.management.base import BaseCommand

from evidence.services import demo_load


class Command(BaseCommand):
    help = "Load the IVIG demo (rheumatoid arthritis and lupus). Running it again changes nothing."

    def handle(self, *args, **options) -> None:
        summary = demo_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"IVIG demo loaded: {summary.references} references, "
                f"{summary.conditions} conditions, {summary.studies} studies, "
                f"{summary.verdicts} verdicts, {summary.safety_facts} safety facts."
            )
        )
