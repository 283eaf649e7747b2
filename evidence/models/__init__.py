"""Conditions and the evidence about therapies for them: studies, guideline positions,
verdicts, and the rows of the editorial workflow. One module per concept; every public
name is re-exported here, so ``from evidence.models import Study`` works everywhere."""

from .conditions import Condition
from .editorial import Candidate, DigestLog, EditorScope, SavedSearch
from .follows import Follow, VersionNotice
from .guidelines import GuidelinePosition
from .published import PublishedStudy, PublishedVerdict
from .studies import (
    PRECLINICAL_DESIGNS,
    REVIEW_DESIGNS,
    SORT_TITLE_LENGTH,
    STUDY_EXTRACTED_FIELDS,
    Design,
    Direction,
    EvidenceGroup,
    ExtractionSource,
    Study,
    StudyQuerySet,
    StudyRecord,
    evidence_group_of,
    study_flagged,
)
from .verdicts import (
    PUBLISHED_VERDICT_FIELDS,
    OutcomeFinding,
    Verdict,
    VerdictQuerySet,
    VerdictReference,
)
from .versions import VerdictVersion

__all__ = [
    "PUBLISHED_VERDICT_FIELDS",
    "VerdictQuerySet",
    "STUDY_EXTRACTED_FIELDS",
    "SORT_TITLE_LENGTH",
    "Candidate",
    "Condition",
    "PRECLINICAL_DESIGNS",
    "REVIEW_DESIGNS",
    "Design",
    "DigestLog",
    "Direction",
    "EvidenceGroup",
    "ExtractionSource",
    "EditorScope",
    "Follow",
    "GuidelinePosition",
    "OutcomeFinding",
    "PublishedStudy",
    "PublishedVerdict",
    "SavedSearch",
    "Study",
    "StudyQuerySet",
    "StudyRecord",
    "Verdict",
    "VerdictReference",
    "VerdictVersion",
    "VersionNotice",
    "evidence_group_of",
    "study_flagged",
]
