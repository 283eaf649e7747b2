"""Reads for the evidence pages and the API: plain dataclasses shaped per page.

Each selector runs a fixed number of queries whatever the number of studies: related rows
come with select_related / prefetch_related, counts are aggregated in the database
(Count with filter=), and long lists are paginated or bounded. Unknown slugs raise Http404.
"""

from .common import FLAGGED_REFERENCE, DesignRow, DirectionCounts
from .condition import ConditionSummary, VerdictSummary, condition_evidence_summary
from .findings import Downgrade, FindingRow
from .home import ConditionNode, HomeIndex, MatrixCell, MatrixRow, home_index
from .pages import STUDIES_PER_PAGE, StudyPage, page_number
from .pair import PairEvidence, StudyRow, pair_evidence, pair_references
from .published import PublishedLists, published_lists, published_lists_of

__all__ = [
    "FLAGGED_REFERENCE",
    "STUDIES_PER_PAGE",
    "ConditionNode",
    "ConditionSummary",
    "DesignRow",
    "DirectionCounts",
    "Downgrade",
    "FindingRow",
    "HomeIndex",
    "MatrixCell",
    "MatrixRow",
    "PairEvidence",
    "PublishedLists",
    "StudyPage",
    "StudyRow",
    "VerdictSummary",
    "condition_evidence_summary",
    "home_index",
    "page_number",
    "pair_evidence",
    "pair_references",
    "published_lists",
    "published_lists_of",
]
