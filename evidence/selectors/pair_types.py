"""What the pair page is given: the evidence on one therapy for one condition, a page
of it at a time (built by evidence.selectors.pair)."""

from __future__ import annotations

from dataclasses import dataclass, field

from therapies.selectors import (
    Cited,
    CitedSafety,
    NumberedReference,
)

from ..models import (
    OutcomeFinding,
    StudyRecord,
)
from ..presentation.forest import ForestGroup
from .common import DesignRow, PairSummary
from .findings import GRADE_DOMAINS, FindingRow
from .pages import StudyPage
from .related import RelatedPair

# As many flagged studies as the warning lists by name; the rest are counted.
FLAGGED_LIST_LIMIT = 20


@dataclass(frozen=True)
class StudyRow:
    study: StudyRecord
    reference: NumberedReference
    on_page: bool = True  # False: a flagged study listed in the warning, from another page
    source: NumberedReference | None = None  # the citing article its details were read in

    @property
    def is_flagged(self) -> bool:
        return self.reference.is_flagged


SERIOUS_SEVERITIES = ("serious", "life_threatening")


@dataclass(frozen=True)
class PairEvidence(PairSummary):
    background: list[NumberedReference]
    background_claims: list[Cited]  # item: what the verdict takes from the source, or ""
    studies: list[StudyRow]  # this page's rows
    guideline_positions: list[Cited]
    regulatory_statuses: list[Cited]  # of RegulatoryStatus
    safety: CitedSafety
    references: list[NumberedReference]  # this page's, numbered as cited on it
    findings: list[FindingRow] = field(default_factory=list)
    forest_groups: list[ForestGroup] = field(default_factory=list)
    page: StudyPage | None = None
    design_rows: list[DesignRow] = field(default_factory=list)
    flagged_studies: list[StudyRow] = field(default_factory=list)  # at most FLAGGED_LIST_LIMIT
    flagged_study_count: int = 0
    largest_trial: StudyRecord | None = None  # the randomised trial with the most participants
    timeline_studies: list[StudyRecord] = field(default_factory=list)  # empty: too many to draw
    forest_group_count: int = 0  # outcomes with effect sizes; at most FOREST_MAX_GROUPS drawn
    # Read only when the pair has no studies of its own: where its evidence is recorded.
    related: list[RelatedPair] = field(default_factory=list)

    @property
    def more_forest_groups(self) -> int:
        return self.forest_group_count - len(self.forest_groups)

    @property
    def more_flagged_studies(self) -> int:
        return self.flagged_study_count - len(self.flagged_studies)

    @property
    def flagged_background(self) -> list[NumberedReference]:
        return [item for item in self.background if item.is_flagged]

    @property
    def flagged_reference_count(self) -> int:
        return len(self.flagged_background)

    @property
    def downgraded_domains(self) -> list[str]:
        """Every GRADE domain any finding was rated down for, in GRADE's order."""
        seen = {d.domain for row in self.findings for d in row.downgrades}
        names = [str(OutcomeFinding._meta.get_field(name).verbose_name) for name in GRADE_DOMAINS]
        return [name for name in names if name in seen]

    @property
    def serious_adverse_effects(self) -> list[Cited]:
        return [
            cited
            for cited in self.safety.adverse_effects
            if cited.item.severity in SERIOUS_SEVERITIES
        ]

    @property
    def absolute_contraindications(self) -> list[Cited]:
        return [cited for cited in self.safety.contraindications if cited.item.kind == "absolute"]
