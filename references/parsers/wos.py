"""Web of Science tagged text ("Plain text" / "Other file formats" exports, savedrecs.txt,
.ciw) to BibRecords.

A tag is two characters at the start of a line and a space; continuation lines are
indented by three spaces (one more name, for the author tags). Records run from ``PT``
to ``ER``; the file opens with ``FN``/``VR`` and closes with ``EF``.
Tags: https://support.clarivate.com/ScientificandAcademicResearch/s/article/Web-of-Science-Core-Collection-List-of-field-tags-in-output
"""

from __future__ import annotations

import re

from .common import (
    RecordProblems,
    check_size,
    clean,
    decode_text,
    month_of,
    pages,
    person,
)
from .dates import record_year
from .records import (
    BibRecord,
    FileParseResult,
    RecordError,
    iso_partial_date,
    small_int,
)
from .tagged import Dialect, Record, parse_tagged

__all__ = ["WOS_START", "parse_wos"]

WOS_START = re.compile(r"^\ufeff?(?:FN |VR |PT [A-Z]\s*$)", re.MULTILINE)
_DIALECT = Dialect(
    tag_line=re.compile(r"^([A-Z][A-Z0-9])(?: (.*)|\s*$)"),
    starts=lambda tag, value: tag == "PT",
    ends=lambda tag, value: tag == "ER",
    ignore=frozenset({"FN", "VR", "EF"}),
    list_tags=frozenset({"AU", "AF", "BA", "BF", "BE", "CA", "GP", "C1", "CR", "RP", "EM"}),
)


def parse_wos(data: bytes) -> FileParseResult:
    check_size(data, "Web of Science file")
    text = decode_text(data, "Web of Science file")
    return parse_tagged(
        text,
        _DIALECT,
        build=_checked_record,
        missing="not a Web of Science file: no record start ('PT J') found",
        format="wos",
        close_tag="ER",
    )


def _checked_record(raw: Record) -> tuple[BibRecord, RecordError | None]:
    rec = _record(raw.line, raw)
    problems = RecordProblems(rec)
    _identifiers(rec, raw, problems)
    return rec, problems.error()


def _identifiers(rec: BibRecord, raw: Record, problems: RecordProblems) -> None:
    if doi := raw.first("DI", "D2"):
        problems.identifier_token("doi", doi)
    if pmid := raw.first("PM"):
        problems.identifier_token("pmid", pmid)
    if rec.doi:
        rec.url = f"https://doi.org/{rec.doi}"


def _record(line: int, raw: Record) -> BibRecord:
    rec = BibRecord(source="file", line=line)
    rec.title = clean(raw.first("TI"))
    names = raw.values("AF") or raw.values("AU")
    rec.authors = [person(name) for name in names]
    kind = clean(raw.first("PT")).upper()
    rec.is_book = kind == "B"
    rec.journal = clean(raw.first("SO") or raw.first("SE", "BS"))
    rec.journal_abbreviation = clean(raw.first("JI", "J9"))
    rec.year = record_year(rec, clean(raw.first("PY")) or clean(raw.first("EY")))
    date_parts = clean(raw.first("PD")).split()  # "JUN 8", "2004", "SPR", "JUN 2019"
    rec.month = month_of(date_parts[0]) if rec.year and date_parts else None
    day = small_int(date_parts[1]) if rec.month and len(date_parts) > 1 else None
    rec.day = day if day is not None and 1 <= day <= 31 else None
    rec.publication_date = iso_partial_date(rec.year, rec.month, rec.day)
    rec.volume = clean(raw.first("VL"))
    rec.issue = clean(raw.first("IS"))
    rec.pages = pages(raw.first("BP"), raw.first("EP")) or clean(raw.first("AR", "PS"))
    rec.abstract = clean(raw.first("AB"))
    rec.language = clean(raw.first("LA"))
    keywords = clean(raw.first("DE"))
    rec.keywords = [k.strip() for k in keywords.split(";") if k.strip()]
    rec.publisher = clean(raw.first("PU"))
    rec.publication_types = [t for t in (clean(raw.first("DT")),) if t]
    return rec
