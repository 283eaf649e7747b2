"""Import references by DOI, PMID, PMCID or from a reference-manager file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from references.management.progress import run_job_with_progress
from references.services.jobs import (
    ImportRejected,
    import_job_create_for_file,
    import_job_create_for_identifiers,
)


class Command(BaseCommand):
    help = "Import citations from PubMed and Crossref by identifier, or from a file."

    def add_arguments(self, parser):
        parser.add_argument("--doi", action="append", default=[], help="a DOI (repeatable)")
        parser.add_argument("--pmid", action="append", default=[], help="a PMID (repeatable)")
        parser.add_argument("--pmcid", action="append", default=[], help="a PMCID (repeatable)")
        parser.add_argument(
            "--file", action="append", default=[], help="RIS, BibTeX, nbib or CSL-JSON file"
        )

    def handle(self, *args, **options):
        identifiers = (
            [f"doi:{d}" if not d.lower().startswith(("doi", "http")) else d for d in options["doi"]]
            + [f"pmid:{p}" for p in options["pmid"]]
            + [p if p.upper().startswith("PMC") else f"PMC{p}" for p in options["pmcid"]]
        )
        if not identifiers and not options["file"]:
            raise CommandError("Give at least one --doi, --pmid, --pmcid or --file.")
        jobs = []
        try:
            if identifiers:
                # Bad identifiers are failed items of the job: listed once, with the rest.
                job, _errors = import_job_create_for_identifiers(identifiers=identifiers)
                jobs.append(job)
            for name in options["file"]:
                path = Path(name)
                if not path.is_file():
                    raise CommandError(f"{name}: no such file.")
                jobs.append(import_job_create_for_file(data=path.read_bytes(), filename=path.name))
        except ImportRejected as exc:
            raise CommandError(str(exc)) from exc
        failed = 0
        for job in jobs:
            job = run_job_with_progress(job, stdout=self.stdout, stderr=self.stderr)
            failed += job.failed_count
        if failed:
            raise CommandError(f"{failed} item(s) failed; see the messages above.")
