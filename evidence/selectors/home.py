"""The home page: conditions, therapies and a matrix of their verdicts, bounded in size.

A small catalogue (the demo) is shown whole: every condition in its tree, every therapy,
and the matrix of every condition against every therapy with a verdict. A large one
(a thousand conditions, hundreds of therapies) would make a page of megabytes that no
clinician reads, so past the limits below the page lists the conditions and therapies
with the most verdicts and says how many more there are (each has its own page, and
search finds them); the matrix keeps to the most-reviewed conditions and therapies.
"""

from dataclasses import dataclass, field

from django.db.models import Count

from therapies.models import Therapy

from ..models import Condition, Verdict
from .common import PUBLISHED_VERDICTS

PUBLISHED_COUNT = Count("verdicts", filter=PUBLISHED_VERDICTS)

# Past this many conditions the home page lists only the most-reviewed ones, flat.
HOME_CONDITION_LIMIT = 200
HOME_THERAPY_LIMIT = 200
MATRIX_MAX_ROWS = 60
MATRIX_MAX_THERAPIES = 12


@dataclass
class ConditionNode:
    condition: Condition
    children: list["ConditionNode"] = field(default_factory=list)


@dataclass(frozen=True)
class MatrixCell:
    therapy: Therapy
    verdict: Verdict | None  # only status and certainty loaded


@dataclass(frozen=True)
class MatrixRow:
    condition: Condition
    depth: int  # 0 for a top-level condition, 1 for a sub-condition ...
    cells: list[MatrixCell]


@dataclass(frozen=True)
class HomeIndex:
    conditions: list[ConditionNode]  # top-level conditions, sub-conditions nested
    therapies: list[Therapy]  # each annotated with verdict_count
    matrix: list[MatrixRow] = field(default_factory=list)  # conditions x therapies
    condition_total: int = 0
    therapy_total: int = 0
    matrix_therapy_total: int = 0  # therapies with a verdict

    @property
    def conditions_shown(self) -> int:
        def size(nodes: list[ConditionNode]) -> int:
            return sum(1 + size(node.children) for node in nodes)

        return size(self.conditions)

    @property
    def more_conditions(self) -> int:
        return self.condition_total - self.conditions_shown

    @property
    def more_therapies(self) -> int:
        return self.therapy_total - len(self.therapies)

    @property
    def matrix_is_partial(self) -> bool:
        shown_rows = len(self.matrix)
        shown_columns = len(self.matrix[0].cells) if self.matrix else 0
        return shown_rows < self.condition_total or shown_columns < self.matrix_therapy_total


def _most_reviewed(queryset, limit: int) -> list:
    rows = list(
        queryset.annotate(verdict_count=Count("verdicts", filter=PUBLISHED_VERDICTS)).order_by(
            "-verdict_count", "name"
        )[:limit]
    )
    return sorted(rows, key=lambda row: row.name.casefold())


# Long function: the home page's fixed set of queries, kept together against its pinned count.
def home_index() -> HomeIndex:
    """Conditions, therapies and the matrix's verdicts. Five queries, whatever the size."""
    condition_total = Condition.objects.count()
    if condition_total <= HOME_CONDITION_LIMIT:
        conditions = list(
            Condition.objects.annotate(
                verdict_count=Count("verdicts", filter=PUBLISHED_VERDICTS)
            ).order_by("name")
        )
        nodes = {condition.pk: ConditionNode(condition=condition) for condition in conditions}
        roots = []
        for node in nodes.values():
            parent = nodes.get(node.condition.parent_id)
            (parent.children if parent else roots).append(node)
    else:
        roots = [
            ConditionNode(condition=c)
            for c in _most_reviewed(Condition.objects, HOME_CONDITION_LIMIT)
        ]
    therapies = list(
        Therapy.objects.annotate(
            verdict_count=Count("verdicts", filter=PUBLISHED_VERDICTS)
        ).order_by("-verdict_count", "name")
    )
    therapy_total = len(therapies)
    with_verdicts = [therapy for therapy in therapies if therapy.verdict_count]
    columns = sorted(with_verdicts[:MATRIX_MAX_THERAPIES], key=lambda t: t.name.casefold())
    therapies = sorted(therapies[:HOME_THERAPY_LIMIT], key=lambda t: t.name.casefold())

    rows: list[tuple[Condition, int]] = []

    def walk(node: ConditionNode, depth: int) -> None:
        rows.append((node.condition, depth))
        for child in node.children:
            walk(child, depth + 1)

    for root in roots:
        walk(root, 0)
    if len(rows) > MATRIX_MAX_ROWS:
        ranked = sorted(rows, key=lambda row: (-row[0].verdict_count, row[0].name.casefold()))
        rows = sorted(
            ((condition, 0) for condition, _ in ranked[:MATRIX_MAX_ROWS]),
            key=lambda row: row[0].name.casefold(),
        )
    verdicts = {
        (verdict.condition_id, verdict.therapy_id): verdict
        for verdict in Verdict.objects.published()
        .filter(
            condition_id__in=[condition.pk for condition, _ in rows],
            therapy_id__in=[therapy.pk for therapy in columns],
        )
        .only(
            "id",
            "condition_id",
            "therapy_id",
            "published__status",
            "published__certainty",
            "published__number",
            "published__published_at",
        )
    }
    matrix = [
        MatrixRow(
            condition=condition,
            depth=depth,
            cells=[
                MatrixCell(therapy=therapy, verdict=verdicts.get((condition.pk, therapy.pk)))
                for therapy in columns
            ],
        )
        for condition, depth in rows
    ]
    return HomeIndex(
        conditions=roots,
        therapies=therapies,
        matrix=matrix,
        condition_total=condition_total,
        therapy_total=therapy_total,
        matrix_therapy_total=len(with_verdicts),
    )
