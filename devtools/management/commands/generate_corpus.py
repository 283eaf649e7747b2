"""manage.py generate_corpus: a large synthetic corpus for load tests and benchmarks.

    manage.py generate_corpus --conditions 1000 --therapies 300 --studies 100000 \
        --references 200000 --seed 1 [--replace]
"""

from django.core.management.base import BaseCommand, CommandError, CommandParser

from devtools.corpus.generate import CorpusExists, corpus_generate
from devtools.corpus.plan import CorpusSpec


def _non_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Write a synthetic, reproducible corpus (conditions, therapies, references, studies, "
        "verdicts) in bulk. Refuses if one is present, unless --replace."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--conditions", type=_non_negative, default=1000)
        parser.add_argument("--therapies", type=_non_negative, default=300)
        parser.add_argument("--studies", type=_non_negative, default=100_000)
        parser.add_argument("--references", type=_non_negative, default=200_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--replace", action="store_true", help="Remove a previous synthetic corpus first."
        )

    def handle(self, *args, **options) -> None:
        spec = CorpusSpec(
            conditions=options["conditions"],
            therapies=options["therapies"],
            studies=options["studies"],
            references=options["references"],
            seed=options["seed"],
        )
        verbose = options["verbosity"] > 1
        try:
            summary = corpus_generate(
                spec=spec,
                replace=options["replace"],
                log=(lambda line: self.stdout.write(line)) if verbose else (lambda _: None),
            )
        except (CorpusExists, ValueError) as error:
            raise CommandError(str(error)) from error
        for label, count in summary.counts.items():
            self.stdout.write(f"{label:>22}: {count:,}")
        if summary.largest_pair:
            condition, therapy, studies = summary.largest_pair
            self.stdout.write(
                f"largest pair: /conditions/{condition}/{therapy}/ ({studies:,} studies)"
            )
        self.stdout.write(self.style.SUCCESS(f"Generated in {summary.seconds:.1f} s."))
