"""Run every active saved search once, as the daily task does."""

from django.core.management.base import BaseCommand, CommandError

from evidence.editorial.triage import saved_searches_run
from references.services.search import UpstreamUnavailable


class Command(BaseCommand):
    help = "Run every active saved search on PubMed and queue new records for triage."

    def handle(self, *args, **options) -> None:
        try:
            runs = saved_searches_run()
        except UpstreamUnavailable as exc:
            raise CommandError(f"PubMed is unavailable, try again later: {exc}") from exc
        for run in runs:
            line = (
                f"saved search #{run.saved_search_id}: {run.found} found, "
                f"{run.fetched} fetched, {run.queued} queued for triage"
            )
            if run.error:
                self.stderr.write(self.style.WARNING(f"{line}; {run.error}"))
            else:
                self.stdout.write(line)
        queued = sum(run.queued for run in runs)
        self.stdout.write(
            self.style.SUCCESS(f"{len(runs)} saved searches run, {queued} new candidates.")
        )
