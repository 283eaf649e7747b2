"""Write (or remove) a synthetic corpus: conditions, therapies and their safety facts,
references, studies, verdicts, guideline positions, triage queues.

``corpus_generate`` is what ``manage.py generate_corpus`` calls. The corpus is marked so
that it can be found and removed again: references by their DOI prefix (10.5555 is the
DOI test prefix), conditions and therapies by their slug prefix. Each table gets its own
``random.Random`` derived from the seed, so the same seed always gives the same content.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from evidence import cache as page_cache
from evidence.models import (
    SORT_TITLE_LENGTH,
    Candidate,
    Condition,
    GuidelinePosition,
    OutcomeFinding,
    SavedSearch,
    Study,
    Verdict,
    VerdictReference,
)
from references.models import ImportJobItem, Reference, ReferenceNotice, ReferenceSourceRecord
from therapies.models import (
    AdverseEffect,
    AdverseEffectReference,
    Contraindication,
    ContraindicationReference,
    Formulation,
    RegulatoryStatus,
    Therapy,
)

from . import catalog, evidence_rows, plan, writer
from .bibliography import (
    DOI_PREFIX,
    REFERENCE_FIELDS,
    notice_rows,
    reference_rows,
    retraction_statuses,
)
from .catalog import SLUG_PREFIX
from .plan import CorpusSpec

TRIAGE_PAIRS = 20
GIN_DEFERRAL_ABOVE = 20_000  # references; smaller loads keep the indexes


@dataclass
class CorpusSummary:
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    largest_pair: tuple[str, str, int] | None = None  # condition slug, therapy slug, studies


class CorpusExists(Exception):
    pass


def synthetic_references() -> Q:
    return Q(doi__startswith=DOI_PREFIX)


def corpus_present() -> bool:
    return (
        Reference.objects.filter(synthetic_references()).exists()
        or Condition.objects.filter(slug__startswith=SLUG_PREFIX).exists()
        or Therapy.objects.filter(slug__startswith=SLUG_PREFIX).exists()
    )


@transaction.atomic
def corpus_delete() -> int:
    """Remove every synthetic row, dependants first; returns how many rows went."""
    therapy = Q(therapy__slug__startswith=SLUG_PREFIX)
    condition = Q(condition__slug__startswith=SLUG_PREFIX)
    reference = Q(reference__doi__startswith=DOI_PREFIX)
    verdict = Q(verdict__therapy__slug__startswith=SLUG_PREFIX) | Q(
        verdict__condition__slug__startswith=SLUG_PREFIX
    )
    ImportJobItem.objects.filter(reference).update(reference=None)
    Condition.objects.filter(prevalence_reference__doi__startswith=DOI_PREFIX).update(
        prevalence_reference=None
    )
    steps = [
        Candidate.objects.filter(verdict | reference),
        SavedSearch.objects.filter(verdict),
        OutcomeFinding.objects.filter(verdict),
        Study.objects.filter(therapy | condition | reference),
        VerdictReference.objects.filter(verdict | reference),
        GuidelinePosition.objects.filter(therapy | condition | reference),
        Verdict.objects.filter(therapy | condition),
        RegulatoryStatus.objects.filter(therapy | condition),
        AdverseEffectReference.objects.filter(
            Q(adverse_effect__therapy__slug__startswith=SLUG_PREFIX) | reference
        ),
        ContraindicationReference.objects.filter(
            Q(contraindication__therapy__slug__startswith=SLUG_PREFIX) | reference
        ),
        AdverseEffect.objects.filter(therapy),
        Contraindication.objects.filter(therapy),
        Formulation.objects.filter(therapy),
        Therapy.objects.filter(slug__startswith=SLUG_PREFIX),
        Condition.objects.filter(slug__startswith=SLUG_PREFIX),
        ReferenceNotice.objects.filter(reference),
        ReferenceSourceRecord.objects.filter(reference),
        Reference.objects.filter(synthetic_references()),
    ]
    return sum(writer.delete_where(queryset) for queryset in steps)


def _picker(rng: random.Random, ids: list[int]) -> Callable[[], int]:
    return lambda: ids[rng.randrange(len(ids))]


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
    now = timezone.now()
    ref_first = writer.reserve_ids(Reference, spec.references)
    reference_ids = list(range(ref_first, ref_first + spec.references))

    # --- conditions and therapies
    taken_conditions = set(Condition.objects.values_list("name", flat=True))
    taken_therapies = set(Therapy.objects.values_list("name", flat=True))
    condition_rows, conditions = catalog.condition_rows(
        rng("conditions"),
        first_id=writer.reserve_ids(Condition, spec.conditions),
        count=spec.conditions,
        taken=taken_conditions,
        prevalence_reference=_picker(rng("condition-refs"), reference_ids),
    )
    therapy_rows, therapies = catalog.therapy_rows(
        rng("therapies"),
        first_id=writer.reserve_ids(Therapy, spec.therapies),
        count=spec.therapies,
        taken=taken_therapies,
    )

    # --- the shape: pairs, studies per pair, which references the studies cite
    root = conditions[0].id
    pairs = plan.showcase(
        plan.pairs(spec, rng("pairs")),
        parents=[None if row[5] is None else row[5] - root for row in condition_rows],
    )
    planned = evidence_rows.plan_studies(
        rng("study-plan"), pairs=pairs, conditions=conditions, therapies=therapies
    )
    study_refs = planned[-1].reference + 1 if planned else 0
    other_ids = reference_ids[study_refs:] or reference_ids
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

    # --- references (streamed: 200,000 abstracts do not fit comfortably in memory)
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
                    statuses,
                    conditions,
                    therapies,
                    now,
                ),
                cited_ids=set(reference_ids[:study_refs]),
                into=cited,
            ),
        )
        log(f"references: {counts['references']}")
        studies_first = writer.reserve_ids(Study, len(planned))
        verdict_first = writer.reserve_ids(Verdict, len(pairs))
        verdict_ids = [verdict_first + pair.rank for pair in pairs]
        counts["conditions"] = writer.write(Condition, catalog.CONDITION_FIELDS, condition_rows)
        counts["therapies"] = writer.write(Therapy, catalog.THERAPY_FIELDS, therapy_rows)
        counts["verdicts"] = writer.write(
            Verdict,
            evidence_rows.VERDICT_FIELDS,
            evidence_rows.verdict_rows(
                rng("verdicts"),
                first_id=verdict_first,
                pairs=pairs,
                conditions=conditions,
                therapies=therapies,
                flagged_ranks=flagged,
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
    counts["reference notices"] = writer.write(
        ReferenceNotice,
        ("reference_id", "type", "doi", "pmid", "date", "source", "note"),
        notice_rows(rng("notices"), reference_ids, statuses),
    )
    _write_safety(
        rng("safety"),
        therapies,
        _picker(rng("safety-refs"), other_ids),
        counts,
        showcase=pairs[0].therapy if pairs else None,
    )

    # --- what hangs off the verdicts
    background = rng("background")
    counts["verdict references"] = writer.write(
        VerdictReference,
        ("verdict_id", "reference_id", "position"),
        (
            (verdict_id, reference_id, position)
            for verdict_id in verdict_ids
            for position, reference_id in enumerate(
                sorted(
                    {
                        other_ids[background.randrange(len(other_ids))]
                        for _ in range(background.randint(1, 3))
                    }
                )
            )
        ),
    )
    counts["guideline positions"] = writer.write(
        GuidelinePosition,
        evidence_rows.GUIDELINE_FIELDS,
        evidence_rows.guideline_rows(
            rng("guidelines"),
            pairs=pairs,
            conditions=conditions,
            therapies=therapies,
            reference=_picker(rng("guideline-refs"), other_ids),
        ),
    )
    counts["outcome findings"] = writer.write(
        OutcomeFinding,
        evidence_rows.FINDING_FIELDS,
        evidence_rows.finding_rows(rng("findings"), pairs=pairs, verdict_ids=verdict_ids),
    )
    counts["regulatory statuses"] = writer.write(
        RegulatoryStatus,
        evidence_rows.REGULATORY_FIELDS,
        evidence_rows.regulatory_rows(
            rng("regulatory"), pairs=pairs, conditions=conditions, therapies=therapies
        ),
    )
    _write_triage(rng("triage"), pairs, verdict_ids, conditions, therapies, other_ids, counts)
    _after_bulk_write()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    if pairs:
        top = pairs[0]
        summary.largest_pair = (
            conditions[top.condition].slug,
            therapies[top.therapy].slug,
            top.studies,
        )
    summary.seconds = time.monotonic() - started
    return summary


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


def _write_safety(rng, therapies, reference, counts, *, showcase):
    safety = catalog.safety_rows(rng, therapies=therapies, reference=reference, showcase=showcase)
    counts["formulations"] = writer.write(
        Formulation, catalog.FORMULATION_FIELDS, safety.formulations
    )
    for model, link_model, link_field, rows, links, fields, label in [
        (
            AdverseEffect,
            AdverseEffectReference,
            "adverse_effect_id",
            safety.adverse_effects,
            safety.adverse_effect_links,
            catalog.ADVERSE_EFFECT_FIELDS,
            "adverse effects",
        ),
        (
            Contraindication,
            ContraindicationReference,
            "contraindication_id",
            safety.contraindications,
            safety.contraindication_links,
            catalog.CONTRAINDICATION_FIELDS,
            "contraindications",
        ),
    ]:
        first = writer.reserve_ids(model, len(rows)) if rows else 0
        counts[label] = writer.write(
            model, ("id", *fields), [(first + i, *row) for i, row in enumerate(rows)]
        )
        writer.write(
            link_model, (link_field, "reference_id"), [(first + i, ref) for i, ref in links]
        )


def _write_triage(rng, pairs, verdict_ids, conditions, therapies, other_ids, counts):
    """A saved search and a queue of candidates for the largest pairs."""
    top = pairs[:TRIAGE_PAIRS]
    search_first = writer.reserve_ids(SavedSearch, len(top)) if top else 0
    counts["saved searches"] = writer.write(
        SavedSearch,
        ("id", "verdict_id", "query", "is_active", "last_run_found"),
        [
            (
                search_first + pair.rank,
                verdict_ids[pair.rank],
                f'"{therapies[pair.therapy].name}"[tiab] AND "{conditions[pair.condition].name}"',
                True,
                rng.randint(0, 40),
            )
            for pair in top
        ],
    )
    decided = datetime(2026, 5, 1, tzinfo=UTC)
    rows = []
    for pair in top:
        for reference_id in sorted({rng.choice(other_ids) for _ in range(rng.randint(5, 40))}):
            status = rng.choices(["untriaged", "included", "excluded"], weights=[6, 1, 2])[0]
            rows.append(
                (
                    verdict_ids[pair.rank],
                    reference_id,
                    search_first + pair.rank,
                    rng.choice(list(evidence_rows.DESIGN_WEIGHTS)),
                    status,
                    rng.choice(["not_relevant", "wrong_population", "wrong_design"])
                    if status == "excluded"
                    else "",
                    None if status == "untriaged" else decided,
                )
            )
    counts["candidates"] = writer.write(
        Candidate,
        (
            "verdict_id",
            "reference_id",
            "saved_search_id",
            "suggested_design",
            "status",
            "exclusion_reason",
            "decided_at",
        ),
        rows,
    )


def _after_bulk_write() -> None:
    """COPY and raw deletes bypass the model signals that keep cached pages fresh
    (evidence.cache), so every cached page is dropped at once."""
    page_cache.invalidate_all()
