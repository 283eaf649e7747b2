"""The kinds of things the site search finds, and the shape of its results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page

from evidence.models import Condition
from references.models import Reference
from therapies.models import Therapy

from .candidates import MATCH_LIMIT


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    singular: str


KINDS = [
    Kind("conditions", "Conditions", "condition"),
    Kind("therapies", "Therapies", "therapy"),
    Kind("adverse-effects", "Adverse effects", "adverse effect"),
    Kind("contraindications", "Contraindications", "contraindication"),
    Kind("formulations", "Formulations", "formulation"),
    Kind("guideline-positions", "Guideline positions", "guideline position"),
    Kind("regulatory-statuses", "Regulatory statuses", "regulatory status"),
    Kind("studies", "Studies", "study"),
    Kind("references", "References", "reference"),
]
KIND_KEYS = [kind.key for kind in KINDS]
# Facts shown on therapy and pair pages: small tables, searched like conditions and therapies.
FACT_KINDS = {
    "adverse-effects",
    "contraindications",
    "formulations",
    "guideline-positions",
    "regulatory-statuses",
}


@dataclass(frozen=True)
class KindResults:
    kind: Kind
    total: int
    hits: list[Any]
    page: Page | None = None  # when the search is limited to this kind
    # The total is a lower bound: a phrase was checked in only part of the records holding
    # its words (search.candidates.PHRASE_SCAN).
    approximate: bool = False

    @property
    def has_more(self) -> bool:
        return self.page is None and self.total > len(self.hits)

    @property
    def is_capped(self) -> bool:
        """More records match than were counted (search.candidates)."""
        return self.total > MATCH_LIMIT

    @property
    def total_label(self) -> str:
        if self.is_capped:
            return f"more than {MATCH_LIMIT:,}"
        return f"at least {self.total:,}" if self.approximate else f"{self.total:,}"


@dataclass(frozen=True)
class ReferenceHit:
    reference: Reference
    # (condition, therapy, has_verdict) for every pair with a study of this reference.
    pairs: list[tuple[Condition, Therapy, bool]]

    AUTHORS_SHOWN = 3

    @property
    def author_names(self) -> list[str]:
        names = [
            author.get("family") or author.get("collective") or ""
            for author in self.reference.authors or []
            if isinstance(author, dict)
        ]
        return [name for name in names if name]

    @property
    def first_authors(self) -> list[str]:
        return self.author_names[: self.AUTHORS_SHOWN]

    @property
    def more_authors(self) -> bool:
        return len(self.author_names) > self.AUTHORS_SHOWN


@dataclass(frozen=True)
class SearchResults:
    query: str
    terms: list[str]
    kind: Kind | None  # the search was limited to one kind
    groups: list[KindResults] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(min(group.total, MATCH_LIMIT) for group in self.groups)

    @property
    def count_label(self) -> str:
        if any(group.is_capped for group in self.groups):
            return f"more than {self.count:,}"
        if any(group.approximate for group in self.groups):
            return f"at least {self.count:,}"
        return f"{self.count:,}"
