"""manage.py replicate_corpus: make the corpus in the database K times larger.

    manage.py replicate_corpus --factor 5

Adds K - 1 copies of every corpus row (references with their search documents and
formatted citations, conditions, therapies, verdicts, studies and the published copies)
by set-based SQL, with new ids and new unique DOIs, PMIDs, PMCIDs, names and slugs
(devtools.corpus.replicate says how). PostgreSQL only. For the 1M-reference corpus, copy
the 200k bench corpus first and replicate the copy::

    createdb -h 127.0.0.1 -U postgres -T evidentia_bench evidentia_bench_1m
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/evidentia_bench_1m \\
        manage.py replicate_corpus --factor 5 -v 2
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from devtools.corpus.replicate import corpus_replicate


class Command(BaseCommand):
    help = (
        "Make the corpus in the database --factor times larger by SQL copies of every corpus "
        "table (new ids, DOIs, PMIDs, PMCIDs, names and slugs). PostgreSQL only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--factor", type=int, required=True, help="2 or more: the new size")

    def handle(self, *args, **options) -> None:
        verbose = options["verbosity"] > 1
        try:
            summary = corpus_replicate(
                factor=options["factor"],
                log=(lambda line: self.stdout.write(line)) if verbose else (lambda _: None),
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        for table, count in summary.counts.items():
            self.stdout.write(f"{table:>36}: {count:,}")
        self.stdout.write(
            self.style.SUCCESS(f"Replicated x{summary.factor} in {summary.seconds:.1f} s.")
        )
