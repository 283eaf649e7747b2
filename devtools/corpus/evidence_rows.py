"""Synthetic studies, verdicts, guideline positions, findings and regulatory statuses for
the planned therapy x condition pairs. Rows are tuples in the ``*_FIELDS`` order.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta

from evidence.editorial.rules import review_reason
from evidence.models.studies import STUDY_EXTRACTED_FIELDS

from . import literature, names, text
from .catalog import Named
from .plan import Pair

# Content dates are counted from a fixed day, never from today, so a seed always gives
# the same corpus; with 6 to 24 month review intervals many verdicts are overdue.
ANCHOR = date(2026, 6, 1)

DESIGN_WEIGHTS = {
    "rct": 22,
    "non_randomised_trial": 6,
    "cohort": 18,
    "case_control": 6,
    "case_series": 12,
    "case_report": 10,
    "animal": 6,
    "in_vitro": 4,
    "systematic_review": 5,
    "meta_analysis": 4,
    "narrative_review": 5,
    "guideline": 2,
}
COMPARATIVE = {
    "rct",
    "non_randomised_trial",
    "cohort",
    "case_control",
    "meta_analysis",
    "systematic_review",
}
RATIO_MEASURES = ("RR", "OR", "HR")
PUBLICATION_TYPES = {
    "rct": ["Randomized Controlled Trial", "Journal Article"],
    "meta_analysis": ["Meta-Analysis", "Systematic Review"],
    "systematic_review": ["Systematic Review"],
    "narrative_review": ["Review"],
    "guideline": ["Practice Guideline"],
    "case_report": ["Case Reports"],
}

STUDY_FIELDS = (
    "id",
    "reference_id",
    "therapy_id",
    "condition_id",
    "verdict_id",
    *STUDY_EXTRACTED_FIELDS,
)
VERDICT_FIELDS = (
    "id",
    "therapy_id",
    "condition_id",
    "status",
    "certainty",
    "summary",
    "key_takeaways",
    "limitations",
    "mechanism_notes",
    "reviewed_on",
    "review_interval_months",
    "needs_review",
    "review_reasons",
)
GUIDELINE_FIELDS = (
    "therapy_id",
    "condition_id",
    "issuing_body",
    "document",
    "year",
    "position",
    "summary",
    "reference_id",
)
FINDING_FIELDS = (
    "verdict_id",
    "outcome",
    "importance",
    "position",
    "studies_count",
    "participants",
    "relative_effect",
    "absolute_effect",
    "certainty",
    "risk_of_bias",
    "inconsistency",
    "indirectness",
    "imprecision",
)
REGULATORY_FIELDS = ("therapy_id", "condition_id", "agency", "status", "date", "notes")


@dataclass(frozen=True)
class PlannedStudy:
    """What a study's reference needs to know to write a matching title and abstract."""

    reference: int  # index into the corpus's references
    therapy: str
    condition: str
    design: str
    outcome: str
    participants: int | None
    reuses_reference: bool


def _participants(rng: random.Random, design: str) -> tuple[str, int | None]:
    if design == "animal":
        return rng.choice(["mouse", "rat"]), rng.randint(10, 60)
    if design == "in_vitro":
        return "human cells", None
    if design in ("narrative_review", "guideline"):
        return "human", None
    if design == "case_report":
        return "human", 1
    low, high, mu = {
        "rct": (20, 5000, 4.6),
        "non_randomised_trial": (20, 800, 4.0),
        "cohort": (30, 50_000, 5.5),
        "case_control": (50, 5000, 5.3),
        "case_series": (3, 60, 2.5),
        "systematic_review": (200, 20_000, 7.0),
        "meta_analysis": (200, 20_000, 7.3),
    }[design]
    return "human", min(high, max(low, int(rng.lognormvariate(mu, 0.8))))


def _effect(
    rng: random.Random, design: str
) -> tuple[str, float | None, float | None, float | None, str]:
    """(measure, size, CI lower, CI upper, direction); about two in three comparative
    studies report an estimate, so that forest plots and pooling have data."""
    if design not in COMPARATIVE or rng.random() > 0.7:
        direction = rng.choices(
            ["benefit", "no_benefit", "mixed", "unclear", "harm"], weights=[45, 20, 15, 15, 5]
        )[0]
        return "", None, None, None, direction
    measure = rng.choice([*RATIO_MEASURES, "RR", "OR", "SMD", "MD"])
    if measure in RATIO_MEASURES:
        log_effect, se = rng.gauss(-0.2, 0.35), rng.uniform(0.08, 0.6)
        size, low, high = (
            round(math.exp(v), 3)
            for v in (log_effect, log_effect - 1.96 * se, log_effect + 1.96 * se)
        )
        direction = "benefit" if high < 1 else "harm" if low > 1 else "no_benefit"
    else:
        scale = 1.0 if measure == "SMD" else 6.0
        effect, se = rng.gauss(0.3, 0.3) * scale, rng.uniform(0.08, 0.4) * scale
        size, low, high = (round(v, 3) for v in (effect, effect - 1.96 * se, effect + 1.96 * se))
        direction = "benefit" if low > 0 else "harm" if high < 0 else "no_benefit"
    return measure, size, low, high, direction


def plan_studies(
    rng: random.Random, *, pairs: list[Pair], conditions: list[Named], therapies: list[Named]
) -> list[PlannedStudy]:
    """One entry per study, pairs in rank order; about one study in ten is a second
    outcome reported by the previous study's paper."""
    designs, weights = list(DESIGN_WEIGHTS), list(DESIGN_WEIGHTS.values())
    planned: list[PlannedStudy] = []
    next_reference = 0
    for pair in pairs:
        therapy, condition = therapies[pair.therapy].name, conditions[pair.condition].name
        previous: PlannedStudy | None = None
        for _ in range(pair.studies):
            if previous and not previous.reuses_reference and rng.random() < 0.1:
                outcome = rng.choice([o for o in literature.OUTCOMES if o != previous.outcome])
                study = PlannedStudy(
                    previous.reference,
                    therapy,
                    condition,
                    previous.design,
                    outcome,
                    previous.participants,
                    True,
                )
            else:
                design = rng.choices(designs, weights=weights)[0]
                _, participants = _participants(rng, design)
                study = PlannedStudy(
                    next_reference,
                    therapy,
                    condition,
                    design,
                    rng.choice(literature.OUTCOMES),
                    participants,
                    False,
                )
                next_reference += 1
            planned.append(study)
            previous = study
    return planned


def study_rows(
    rng: random.Random,
    *,
    first_id: int,
    planned: list[PlannedStudy],
    pairs: list[Pair],
    conditions: list[Named],
    therapies: list[Named],
    reference_ids: list[int],
    verdict_ids: list[int],
):
    index = 0
    for pair in pairs:
        for _ in range(pair.studies):
            study = planned[index]
            species, _ = _participants(rng, study.design)
            measure, size, low, high, direction = _effect(rng, study.design)
            human = species == "human" and study.design not in ("narrative_review", "guideline")
            yield (
                first_id + index,
                reference_ids[study.reference],
                therapies[pair.therapy].id,
                conditions[pair.condition].id,
                verdict_ids[pair.rank],
                study.design,
                species,
                study.participants,
                rng.choice(literature.POPULATIONS) if human else "",
                rng.choice(literature.DOSES).format(d=rng.choice([1, 2, 5, 10, 20, 40, 100, 400])),
                rng.choice(literature.COMPARATORS) if study.design in COMPARATIVE else "",
                rng.choice(literature.FOLLOW_UPS),
                study.outcome,
                f"{study.outcome}: {direction.replace('_', ' ')} with {study.therapy}. "
                f"{text.sentence(rng, 10, 24)}",
                direction,
                rng.choices(["low", "some_concerns", "high", "unclear"], weights=[3, 4, 2, 2])[0],
                measure,
                size,
                low,
                high,
                "abstract",  # extraction_source: the synthetic details "come from" its abstract
                "",
            )
            index += 1


def verdict_rows(
    rng: random.Random,
    *,
    first_id: int,
    pairs: list[Pair],
    conditions: list[Named],
    therapies: list[Named],
    flagged_ranks: set[int],
):
    statuses = ["established", "supported", "investigational", "not_supported", "contraindicated"]
    certainties = ["high", "moderate", "low", "very_low"]
    for pair in pairs:
        therapy, condition = therapies[pair.therapy].name, conditions[pair.condition].name
        status = rng.choices(statuses, weights=[10, 25, 35, 20, 10])[0]
        reviewed = ANCHOR - timedelta(days=rng.randint(0, 900)) if rng.random() < 0.85 else None
        reasons = []
        if pair.rank in flagged_ranks:
            reasons.append(review_reason("retracted_study", "A study was retracted.", at=ANCHOR))
        if rng.random() < 0.08:
            reasons.append(review_reason("new_study", "A new study was added.", at=ANCHOR))
        yield (
            first_id + pair.rank,
            therapies[pair.therapy].id,
            conditions[pair.condition].id,
            status,
            rng.choices(certainties, weights=[1, 3, 4, 2])[0],
            text.verdict_summary(rng, therapy=therapy, condition=condition, status=status),
            [text.sentence(rng, 6, 12) for _ in range(rng.randint(2, 4))],
            text.sentence(rng, 10, 20),
            text.sentence(rng, 10, 20) if rng.random() < 0.5 else "",
            reviewed,
            rng.choice([6, 12, 12, 24]),
            bool(reasons),
            reasons,
        )


def guideline_rows(rng, *, pairs, conditions, therapies, reference):
    for pair in pairs:
        if rng.random() > 0.15 and pair.rank > 0:
            continue
        condition = conditions[pair.condition].name
        for body in rng.sample(names.GUIDELINE_BODIES, rng.randint(1, 2)):
            year = rng.randint(2005, 2025)
            yield (
                therapies[pair.therapy].id,
                conditions[pair.condition].id,
                body,
                f"{body} guideline on {condition.lower()} ({year})",
                year,
                rng.choice(["recommended", "conditional", "not_supported", "no_position"]),
                text.sentence(rng, 8, 16),
                reference(),
            )


def finding_rows(rng, *, pairs, verdict_ids):
    concerns = ["not_serious", "not_serious", "serious", "very_serious"]
    for pair in pairs:
        if pair.rank >= 50 and rng.random() > 0.02:
            continue
        for position, outcome in enumerate(rng.sample(literature.OUTCOMES, rng.randint(2, 4))):
            ratio = round(rng.uniform(0.5, 1.2), 2)
            yield (
                verdict_ids[pair.rank],
                outcome,
                rng.choice(["critical", "important"]),
                position,
                rng.randint(1, max(1, pair.studies)),
                rng.randint(50, 5000),
                f"RR {ratio} (95% CI {round(ratio * 0.8, 2)} to {round(ratio * 1.2, 2)})",
                f"{rng.randint(1, 90)} fewer per 1,000",
                rng.choice(["high", "moderate", "low"]),
                *(rng.choice(concerns) for _ in range(4)),
            )


def regulatory_rows(rng, *, pairs, conditions, therapies):
    for pair in pairs:
        if rng.random() > 0.2 and pair.rank > 0:
            continue
        for agency in rng.sample(["FDA", "EMA", "TGA", "MHRA", "HC"], rng.randint(1, 2)):
            yield (
                therapies[pair.therapy].id,
                conditions[pair.condition].id,
                agency,
                rng.choice(["approved", "off_label", "not_approved"]),
                date(rng.randint(1995, 2025), rng.randint(1, 12), rng.randint(1, 28)),
                "",
            )
