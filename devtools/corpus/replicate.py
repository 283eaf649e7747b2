"""Make a corpus K times larger from the one in the database, by set-based SQL copies.

``corpus_replicate(factor=K)`` adds K - 1 copies of every row of the corpus tables
(``TABLES``: references and their notices and raw records, therapies and their safety
facts and formulations, conditions, verdicts, guideline positions, studies, saved
searches, triage candidates, and the published copies: VerdictVersion, PublishedVerdict,
PublishedStudy). Each table takes one ``INSERT ... SELECT`` per copy, so 800,000 new
references are written without a row passing through Python.

How a copy stays valid:

- Ids: copy k of a row with id ``i`` gets ``i + k * span``, where ``span`` is the table's
  largest id before copying; every foreign key into a copied table is shifted by that
  table's span, so copy k points only at copy k (a foreign key to a user is kept).
- Unique values: a DOI gets ``.c<k>``, a PMID and PMCID the number ``k * 10^n`` added
  (``n`` the digits of the largest one, so they stay 1-10 digits), a condition's or
  therapy's name `` (copy k)`` and its slug ``-copy-k``; the synthetic prefixes
  (10.5555/evidentia-synth., synth-) are kept, so devtools.corpus.removal still finds
  every copy. The other unique constraints all include a foreign key, which the shift
  keeps distinct.
- Derived data comes along: the stored search documents are generated columns, so
  PostgreSQL computes them on insert; the formatted citations and their key are copied
  as they are (a copy cites exactly what its original cites: titles, authors, journals
  and years are unchanged), so nothing needs formatting again. The GIN indexes are
  dropped during the copy and rebuilt once at the end, then the tables are analysed.

Not copied: history rows, import jobs, follows, notices of versions sent to users, editor
scopes and digests (nothing of the corpus; they belong to users). A version's stored
snapshot (VerdictVersion's JSON) is copied verbatim, so it names the original's ids.

PostgreSQL only. Usage, for corpora of about 20k, 200k and 1M references::

    manage.py generate_corpus --conditions 100 --therapies 30 --studies 10000 \
        --references 20000 --seed 1                     # ~20k
    manage.py generate_corpus ... --references 200000   # ~200k (the bench corpus)
    createdb -T evidentia_bench evidentia_bench_1m      # no other connection to the template
    DATABASE_URL=.../evidentia_bench_1m manage.py replicate_corpus --factor 5   # ~1M
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, models, transaction

from config import page_cache
from evidence.models import (
    Candidate,
    Condition,
    GuidelinePosition,
    OutcomeFinding,
    PublishedStudy,
    PublishedVerdict,
    SavedSearch,
    Study,
    Verdict,
    VerdictReference,
    VerdictVersion,
)
from references.models import Reference, ReferenceNotice, ReferenceSourceRecord
from therapies.models import (
    AdverseEffect,
    AdverseEffectReference,
    Contraindication,
    ContraindicationReference,
    Formulation,
    FormulationReference,
    RegulatoryStatus,
    Therapy,
)

from . import writer

# Foreign keys first where it is cheap to say so (the constraints are deferred anyway).
TABLES: list[type[models.Model]] = [
    Reference,
    ReferenceNotice,
    ReferenceSourceRecord,
    Therapy,
    Formulation,
    FormulationReference,
    AdverseEffect,
    AdverseEffectReference,
    Contraindication,
    ContraindicationReference,
    Condition,
    RegulatoryStatus,
    Verdict,
    VerdictReference,
    OutcomeFinding,
    GuidelinePosition,
    SavedSearch,
    Study,
    Candidate,
    VerdictVersion,
    PublishedVerdict,
    PublishedStudy,
]
# Tables whose GIN (full-text, trigram) indexes are rebuilt once rather than per row.
LARGE = [Reference, Study, PublishedStudy]
NUMBERED = {(Reference, "pmid"): "", (Reference, "pmcid"): "PMC"}


@dataclass
class ReplicationSummary:
    factor: int
    counts: dict[str, int] = field(default_factory=dict)  # table: rows after
    seconds: float = 0.0


def _scalar(sql: str, params: list[object] | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0] or 0


def _spans() -> dict[type[models.Model], int]:
    """Each table's largest primary key (PublishedVerdict's is its verdict's id)."""
    return {
        m: _scalar(f"SELECT MAX({m._meta.pk.column}) FROM {m._meta.db_table}")  # noqa: S608
        for m in TABLES
    }


def _number_steps() -> dict[tuple[type[models.Model], str], int]:
    """10^n for each numbered identifier, n the digits of its largest value."""
    steps = {}
    for (model, column), prefix in NUMBERED.items():
        largest = _scalar(
            f"SELECT MAX(substr({column}, %s)::bigint) FROM {model._meta.db_table}",  # noqa: S608
            [len(prefix) + 1],
        )
        steps[(model, column)] = 10 ** len(str(largest))
    return steps


def _column_sql(model, field_, copy: int, spans, steps) -> str:
    """The SELECT expression giving copy ``copy`` of ``field_``'s column."""
    column = field_.column
    if field_.is_relation and field_.related_model in spans:
        return f"{column} + {copy * spans[field_.related_model]}"
    if field_.primary_key:
        return f"{column} + {copy * spans[model]}"
    if (model, column) in NUMBERED:
        prefix = NUMBERED[(model, column)]
        number = f"(substr({column}, {len(prefix) + 1})::bigint + {copy * steps[(model, column)]})"
        return f"'{prefix}' || {number}::text"
    if model is Reference and column == "doi":
        return f"{column} || '.c{copy}'"
    if model in (Condition, Therapy) and column == "name":
        return f"{column} || ' (copy {copy})'"
    if model in (Condition, Therapy) and column == "slug":
        return f"{column} || '-copy-{copy}'"
    return column


def _insert_copy(model, copy: int, spans, steps) -> int:
    # Generated columns (Study.evidence_group; the search documents, which are no model
    # field) are PostgreSQL's to compute.
    fields = [f for f in model._meta.concrete_fields if not f.generated]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = ", ".join(_column_sql(model, f, copy, spans, steps) for f in fields)
    table = model._meta.db_table
    with connection.cursor() as cursor:
        # Only column names and integers are interpolated.
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {values} FROM {table} "  # noqa: S608
            f"WHERE {model._meta.pk.column} <= %s",
            [spans[model]],
        )
        return cursor.rowcount


def _reset_sequences() -> None:
    with connection.cursor() as cursor:
        for model in TABLES:
            if not isinstance(model._meta.pk, models.AutoField):
                continue  # PublishedVerdict: keyed by its verdict, no sequence
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "  # noqa: S608
                f"GREATEST((SELECT MAX(id) FROM {table}), 1))",
                [table],
            )


def corpus_replicate(*, factor: int, log: Callable[[str], None] = lambda _: None):
    """Add ``factor - 1`` copies of the corpus; returns the row counts after."""
    if connection.vendor != "postgresql":
        raise ValueError("replicate_corpus needs PostgreSQL (set DATABASE_URL).")
    if factor < 2:
        raise ValueError(f"--factor must be at least 2, not {factor}.")
    started = time.monotonic()
    summary = ReplicationSummary(factor=factor)
    spans, steps = _spans(), _number_steps()
    with writer.gin_indexes_deferred(LARGE, log=log), transaction.atomic():
        for copy in range(1, factor):
            for model in TABLES:
                if not spans[model]:
                    continue
                step = time.monotonic()
                written = _insert_copy(model, copy, spans, steps)
                seconds = time.monotonic() - step
                log(f"copy {copy}: {model._meta.db_table} +{written:,} ({seconds:.1f} s)")
        _reset_sequences()
    with connection.cursor() as cursor:
        for model in TABLES:
            cursor.execute(f"ANALYZE {model._meta.db_table}")
    page_cache.invalidate_all()  # raw inserts bypass the signals that keep pages fresh
    for model in TABLES:
        summary.counts[model._meta.db_table] = _scalar(
            f"SELECT count(*) FROM {model._meta.db_table}"  # noqa: S608
        )
    summary.seconds = time.monotonic() - started
    return summary
