"""Store formatted citations (references.stored_citations) where they are missing or stale,
or, with --page-templates, write the templates "Cite this page" is filled in from."""

import argparse

from django.core.management.base import BaseCommand

from references import page_citations
from references.services.citations import references_store_citations


def _shard(value: str) -> tuple[int, int]:
    try:
        index, count = (int(part) for part in value.split("/"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not I/N, e.g. 0/2") from None
    if not 0 <= index < count:
        raise argparse.ArgumentTypeError(f"{value!r}: I must be from 0 to N-1")
    return index, count


class Command(BaseCommand):
    help = (
        "Format and store the citations of references that have none or stale ones "
        "(after a bulk load or a change to the formatter); --page-templates rewrites "
        "references/page_citation_templates.py instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--page-templates", action="store_true")
        parser.add_argument(
            "--shard",
            type=_shard,
            help="I/N: only the references whose id is I modulo N (run N at once).",
        )

    def handle(self, *args, **options):
        if options["page_templates"]:
            source = page_citations.module_source(page_citations.templates())
            page_citations.MODULE.write_text(source)
            self.stdout.write(f"Wrote {page_citations.MODULE}.")
            return
        changed = references_store_citations(
            batch_size=options["batch_size"], shard=options["shard"]
        )
        self.stdout.write(f"Stored the citations of {changed} reference(s).")
