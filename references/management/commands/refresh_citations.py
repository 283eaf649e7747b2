"""Refresh stored references from PubMed and Crossref."""

from django.core.management.base import BaseCommand, CommandError

from references.management.progress import run_job_with_progress
from references.services.jobs import references_stale_ids, refresh_job_create


class Command(BaseCommand):
    help = "Re-fetch references not refreshed for --stale DAYS (default 30), or --all of them."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--stale", type=int, metavar="DAYS", help="not refreshed for DAYS")
        group.add_argument("--all", action="store_true", help="every reference with an id")

    def handle(self, *args, **options):
        if options["stale"] is not None and options["stale"] < 0:
            raise CommandError("--stale takes a number of days, 0 or more.")
        days = (
            None if options["all"] else (options["stale"] if options["stale"] is not None else 30)
        )
        ids = references_stale_ids(days=days)
        job = refresh_job_create(reference_ids=ids)
        if job is None:
            self.stdout.write("Nothing to refresh.")
            return
        job = run_job_with_progress(job, stdout=self.stdout, stderr=self.stderr)
        if job.failed_count:
            raise CommandError(f"{job.failed_count} reference(s) could not be refreshed.")
