"""The summary of findings of a pair: each outcome with the GRADE domains its certainty
was rated down for."""

from dataclasses import dataclass

from ..models import OutcomeFinding


@dataclass(frozen=True)
class Downgrade:
    """One GRADE domain for which the certainty of a finding was rated down."""

    domain: str  # "risk of bias"
    concern: str  # "Serious (−1)"
    levels: int  # 1 or 2


GRADE_DOMAINS = ["risk_of_bias", "inconsistency", "indirectness", "imprecision", "publication_bias"]
_CONCERN_LEVELS = {OutcomeFinding.Concern.SERIOUS: 1, OutcomeFinding.Concern.VERY_SERIOUS: 2}


@dataclass(frozen=True)
class FindingRow:
    """One outcome of the summary of findings, with the reasons its certainty is lower."""

    finding: OutcomeFinding
    downgrades: list[Downgrade]


def finding_row(finding: OutcomeFinding) -> FindingRow:
    downgrades = []
    for name in GRADE_DOMAINS:
        value = getattr(finding, name)
        if value in _CONCERN_LEVELS:
            downgrades.append(
                Downgrade(
                    domain=str(OutcomeFinding._meta.get_field(name).verbose_name),
                    concern=OutcomeFinding.Concern(value).label,
                    levels=_CONCERN_LEVELS[value],
                )
            )
    return FindingRow(finding=finding, downgrades=downgrades)
