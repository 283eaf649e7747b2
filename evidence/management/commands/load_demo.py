"""Load the IVIG demo data and its triage queue; safe to run any number of times."""

from django.core.management.base import BaseCommand

from evidence.editorial.demo_triage import demo_candidates_load
from evidence.services import demo_load


class Command(BaseCommand):
    help = (
        "Load the IVIG demo (rheumatoid arthritis and lupus) and queue a few recorded PubMed "
        "records for triage. Needs no network. Running it again changes nothing."
    )

    def handle(self, *args, **options) -> None:
        summary = demo_load()
        queued = demo_candidates_load()
        self.stdout.write(
            self.style.SUCCESS(
                f"IVIG demo loaded: {summary.references} references, "
                f"{summary.conditions} conditions, {summary.studies} studies, "
                f"{summary.verdicts} verdicts, {summary.safety_facts} safety facts; "
                f"{queued} new candidate(s) in the triage queue."
            )
        )
