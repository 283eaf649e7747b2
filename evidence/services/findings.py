"""Writes of the rows of a verdict's summary of findings (GRADE)."""

from django.db import transaction

from config.modelwrites import row_upsert

from ..models import OutcomeFinding, Verdict
from .verdicts import verdict_certainty_check


@transaction.atomic
def outcome_finding_upsert(
    *,
    verdict: Verdict,
    outcome: str,
    certainty: str,
    importance: str = OutcomeFinding.Importance.CRITICAL,
    position: int = 0,
    studies_count: int = 0,
    participants: int | None = None,
    relative_effect: str = "",
    absolute_effect: str = "",
    risk_of_bias: str = OutcomeFinding.Concern.NOT_SERIOUS,
    inconsistency: str = OutcomeFinding.Concern.NOT_SERIOUS,
    indirectness: str = OutcomeFinding.Concern.NOT_SERIOUS,
    imprecision: str = OutcomeFinding.Concern.NOT_SERIOUS,
    publication_bias: str = OutcomeFinding.Concern.NOT_SERIOUS,
    comment: str = "",
) -> OutcomeFinding:
    """One row of a verdict's summary of findings, keyed on (verdict, outcome).

    A row may not leave the verdict's certainty above the lowest among its critical
    outcomes (GRADE) unless the verdict states a reason for the override: a
    ValidationError on ``certainty`` otherwise, and nothing is written.
    """
    verdict.refresh_from_db(fields=["certainty", "certainty_override_reason"])
    others = OutcomeFinding.objects.filter(verdict=verdict).exclude(outcome=outcome)
    verdict_certainty_check(
        certainty=verdict.certainty,
        findings=[
            *others,
            OutcomeFinding(outcome=outcome, importance=importance, certainty=certainty),
        ],
        override_reason=verdict.certainty_override_reason,
    )
    finding = row_upsert(
        OutcomeFinding,
        lookup={"verdict": verdict, "outcome": outcome},
        values={
            "certainty": certainty,
            "importance": importance,
            "position": position,
            "studies_count": studies_count,
            "participants": participants,
            "relative_effect": relative_effect,
            "absolute_effect": absolute_effect,
            "risk_of_bias": risk_of_bias,
            "inconsistency": inconsistency,
            "indirectness": indirectness,
            "imprecision": imprecision,
            "publication_bias": publication_bias,
            "comment": comment,
        },
    )
    return finding
