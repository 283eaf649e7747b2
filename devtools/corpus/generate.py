"""Write a synthetic corpus: conditions, therapies and their safety facts, references,
studies, verdicts, guideline positions, triage queues.

``corpus_generate`` is what ``manage.py generate_corpus`` calls. The corpus is marked so
that it can be found and removed again (devtools.corpus.removal). Each table gets its own
``random.Random`` derived from the seed, so the same seed always gives the same content.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from config import page_cache
from evidence.models import SORT_TITLE_LENGTH, Condition, Study, Verdict
from evidence.services.publication import verdicts_publish_existing
from references.models import Reference, ReferenceNotice
from therapies.models import Therapy

from . import catalog, evidence_rows, extras, plan, writer
from .bibliography import (
    DOI_PREFIX,
    REFERENCE_FIELDS,
    notice_rows,
    reference_rows,
    retraction_statuses,
)
from .plan import CorpusSpec
from .removal import corpus_delete, corpus_present

__all__ = ["DOI_PREFIX", "CorpusExists", "CorpusSummary", "corpus_generate"]

GIN_DEFERRAL_ABOVE = 20_000  # references; smaller loads keep the indexes


@dataclass
class CorpusSummary:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    largest_pair: tuple[str, str, int] | None = None  # condition slug, therapy slug, studies


class CorpusExists(Exception):
    pass


@dataclass
class _Layout:
    """What the corpus will hold, decided before any row is written."""

    reference_ids: list[int]
    condition_rows: list
    conditions: list
    therapy_rows: list
    therapies: list
    pairs: list
    planned: list
    statuses: list[str]
    flagged: set[int]

    @property
    def study_refs(self) -> int:
        """How many references, from the first, the studies cite."""
        return self.planned[-1].reference + 1 if self.planned else 0

    @property
    def other_ids(self) -> list[int]:
        """The references no study cites: background for verdicts, safety facts, triage."""
        return self.reference_ids[self.study_refs :] or self.reference_ids


Rng = Callable[[str], random.Random]


def corpus_generate(
    *, spec: CorpusSpec, replace: bool = False, log: Callable[[str], None] = lambda _: None
) -> CorpusSummary:
    """Write the corpus ``spec`` describes; raises CorpusExists if one is there already
    and ``replace`` is false, ValueError for an impossible spec."""
    spec.validate()
    started = time.monotonic()
    summary = CorpusSummary()
    if corpus_present():
        if not replace:
            raise CorpusExists(
                "The database already holds a generated corpus; pass --replace to remove it "
                "and generate a new one."
            )
        log(f"removed {corpus_delete()} rows of the previous corpus")
        _after_bulk_write()

    def rng(table: str) -> random.Random:
        return random.Random(f"{spec.seed}:{table}")  # noqa: S311 - reproducible, not secret

    counts = summary.counts
    layout = _lay_out(spec, rng)
    verdict_ids = _write_references_and_studies(spec, rng, layout, counts, log)
    counts["reference notices"] = writer.write(
        ReferenceNotice,
        ("reference_id", "type", "doi", "pmid", "date", "source", "note"),
        notice_rows(rng("notices"), layout.reference_ids, layout.statuses),
    )
    pairs, conditions, therapies = layout.pairs, layout.conditions, layout.therapies
    extras.write_safety(
        rng("safety"),
        therapies,
        extras.picker(rng("safety-refs"), layout.other_ids),
        counts,
        showcase=pairs[0].therapy if pairs else None,
    )
    extras.write_verdict_extras(
        rng,
        pairs=pairs,
        verdict_ids=verdict_ids,
        conditions=conditions,
        therapies=therapies,
        other_ids=layout.other_ids,
        counts=counts,
    )
    extras.write_triage(
        rng("triage"), pairs, verdict_ids, conditions, therapies, layout.other_ids, counts
    )
    _publish(counts, log)
    _after_bulk_write()
    _analyze()
    if pairs:
        top = pairs[0]
        summary.largest_pair = (
            conditions[top.condition].slug,
            therapies[top.therapy].slug,
            top.studies,
        )
    summary.seconds = time.monotonic() - started
    return summary


def _lay_out(spec: CorpusSpec, rng: Rng) -> _Layout:
    """Reserve the ids and decide the catalogue, the pairs, the studies each pair gets and
    which references are retracted."""
    ref_first = writer.reserve_ids(Reference, spec.references)
    reference_ids = list(range(ref_first, ref_first + spec.references))
    taken_conditions = set(Condition.objects.values_list("name", flat=True))
    taken_therapies = set(Therapy.objects.values_list("name", flat=True))
    condition_rows, conditions = catalog.condition_rows(
        rng("conditions"),
        first_id=writer.reserve_ids(Condition, spec.conditions),
        count=spec.conditions,
        taken=taken_conditions,
        prevalence_reference=extras.picker(rng("condition-refs"), reference_ids),
    )
    therapy_rows, therapies = catalog.therapy_rows(
        rng("therapies"),
        first_id=writer.reserve_ids(Therapy, spec.therapies),
        count=spec.therapies,
        taken=taken_therapies,
    )
    root = conditions[0].id
    pairs = plan.showcase(
        plan.pairs(spec, rng("pairs")),
        parents=[None if row[5] is None else row[5] - root for row in condition_rows],
    )
    planned = evidence_rows.plan_studies(
        rng("study-plan"), pairs=pairs, conditions=conditions, therapies=therapies
    )
    statuses = retraction_statuses(rng("retractions"), spec.references)
    if planned:
        # The largest pair shows every warning: a retracted and a corrected study.
        statuses[planned[0].reference] = "retracted"
        statuses[planned[-1 if len(pairs) == 1 else pairs[0].studies - 1].reference] = "corrected"
    flagged = {
        pair.rank
        for pair, study in _pairs_of(pairs, planned)
        if statuses[study.reference] == "retracted"
    }
    return _Layout(
        reference_ids=reference_ids,
        condition_rows=condition_rows,
        conditions=conditions,
        therapy_rows=therapy_rows,
        therapies=therapies,
        pairs=pairs,
        planned=planned,
        statuses=statuses,
        flagged=flagged,
    )


# Long function: the deferred-index block has to hold every write it covers. The GIN
# indexes are rebuilt once, at the end of one block that spans references and studies,
# and each table's ids are reserved in a fixed order inside it.
def _write_references_and_studies(spec, rng: Rng, layout: _Layout, counts, log) -> list[int]:
    """References (streamed: 200,000 abstracts do not fit comfortably in memory), then the
    catalogue, verdicts and studies; returns the verdict ids, by pair rank."""
    pairs, planned = layout.pairs, layout.planned
    conditions, therapies = layout.conditions, layout.therapies
    reference_ids = layout.reference_ids
    by_reference = {study.reference: study for study in planned if not study.reuses_reference}
    deferred = spec.references >= GIN_DEFERRAL_ABOVE
    with writer.gin_indexes_deferred([Reference, Study] if deferred else [], log=log):
        cited: dict[int, tuple] = {}
        counts["references"] = writer.write(
            Reference,
            REFERENCE_FIELDS,
            _remembering_cited(
                reference_rows(
                    rng("references"),
                    spec,
                    reference_ids,
                    by_reference,
                    layout.statuses,
                    conditions,
                    therapies,
                    timezone.now(),
                ),
                cited_ids=set(reference_ids[: layout.study_refs]),
                into=cited,
            ),
        )
        log(f"references: {counts['references']}")
        studies_first = writer.reserve_ids(Study, len(planned))
        verdict_first = writer.reserve_ids(Verdict, len(pairs))
        verdict_ids = [verdict_first + pair.rank for pair in pairs]
        counts["conditions"] = writer.write(
            Condition, catalog.CONDITION_FIELDS, layout.condition_rows
        )
        counts["therapies"] = writer.write(Therapy, catalog.THERAPY_FIELDS, layout.therapy_rows)
        counts["verdicts"] = writer.write(
            Verdict,
            evidence_rows.VERDICT_FIELDS,
            evidence_rows.verdict_rows(
                rng("verdicts"),
                first_id=verdict_first,
                pairs=pairs,
                conditions=conditions,
                therapies=therapies,
                flagged_ranks=layout.flagged,
            ),
        )
        counts["studies"] = writer.write(
            Study,
            (*evidence_rows.STUDY_FIELDS, *STUDY_COPY_FIELDS),
            _with_reference_copies(
                evidence_rows.study_rows(
                    rng("studies"),
                    first_id=studies_first,
                    planned=planned,
                    pairs=pairs,
                    conditions=conditions,
                    therapies=therapies,
                    reference_ids=reference_ids,
                    verdict_ids=verdict_ids,
                ),
                cited,
            ),
        )
        log(f"studies: {counts['studies']}")
    return verdict_ids


# Study's copies of its reference (Study.reference_year ...): COPY bypasses the services
# that set them, so they are taken from the reference rows as those stream past.
STUDY_COPY_FIELDS = ("reference_year", "reference_sort_title", "reference_status")
_REFERENCE_ID, _YEAR, _TITLE, _STATUS = (
    REFERENCE_FIELDS.index(name) for name in ("id", "year", "title", "retraction_status")
)


def _remembering_cited(rows, *, cited_ids: set[int], into: dict[int, tuple]):
    for row in rows:
        if row[_REFERENCE_ID] in cited_ids:
            into[row[_REFERENCE_ID]] = (
                row[_YEAR],
                row[_TITLE][:SORT_TITLE_LENGTH],
                row[_STATUS],
            )
        yield row


def _with_reference_copies(rows, cited: dict[int, tuple]):
    reference_at = evidence_rows.STUDY_FIELDS.index("reference_id")
    for row in rows:
        yield (*row, *cited[row[reference_at]])


def _pairs_of(pairs, planned):
    index = 0
    for pair in pairs:
        for _ in range(pair.studies):
            yield pair, planned[index]
            index += 1


def _publish(counts, log) -> None:
    """Readers see what is published: version 1 of every verdict, as written."""
    counts["published versions"] = verdicts_publish_existing(note="The generated corpus.")
    log(f"published version 1 of {counts['published versions']} verdicts")


def _after_bulk_write() -> None:
    """COPY and raw deletes bypass the model signals that keep cached pages fresh
    (config.page_cache), so every cached page is dropped at once."""
    page_cache.invalidate_all()


def _analyze() -> None:
    """Fresh planner statistics, so the first page measured after a load is planned for
    the tables as they now are."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
