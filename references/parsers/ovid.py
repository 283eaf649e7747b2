"""Ovid field-tagged text (MEDLINE, Embase, PsycInfo, BIOSIS... exported from Ovid in its
own "Citavi"/"EndNote"/"Reference Manager" tagged layout) to BibRecords.

A record opens with its number ("<3001. >") and ``VN  - Ovid Technologies``; a tag is
two to five characters, white space, "-" and the value; continuation lines are indented.
``UI`` is the PubMed id when the database (``DB``) is MEDLINE; ``SO`` is a citation
string ("BMC Proceedings. 12 (Supplement 3) (no pagination), 2018.") read for what
the separate ``JN``/``VO``/``IP``/``PG``/``YR`` tags do not give.
"""

from __future__ import annotations

import re

from .common import RecordProblems, check_size, clean, decode_text, pages, person
from .dates import record_year
from .records import BibRecord, FileParseResult, RecordError, iso_partial_date
from .tagged import Dialect, Record, parse_tagged

__all__ = ["OVID_START", "parse_ovid"]

OVID_START = re.compile(r"^\s*(?:<\s*\d+\.\s*>\s*$|VN\s{1,2}-\s*Ovid Technologies)", re.MULTILINE)
_DIALECT = Dialect(
    tag_line=re.compile(r"^ {0,2}([A-Z][A-Z0-9]{1,4})[ \t]*-(?:[ \t]+(.*)|[ \t]*$)"),
    starts=lambda tag, value: tag == "VN",
    header=re.compile(r"^\s*<\s*\d+\.\s*>\s*$"),
    list_tags=frozenset({"ED", "FED"}),
)
_VOLUME_ISSUE = re.compile(r"(\d+)\s*\(([^)]+)\)")
_VOLUME_ONLY = re.compile(r"\d{4};\s*(\d+)\s*:")
_PAGES = re.compile(r"(?:pp\.\s*|:\s*)(\d+\s*-\s*\d+)(?!\d)")
# What Journals@Ovid writes after a given name: footnote marks ("Zhang, Weijia 1 2 +") and
# degrees ("Gazic, Barbara MD, PhD *"); a degree is taken off only after a first given
# name, so that initials ("Smith, MD") stay.
_DECORATION = re.compile(r"\d+|[+*]|Ph\.?\s?D\.?|M\.?D\.?|MPH|FACSM|DrPH|RN")
_MONTH = re.compile(
    r"\s(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec|January|February|March|April|June|"
    r"July|August|September|October|November|December|Spring|Summer|Fall|Autumn|Winter)\b.*$"
)
_TITLE_TAIL = re.compile(r"(?:\.\s*)?(?:\[(?:Article|Report|Miscellaneous|References)\])?[.\s]*$")


def parse_ovid(data: bytes) -> FileParseResult:
    check_size(data, "Ovid file")
    text = decode_text(data, "Ovid file")
    return parse_tagged(
        text,
        _DIALECT,
        build=_checked_record,
        missing="not an Ovid file: no record start ('VN  - Ovid Technologies') found",
        format="ovid",
    )


def _checked_record(raw: Record) -> tuple[BibRecord, RecordError | None]:
    rec = _record(raw)
    problems = RecordProblems(rec)
    if (doi := raw.first("DO", "DI")) and "10." in doi:
        problems.identifier_token("doi", doi)
    database = raw.first("DB")
    pmid = raw.first("PM") or (raw.first("UI") if "MEDLINE" in database.upper() else "")
    if pmid:
        problems.identifier_token("pmid", pmid)
    return rec, problems.error()


def _authors(raw: Record) -> list:
    full = raw.values("FA")
    if full:
        return [person(name) for name in full]
    names = [n for value in raw.values("AU") for n in re.sub(r"\[[^\]]*\]?", "", value).split(";")]
    return [person(_undecorated(name)) for name in names if _undecorated(name)]


def _undecorated(name: str) -> str:
    family, comma, given = name.strip().partition(",")
    tokens = [t for t in re.split(r"[\s,]+", given.strip() if comma else family) if t]
    while len(tokens) > 1 and _DECORATION.fullmatch(tokens[-1]):
        tokens.pop()
    return f"{family.strip()}, {' '.join(tokens)}" if comma else " ".join(tokens)


def _record(raw: Record) -> BibRecord:
    rec = BibRecord(source="file", line=raw.line)
    rec.title = _TITLE_TAIL.sub("", clean(raw.first("TI"))).strip().strip('"')
    rec.authors = _authors(raw)
    source = clean(raw.first("SO"))
    kind = clean(raw.first("PT", "DT"))
    rec.is_book = raw.first("DB") == "Books@Ovid" or kind.lower().startswith("book")
    journal = clean(raw.first("JN", "JT", "JX", "BT"))
    if not journal and source and not kind.lower().startswith(("book", "dissertation")):
        journal = _MONTH.sub("", re.split(r"\.\s|;|,|\(", source)[0]).strip()
    rec.journal = journal
    rec.journal_abbreviation = clean(raw.first("TA"))
    volume_issue = _VOLUME_ISSUE.search(source)
    volume_only = _VOLUME_ONLY.search(source)
    rec.volume = clean(raw.first("VO", "VI")) or next(
        (m.group(1) for m in (volume_issue, volume_only) if m), ""
    )
    rec.issue = clean(raw.first("IP")) or (volume_issue.group(2) if volume_issue else "")
    found_pages = _PAGES.search(source)
    rec.pages = pages(raw.first("PG")) or (pages(found_pages.group(1)) if found_pages else "")
    if rec.pages.lower().startswith("no pagination"):
        rec.pages = ""
    rec.year = record_year(rec, clean(raw.first("YR")) or _source_year(source))
    rec.publication_date = iso_partial_date(rec.year)
    rec.abstract = clean(raw.first("AB"))
    rec.language = clean(raw.first("LG", "LA"))
    rec.publisher = clean(raw.first("PB"))
    rec.publication_types = [t for t in (kind,) if t]
    rec.keywords = [k.strip() for v in raw.values("KW") for k in v.split(";") if k.strip()]
    rec.url = clean(raw.first("UR", "XL"))
    return rec


def _source_year(source: str) -> str:
    match = re.search(r"(?<!\d)(1[6-9]\d\d|20\d\d)(?!\d)", source)
    return match.group(1) if match else ""
