"""MEDLINE / PubMed "nbib" text exports to BibRecords.

Each line is a tag left-justified in four characters, "- ", then the value
(``PMID- 12230038``, ``AU  - Mangalam H``); a value continues on following lines
indented by six spaces. Records start at ``PMID-`` and are separated by blank lines.
Field tags: https://pubmed.ncbi.nlm.nih.gov/help/#pubmed-format
"""

from __future__ import annotations

import re

from ..identifiers import InvalidIdentifier, normalise_doi
from .common import (
    RecordProblems,
    check_size,
    citation_date,
    clean,
    decode_text,
    month_of,
    orcid_of,
    person,
    person_family_first,
    record_year,
)
from .records import (
    Author,
    BibRecord,
    FileParseResult,
    Notice,
    ParseError,
    RecordError,
    iso_partial_date,
    small_int,
)

__all__ = ["parse_medline"]

_TAG_RE = re.compile(r"^([A-Z][A-Z0-9]{1,3})\s*-\s?(.*)$")
_CONTINUATION = "      "
_AID_RE = re.compile(r"^(.*?)\s*\[(\w+)\]$")
_PMID_IN_RE = re.compile(r"\bPMID:\s*(\d+)")
_DOI_IN_RE = re.compile(r"\bdoi:\s*(10\.\S+)", re.IGNORECASE)

# Comments/corrections tags: amendments to this work, and notices about other works.
NOTICE_IN = {
    "RIN": "retraction",
    "EIN": "correction",
    "CRI": "correction",
    "PRIN": "correction",
    "ECI": "expression_of_concern",
    "RRI": "retracted_and_republished",
    "UIN": "update",
}
NOTICE_OF = {
    "ROF": "retraction",
    "EFR": "correction",
    "CRF": "correction",
    "PROF": "correction",
    "ECF": "expression_of_concern",
    "RRF": "retracted_and_republished",
    "UOF": "update",
}
_RELATION_TAGS = {"CIN", "CON", "RPI", "RPF", "SPIN", "ORI"}


def parse_medline(data: bytes) -> FileParseResult:
    check_size(data, "MEDLINE file")
    text = decode_text(data, "MEDLINE file")
    blocks = _blocks(text)
    if not blocks:
        raise ParseError("not a MEDLINE (nbib) file: no 'PMID- ' or 'TAG - value' lines found")
    records: list[BibRecord] = []
    errors: list[RecordError] = []
    for line, fields in blocks:
        rec, error = _record(line, fields)
        if error is not None:
            errors.append(error)
        else:
            records.append(rec)
    return FileParseResult(records=records, errors=errors, format="medline")


def _blocks(text: str) -> list[tuple[int, list[tuple[str, str]]]]:
    """Records as (first line, [(tag, value)...]), continuation lines joined."""
    blocks: list[tuple[int, list[tuple[str, str]]]] = []
    fields: list[tuple[str, str]] = []
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            if fields:
                blocks.append((start, fields))
                fields = []
            continue
        if line.startswith(_CONTINUATION) and fields:
            tag, value = fields[-1]
            fields[-1] = (tag, f"{value} {line.strip()}")
            continue
        match = _TAG_RE.match(line)
        if match is None:
            if fields:
                tag, value = fields[-1]
                fields[-1] = (tag, f"{value} {line.strip()}")
            continue
        tag, value = match.group(1), match.group(2).strip()
        if tag == "PMID" and fields:
            blocks.append((start, fields))
            fields = []
        if not fields:
            start = number
        fields.append((tag, value))
    if fields:
        blocks.append((start, fields))
    return blocks


def _notice(kind: str, value: str) -> Notice:
    pmid = _PMID_IN_RE.search(value)
    doi = _DOI_IN_RE.search(value)
    notice = Notice(
        type=kind,
        pmid=pmid.group(1) if pmid else "",
        date=citation_date(value),
        source="medline",
        note=value,
    )
    if doi:
        try:
            notice.doi = normalise_doi(doi.group(1))
        except InvalidIdentifier:
            pass
    return notice


# Long function: one dispatch on the MEDLINE tag, a branch per field, sharing the record.
def _record(line: int, fields: list[tuple[str, str]]) -> tuple[BibRecord, RecordError | None]:
    rec = BibRecord(source="file", line=line)
    problems = RecordProblems(rec)
    full_names: list[Author] = []
    short_names: list[Author] = []
    last_author: Author | None = None
    book_title = ""
    for tag, value in fields:
        if tag == "PMID":
            problems.identifier("pmid", value)
        elif tag == "TI":
            rec.title = clean(value)
        elif tag == "BTI":
            book_title = clean(value)
        elif tag == "AB":
            rec.abstract = clean(value)
        elif tag == "FAU":
            last_author = person_family_first(value)
            full_names.append(last_author)
        elif tag == "AU":
            short_names.append(person(value))
        elif tag == "AUID" and last_author is not None:
            last_author.orcid = orcid_of(value)
        elif tag == "CN":
            author = Author(collective=clean(value))
            full_names.append(author)
            short_names.append(author)
        elif tag == "JT":
            rec.journal = clean(value)
        elif tag == "TA":
            rec.journal_abbreviation = clean(value)
        elif tag == "VI":
            rec.volume = clean(value)
        elif tag == "IP":
            rec.issue = clean(value)
        elif tag == "PG":
            rec.pages = clean(value)
        elif tag == "DP":
            _date(rec, clean(value))
        elif tag in ("LID", "AID"):
            match = _AID_RE.match(clean(value))
            if match and match.group(2) == "doi" and rec.doi is None:
                problems.identifier("doi", match.group(1))
            elif match and match.group(2) == "pii" and not rec.pii:
                rec.pii = match.group(1)
        elif tag == "PMC":
            problems.identifier("pmcid", value)
        elif tag == "PT":
            rec.publication_types.append(clean(value))
        elif tag == "LA" and not rec.language:
            rec.language = clean(value)
        elif tag == "OT":
            rec.keywords.append(clean(value))
        elif tag == "PB":
            rec.publisher = clean(value)
        elif tag in NOTICE_IN:
            rec.notices.append(_notice(NOTICE_IN[tag], clean(value)))
        elif tag in NOTICE_OF:
            rec.amends.append(_notice(NOTICE_OF[tag], clean(value)))
        elif tag in _RELATION_TAGS:
            rec.relations.setdefault(tag, []).append(clean(value))
    if full_names and len(full_names) == len(short_names):
        # PubMed's own initials are in AU ("Saqi MA" for "Saqi, Mansoor A S").
        for full, short in zip(full_names, short_names, strict=True):
            full.initials = short.initials or full.initials
    rec.authors = full_names or short_names
    if book_title:
        # A chapter's book is its container (BTI), the book itself has only BTI.
        rec.is_book = True
        if not rec.title:
            rec.title = book_title
        elif not rec.journal:
            rec.journal = book_title
    if rec.pmid:
        rec.url = f"https://pubmed.ncbi.nlm.nih.gov/{rec.pmid}/"
    return rec, problems.error()


def _date(rec: BibRecord, text: str) -> None:
    """ "2002 Sep", "2006 Mar 1", "2006", "1998 Dec-1999 Jan", "2013 Jan-Mar"."""
    rec.year = record_year(rec, text)
    parts = text.split()
    ranged = "-" in text or (len(parts) > 1 and month_of(parts[1]) is None)
    if rec.year is None:
        return
    if ranged:
        rec.date_text = text
    else:
        rec.month = month_of(parts[1]) if len(parts) > 1 else None
        day = small_int(parts[2]) if len(parts) > 2 and rec.month else None
        rec.day = day if day is not None and 1 <= day <= 31 else None
    rec.publication_date = iso_partial_date(rec.year, rec.month, rec.day)
