"""The home page: conditions, therapies and a matrix of their verdicts, bounded in size.

A small catalogue (the demo) is shown whole: every condition in its tree, every therapy,
and the matrix of every condition against every therapy with a verdict. A large one
(a thousand conditions, hundreds of therapies) would make a page of megabytes that no
clinician reads, so past the limits below the page lists the conditions and therapies
with the most verdicts and says how many more there are (each has its own page, and
search finds them); the matrix keeps to the most-reviewed conditions and therapies.
"""

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

from therapies.models import Therapy

from ..models import Condition, PublishedVerdict, Verdict

# Past this many conditions the home page lists only the most-reviewed ones, flat.
HOME_CONDITION_LIMIT = 200
HOME_THERAPY_LIMIT = 200
MATRIX_MAX_ROWS = 60
MATRIX_MAX_THERAPIES = 12
# What the URLs' <slug:> converter accepts; other values go through reverse() itself.
SLUG = re.compile(r"[-a-zA-Z0-9_]+")


@dataclass
class ConditionNode:
    condition: Condition
    children: list["ConditionNode"] = field(default_factory=list)


@dataclass(frozen=True)
class MatrixCell:
    therapy: Therapy
    verdict: Verdict | None  # only status and certainty loaded
    url: str = ""  # the pair's page


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


def _url_maker(name: str, arity: int = 1) -> Callable[..., str]:
    """``reverse(name, args=slugs)`` for slug arguments, from a single reverse(): the home
    page links hundreds of conditions, therapies and pairs."""
    markers = [f"zz{i}slugmarkerzz" for i in range(arity)]
    pieces = re.split("|".join(markers), reverse(name, args=markers))

    def url(*slugs: str) -> str:
        built = pieces[0]
        for slug, piece in zip(slugs, pieces[1:], strict=True):
            if not SLUG.fullmatch(slug):
                return reverse(name, args=slugs)
            built += slug + piece
        return built

    return url


def _published_pairs() -> list[tuple[int, int, str, str]]:
    """(condition id, therapy id, status, certainty) of every published verdict."""
    return list(
        PublishedVerdict.objects.values_list(
            "verdict__condition_id", "verdict__therapy_id", "status", "certainty"
        )
    )


def _most_reviewed(rows: list[tuple], counts: Counter, limit: int | None) -> list[tuple]:
    """Rows (id first) with the most verdicts first, in the database's order by name among
    equals (a stable sort of rows read in that order)."""
    return sorted(rows, key=lambda row: -counts[row[0]])[:limit]


def _instances(model, fields: tuple[str, ...], rows: list[tuple], counts: Counter) -> list:
    """Model instances of the rows shown, as only() would load them, with their count."""
    instances = []
    for row in rows:
        instance = model.from_db(None, fields, row)
        instance.verdict_count = counts[row[0]]
        instances.append(instance)
    return instances


def _condition_roots(counts: Counter, url: Callable[..., str]) -> tuple[list[ConditionNode], int]:
    """The conditions shown (all of them in their tree, or the most-reviewed, flat), and
    how many there are."""
    fields = ("id", "name", "slug", "parent_id")
    rows = list(Condition.objects.order_by("name").values_list(*fields))
    if len(rows) <= HOME_CONDITION_LIMIT:
        nodes = {
            condition.pk: ConditionNode(condition=condition)
            for condition in _instances(Condition, fields, rows, counts)
        }
        roots = []
        for node in nodes.values():
            parent = nodes.get(node.condition.parent_id)
            (parent.children if parent else roots).append(node)
    else:
        shown = _instances(
            Condition, fields, _most_reviewed(rows, counts, HOME_CONDITION_LIMIT), counts
        )
        roots = [ConditionNode(condition=c) for c in sorted(shown, key=lambda c: c.name.casefold())]
    for node in _walk(roots):
        node.condition.page_url = url(node.condition.slug)
    return roots, len(rows)


def _walk(nodes: list[ConditionNode]):
    for node in nodes:
        yield node
        yield from _walk(node.children)


def _therapies(counts: Counter, url: Callable[..., str]) -> tuple[list, list, int, int]:
    """The therapies listed, the matrix's columns, how many therapies and how many of
    them have a verdict."""
    fields = ("id", "name", "slug")
    rows = _most_reviewed(
        list(Therapy.objects.order_by("name").values_list(*fields)), counts, limit=None
    )
    with_verdicts = [row for row in rows if counts[row[0]]]
    listed = _instances(Therapy, fields, rows[:HOME_THERAPY_LIMIT], counts)
    by_id = {therapy.pk: therapy for therapy in listed}
    columns = [
        by_id.get(row[0]) or _instances(Therapy, fields, [row], counts)[0]
        for row in with_verdicts[:MATRIX_MAX_THERAPIES]
    ]
    for therapy in [*listed, *columns]:
        therapy.page_url = url(therapy.slug)
    return (
        sorted(listed, key=lambda t: t.name.casefold()),
        sorted(columns, key=lambda t: t.name.casefold()),
        len(rows),
        len(with_verdicts),
    )


def _matrix(
    roots: list[ConditionNode], columns: list, published: list[tuple], url: Callable[..., str]
) -> list[MatrixRow]:
    """Every condition shown against the columns, or the most-reviewed ones, flat."""
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
    shown = {condition.pk for condition, _ in rows}
    columns_shown = {therapy.pk for therapy in columns}
    verdicts = {
        (condition_id, therapy_id): Verdict(
            condition_id=condition_id, therapy_id=therapy_id, status=status, certainty=certainty
        )
        for condition_id, therapy_id, status, certainty in published
        if condition_id in shown and therapy_id in columns_shown
    }
    return [
        MatrixRow(
            condition=condition,
            depth=depth,
            cells=[
                MatrixCell(
                    therapy=therapy,
                    verdict=verdict,
                    url=url(condition.slug, therapy.slug) if verdict else "",
                )
                for therapy in columns
                for verdict in [verdicts.get((condition.pk, therapy.pk))]
            ],
        )
        for condition, depth in rows
    ]


def home_index() -> HomeIndex:
    """Conditions, therapies and the matrix's verdicts. Three queries, whatever the size:
    every published verdict's pair, status and certainty (the counts and the matrix), the
    conditions and the therapies, each with only what the page shows."""
    published = _published_pairs()
    by_condition = Counter(condition_id for condition_id, _, _, _ in published)
    by_therapy = Counter(therapy_id for _, therapy_id, _, _ in published)
    roots, condition_total = _condition_roots(by_condition, _url_maker("evidence:condition-detail"))
    therapies, columns, therapy_total, with_verdicts = _therapies(
        by_therapy, _url_maker("therapies:therapy-detail")
    )
    return HomeIndex(
        conditions=roots,
        therapies=therapies,
        matrix=_matrix(roots, columns, published, _url_maker("evidence:pair-detail", 2)),
        condition_total=condition_total,
        therapy_total=therapy_total,
        matrix_therapy_total=with_verdicts,
    )
