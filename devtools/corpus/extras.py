"""Rows that hang off the synthetic therapies and verdicts: safety facts, the background
references of a verdict, guideline positions, outcome findings, regulatory statuses and
triage queues. Each writer takes its own ``random.Random`` and adds to ``counts``."""

from __future__ import annotations

from datetime import UTC, datetime

from evidence.models import (
    Candidate,
    GuidelinePosition,
    OutcomeFinding,
    SavedSearch,
    VerdictReference,
)
from therapies.models import (
    AdverseEffect,
    AdverseEffectReference,
    Contraindication,
    ContraindicationReference,
    Formulation,
    RegulatoryStatus,
)

from . import catalog, evidence_rows, writer

TRIAGE_PAIRS = 20


def write_verdict_extras(rng, *, pairs, verdict_ids, conditions, therapies, other_ids, counts):
    """Background references, guideline positions, outcome findings and regulatory
    statuses; ``rng(table)`` gives each table its own generator."""
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
            reference=picker(rng("guideline-refs"), other_ids),
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


def picker(rng, ids: list[int]):
    """A function returning a random one of ``ids`` each call."""
    return lambda: ids[rng.randrange(len(ids))]


def write_safety(rng, therapies, reference, counts, *, showcase):
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


def write_triage(rng, pairs, verdict_ids, conditions, therapies, other_ids, counts):
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
