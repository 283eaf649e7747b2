"""Plain records every parser returns: a bibliographic record, its authors and notices.

No Django here: services map these onto models, and parsers stay fast to test.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, fields, is_dataclass
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

# The years the Reference table accepts (its reference_year_sane constraint): a year
# outside them is a typo or garbage, and is dropped rather than failing the import.
MIN_YEAR = 1600
MAX_YEAR = 2100


def small_int(value: object, max_digits: int = 9) -> int | None:
    """A non-negative whole number given as an int or in decimal digits, else None.

    ``str.isdigit`` is true of "²", which ``int`` refuses, and ``int`` refuses strings of
    more than 4,300 digits: both would escape a parser as a ValueError.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value < 10**max_digits else None
    if not isinstance(value, str):
        return None
    text = value.strip()
    return int(text) if text.isdecimal() and len(text) <= max_digits else None


def plausible_year(year: int | None) -> int | None:
    return year if year is not None and MIN_YEAR <= year <= MAX_YEAR else None


def text_problem(value: object) -> str | None:
    """What in ``value`` (a string, or lists and dicts of them) cannot be stored as text.

    PostgreSQL refuses the NUL character, and a lone surrogate (which JSON's \\ud800
    escapes can produce) cannot be encoded as UTF-8 at all.
    """
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return "a NUL character (\\u0000)"
            if not item.isascii():
                try:
                    item.encode("utf-8")
                except UnicodeEncodeError as exc:
                    return f"an unpaired surrogate (\\u{ord(item[exc.start]):04x})"
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
        elif is_dataclass(item) and not isinstance(item, type):
            stack.extend(getattr(item, f.name) for f in fields(item))
    return None


def scrub(value: object) -> object:
    """``value`` with NULs removed and lone surrogates replaced by U+FFFD, at any depth.

    For upstream answers, which are taken as they come rather than refused.
    """
    if isinstance(value, str):
        if "\x00" in value:
            value = value.replace("\x00", "")
        if text_problem(value) is not None:
            value = "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in value)
        return value
    if isinstance(value, dict):
        return {scrub(key): scrub(item) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub(item) for item in value]
    return value


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
    # Problems that cost the record a value but not its import ("year 1492 is outside
    # 1600–2100; kept as text"), for the import job to report beside the record.
    warnings: list[str] = field(default_factory=list)
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
    """A record of a file that cannot be imported.

    ``message`` is the reason alone: the line is in ``line`` and the record's title or
    first author in ``label``, for the import job to put before it once.
    """

    line: int | None
    message: str
    label: str = ""


@dataclass
class FileParseResult:
    records: list[BibRecord]
    errors: list[RecordError]
    format: str


@dataclass
class PubmedBatch:
    records: list[BibRecord]
    deleted_pmids: list[str] = field(default_factory=list)
