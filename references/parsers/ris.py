"""RIS exports (Zotero, EndNote, Embase, PubMed...) and Web of Science tagged files.

rispy reads the tags; records are cut out here first so each keeps the line it starts
on and a malformed one costs only itself.
"""

from __future__ import annotations

import re

import rispy

from .common import (
    RecordProblems,
    as_list,
    check_size,
    clean,
    decode_text,
    first,
    month_of,
    pages,
    person,
    year_of,
)
from .records import (
    BibRecord,
    FileParseResult,
    ParseError,
    RecordError,
    iso_partial_date,
    small_int,
)

__all__ = ["parse_ris"]

_RIS_TAG = re.compile(r"^([A-Z][A-Z0-9])  - ?(.*)$")
_RIS_START = re.compile(r"^TY  - ?")
_RIS_END = re.compile(r"^ER  -?\s*$")
_WOS_TAG = re.compile(r"^([A-Z][A-Z0-9])(?: (.*))?$")
_DOI_URL = re.compile(r"doi\.org/(10\.\S+)", re.IGNORECASE)
_PMID_NOTE = re.compile(r"\bPMID:?\s*(\d{1,10})\b", re.IGNORECASE)
_BOOK_TYPES = {"BOOK", "CHAP", "EBOOK", "ECHAP", "EDBOOK"}


def parse_ris(data: bytes) -> FileParseResult:
    check_size(data, "RIS file")
    text = decode_text(data, "RIS file")
    lines = text.splitlines()
    if _is_wos(lines):
        return _parse(lines, wos=True)
    return _parse(lines, wos=False)


def _is_wos(lines: list[str]) -> bool:
    head = [line for line in lines[:20] if line.strip()]
    return (
        bool(head)
        and head[0].startswith(("FN ", "PT "))
        and not any(_RIS_START.match(line) for line in head)
    )


def _parse(lines: list[str], *, wos: bool) -> FileParseResult:
    records: list[BibRecord] = []
    errors: list[RecordError] = []
    chunks, stray = _chunks(lines, wos=wos)
    if not chunks:
        raise ParseError(
            "not a RIS file: no record start ('TY  - ' or a Web of Science 'PT ') found"
        )
    errors.extend(stray)
    implementation = rispy.WokParser if wos else rispy.RisParser
    for line, chunk, closed in chunks:
        if not closed:
            errors.append(RecordError(line, "record is not closed by 'ER' (truncated file?)"))
            continue
        try:
            entries = rispy.loads("\n".join(chunk), implementation=implementation)
        except Exception as exc:  # rispy has no exception type of its own for bad input
            errors.append(RecordError(line, f"malformed record: {exc}"))
            continue
        if len(entries) != 1:
            errors.append(RecordError(line, "malformed record"))
            continue
        rec, error = (_wos_record if wos else _ris_record)(line, entries[0])
        if error is not None:
            errors.append(error)
        else:
            records.append(rec)
    errors.sort(key=lambda e: e.line or 0)
    return FileParseResult(records=records, errors=errors, format="wos" if wos else "ris")


def _chunks(
    lines: list[str], *, wos: bool
) -> tuple[list[tuple[int, list[str], bool]], list[RecordError]]:
    """Records as (first line, lines, closed by ER); tag lines outside any record are errors."""
    chunks: list[tuple[int, list[str], bool]] = []
    stray: list[RecordError] = []
    current: list[str] | None = None
    start = 0
    for number, raw in enumerate(lines, start=1):
        line = raw.lstrip("\ufeff")
        is_start = line.startswith("PT ") if wos else bool(_RIS_START.match(line))
        is_end = line.rstrip() == "ER" if wos else bool(_RIS_END.match(line))
        if is_start:
            if current is not None:
                chunks.append((start, current, False))
            current, start = [line], number
        elif current is not None:
            current.append(line)
            if is_end:
                chunks.append((start, current, True))
                current = None
        elif line.strip() and not wos and _RIS_TAG.match(line) and not _RIS_END.match(line):
            stray.append(
                RecordError(number, f"tag outside a record (no 'TY  - ' before it): {line[:60]!r}")
            )
    if current is not None:
        chunks.append((start, current, False))
    return chunks, stray


def _date_parts(value: str) -> tuple[int | None, int | None, int | None]:
    """RIS dates: "2019", "2019///", "2019/07/24/", "2019/10//undefined"."""
    parts = clean(value).split("/")
    year = year_of(parts[0]) if parts else None
    month = month_of(parts[1]) if len(parts) > 1 else None
    day = small_int(parts[2]) if len(parts) > 2 and month else None
    if day is not None and not 1 <= day <= 31:
        day = None
    return year, month, day


def _ris_record(line: int, entry: dict) -> tuple[BibRecord, RecordError | None]:
    rec = BibRecord(source="file", line=line)
    problems = RecordProblems(rec)
    kind = clean(entry.get("type_of_reference")).upper()
    rec.title = first(entry.get("title")) or first(entry.get("primary_title"))
    names = as_list(entry.get("authors")) or as_list(entry.get("first_authors"))
    rec.authors = [person(n) for n in names]
    container = (
        first(entry.get("secondary_title"))
        or first(entry.get("alternate_title3"))
        or first(entry.get("journal_name"))
    )
    rec.journal = container
    abbreviation = first(entry.get("alternate_title1")) or first(entry.get("alternate_title2"))
    if not abbreviation and first(entry.get("journal_name")) != container:
        abbreviation = first(entry.get("journal_name"))
    rec.journal_abbreviation = abbreviation
    dated = [_date_parts(first(entry.get(k))) for k in ("date", "year", "publication_year")]
    year, month, day = max(
        (d for d in dated if d[0] is not None),
        key=lambda d: (d[1] is not None, d[2] is not None),
        default=(None, None, None),
    )
    rec.year, rec.month, rec.day = year, month, day
    rec.publication_date = iso_partial_date(year, month, day)
    rec.volume = first(entry.get("volume"))
    rec.issue = first(entry.get("number"))
    rec.pages = pages(entry.get("start_page"), entry.get("end_page"))
    rec.abstract = first(entry.get("abstract")) or first(entry.get("notes_abstract"))
    rec.language = first(entry.get("language"))
    rec.keywords = as_list(entry.get("keywords"))
    rec.publisher = first(entry.get("publisher"))
    rec.publication_types = [t for t in (kind, first(entry.get("type_of_work"))) if t]
    rec.is_book = kind in _BOOK_TYPES
    urls = as_list(entry.get("urls")) + as_list(entry.get("file_attachments2"))
    rec.url = urls[0] if urls else ""

    if entry.get("doi"):
        problems.identifier("doi", first(entry.get("doi")))
    else:
        for url in urls:
            match = _DOI_URL.search(url)
            if match:
                problems.identifier("doi", match.group(1))
                break
    database = f"{first(entry.get('name_of_database'))} {first(entry.get('database_provider'))}"
    accession = first(entry.get("accession_number"))
    if accession.isdigit() and re.search(r"pubmed|medline", database, re.IGNORECASE):
        problems.identifier("pmid", accession)
    else:
        for note in as_list(entry.get("notes")):
            match = _PMID_NOTE.search(note)
            if match:
                problems.identifier("pmid", match.group(1))
                break
    custom2 = first(entry.get("custom2"))
    if re.fullmatch(r"PMC\d+", custom2, re.IGNORECASE):
        problems.identifier("pmcid", custom2)
    return rec, problems.error()


def _wos_record(line: int, entry: dict) -> tuple[BibRecord, RecordError | None]:
    rec = BibRecord(source="file", line=line)
    problems = RecordProblems(rec)
    rec.title = first(entry.get("document_title"))
    names = as_list(entry.get("author_full_name")) or as_list(entry.get("authors"))
    rec.authors = [person(n) for n in names]
    rec.journal = first(entry.get("publication_name"))
    rec.journal_abbreviation = first(entry.get("iso_source_abbreviation"))
    rec.year = year_of(first(entry.get("publication_year")))
    date_parts = first(entry.get("publication_date")).split()  # "JUN 8", "2004", "SPR"
    rec.month = month_of(date_parts[0]) if date_parts else None
    day = small_int(date_parts[1]) if rec.month and len(date_parts) > 1 else None
    rec.day = day if day is not None and 1 <= day <= 31 else None
    rec.publication_date = iso_partial_date(rec.year, rec.month, rec.day)
    rec.volume = first(entry.get("volume"))
    rec.issue = first(entry.get("issue"))
    rec.pages = pages(entry.get("beginning_page"), entry.get("ending_page")) or first(
        entry.get("article_number")
    )
    rec.abstract = first(entry.get("abstract"))
    rec.language = first(entry.get("language"))
    keywords = first(entry.get("author_keywords"))
    rec.keywords = [k.strip() for k in keywords.split(";") if k.strip()]
    rec.publisher = first(entry.get("publisher"))
    rec.publication_types = [t for t in (first(entry.get("document_type")),) if t]
    problems.identifier("doi", first(entry.get("doi")))
    problems.identifier("pmid", first(entry.get("pubmed_id")))
    if rec.doi:
        rec.url = f"https://doi.org/{rec.doi}"
    return rec, problems.error()
