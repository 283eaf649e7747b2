"""Plain records every parser returns: a bibliographic record, its authors and notices.

No Django here: services map these onto models, and parsers stay fast to test.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Literal

NoticeType = Literal[
    "retraction",
    "correction",
    "expression_of_concern",
    "retracted_and_republished",
    "update",
]
NOTICE_TYPES: tuple[str, ...] = (
    "retraction",
    "correction",
    "expression_of_concern",
    "retracted_and_republished",
    "update",
)

RETRACTED_PUBLICATION_TYPE = "Retracted Publication"


def iso_partial_date(year: int | None, month: int | None = None, day: int | None = None) -> str:
    """ "1995", "1995-05" or "1995-05-14": as precise as the source, never more."""
    if year is None:
        return ""
    if month is None:
        return f"{year:04d}"
    if day is None:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


class ParseError(ValueError):
    """The input as a whole cannot be parsed (wrong format, not well-formed, too large)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message if line is None else f"{message} (line {line})")
        self.message = message
        self.line = line


@dataclass(slots=True)
class Author:
    family: str = ""
    given: str = ""
    initials: str = ""
    suffix: str = ""
    orcid: str = ""
    collective: str = ""

    @property
    def display_name(self) -> str:
        if self.collective:
            return self.collective
        name = f"{self.family} {self.initials or self.given}".strip()
        return f"{name} {self.suffix}".strip()


@dataclass(slots=True)
class Notice:
    """A retraction, correction, expression of concern... linking two works."""

    type: str
    doi: str = ""
    pmid: str = ""
    date: datetime.date | None = None
    source: str = ""
    note: str = ""


@dataclass(slots=True)
class BibRecord:
    source: str
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    pii: str = ""
    title: str = ""
    authors: list[Author] = field(default_factory=list)
    journal: str = ""
    journal_abbreviation: str = ""
    year: int | None = None
    month: int | None = None
    day: int | None = None
    # ISO partial date ("1995", "1995-05", "1995-05-14"); seasons and MedlineDate keep
    # only the year here and the source's own words in date_text.
    publication_date: str = ""
    date_text: str = ""
    volume: str = ""
    issue: str = ""
    pages: str = ""
    # Plain text; labelled sections as "LABEL: text" paragraphs separated by blank lines.
    abstract: str = ""
    abstract_sections: list[tuple[str, str]] = field(default_factory=list)
    other_abstracts: list[tuple[str, str]] = field(default_factory=list)  # (language, text)
    language: str = ""
    publication_types: list[str] = field(default_factory=list)
    publication_type_ids: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    url: str = ""
    # Amendments to this work (RetractionIn, ErratumIn..., Crossref updated-by).
    notices: list[Notice] = field(default_factory=list)
    # This record is itself a notice about other works (RetractionOf..., update-to).
    amends: list[Notice] = field(default_factory=list)
    # Other links, as the source gives them: PubMed {"CommentIn": [{"pmid", "source"}]...},
    # MEDLINE {"CIN": ["citation text"]...}, Crossref's `relation` object unchanged.
    relations: dict = field(default_factory=dict)
    is_book: bool = False
    publisher: str = ""
    line: int | None = None
    # The record's own upstream bytes (PubMed article XML, Crossref message JSON).
    raw: bytes = field(default=b"", repr=False)

    @property
    def is_retracted(self) -> bool:
        return RETRACTED_PUBLICATION_TYPE in self.publication_types or any(
            n.type == "retraction" for n in self.notices
        )

    @property
    def has_identifier(self) -> bool:
        return bool(self.doi or self.pmid or self.pmcid)


@dataclass(frozen=True)
class RecordError:
    line: int | None
    message: str


@dataclass
class FileParseResult:
    records: list[BibRecord]
    errors: list[RecordError]
    format: str


@dataclass
class PubmedBatch:
    records: list[BibRecord]
    deleted_pmids: list[str] = field(default_factory=list)
