"""Many studies in one pair, fast: the bulk load shared by tests (``add_studies``) and the
benchmarks that need a large pair (bench/bench_first_view.py, bench/bench_publish.py)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

AUTHORS = [{"family": f"Author{i}", "initials": "AB"} for i in range(8)]


def studies_bulk_add(
    n: int,
    *,
    therapy,
    condition,
    prefix: str = "bulk",
    publish: bool = True,
    pmids: Iterator[int] | None = None,
):
    """Bulk-add ``n`` studies, each from its own new reference, to a therapy x condition pair.

    Every seventh reference is retracted, so pages also render their warnings at scale.
    The pair's verdict, if it has one, is then published (``publish=False``: left as a
    draft), since readers see only what a reviewer has published.
    """
    from evidence.models import Design, Direction, Study, Verdict
    from tests.support.publishing import publish as publish_verdicts

    designs, directions = list(Design.values), list(Direction.values)
    references = _references_bulk_add(
        n, prefix=prefix, pmids=pmids if pmids is not None else itertools.count(80_000_000)
    )
    verdict = Verdict.objects.filter(therapy=therapy, condition=condition).first()
    studies = Study.objects.bulk_create(
        [
            Study(
                reference=reference,
                therapy=therapy,
                condition=condition,
                verdict=verdict,
                design=designs[i % len(designs)],
                participants=10 + i,
                dose_regimen="2 g/kg over 5 days",
                outcome="Pain",
                outcome_summary=f"Result {i}.",
                direction=directions[i % len(directions)],
            )
            for i, reference in enumerate(references)
        ]
    )
    if verdict is not None and publish:
        publish_verdicts(verdict, note=f"{n} studies added.")
    return studies


def _references_bulk_add(n: int, *, prefix: str, pmids: Iterator[int]):
    """``n`` new references, every seventh retracted."""
    from references.models import Reference, RetractionStatus

    return Reference.objects.bulk_create(
        [
            Reference(
                doi=f"10.9999/{prefix}.{i}",
                pmid=str(next(pmids)),
                title=f"{prefix} study {i}",
                authors=AUTHORS,
                journal="Journal of Bulk Studies",
                journal_abbreviation="J Bulk Stud",
                year=1980 + i % 45,
                volume=str(i % 40),
                issue="1",
                pages=f"{i}-{i + 9}",
                retraction_status=(
                    RetractionStatus.RETRACTED if i % 7 == 0 else RetractionStatus.NONE
                ),
            )
            for i in range(n)
        ]
    )
