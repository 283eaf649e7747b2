"""RIS exports (Zotero, EndNote, Mendeley, Scopus, Embase, Rayyan, Citavi...) to BibRecords.

Dialects read alike: a tag line is two characters, white space, "-" and the value
("TY  - JOUR", "TY - JOUR", "TY\\t-\\tJOUR"); a line without a tag continues the value
before it (a new keyword, for ``KW``). A record runs from ``TY`` to ``ER``.

Authors of the work are ``AU`` and ``A1`` in the order the file gives them (EndNote and
Embase write ``A1``, most tools ``AU``, some both). ``A2``/``ED`` (editors, or the
book's editors for a chapter), ``A3`` (series editors) and ``A4`` (translators,
subsidiary authors) are not authors of the work in the RIS specification, and are
left out. Identifiers are the first token of their line (Rayyan and Ovid write links
after or around a DOI); without ``DO`` a DOI is looked for in ``M3``, ``UR``, ``L3``,
``L1``, ``L2``, ``LK`` and ``N1``. Web of Science and Ovid tagged text are read by
wos.py and ovid.py.
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
from .records import BibRecord, FileParseResult, RecordError, iso_partial_date
from .records import small_int as _small_int
from .tagged import Dialect, Record, parse_tagged
from .wos import WOS_START, parse_wos

__all__ = ["RIS_TAG", "parse_ris"]

RIS_TAG = re.compile(r"^([A-Z][A-Z0-9])[ \t]+-[ \t]*(.*)$")
_DIALECT = Dialect(
    tag_line=RIS_TAG,
    starts=lambda tag, value: tag == "TY",
    ends=lambda tag, value: tag == "ER",
    list_tags=frozenset({"KW"}),
    outside="tag outside a record (no 'TY  - ' before it)",
    record_tags=frozenset(
        "A1 A2 A3 A4 AB AD AN AU AV BT C1 C2 C3 C4 C5 C6 C7 C8 CA CN CP CT CY DA DB DO DP ED "
        "EP ET ID IS J1 J2 JA JF JO KW L1 L2 L3 L4 LA LB LK M1 M2 M3 N1 N2 NV OP PB PP PY RI "
        "RN RP SE SN SP ST T1 T2 T3 TA TI TT U1 U2 U3 U4 U5 UR VL VO Y1 Y2".split()
    ),
)
_TY_LINE = re.compile(r"^TY[ \t]+-", re.MULTILINE)
_PMID_NOTE = re.compile(r"\bPMID:?\s*(\d{1,10})\b", re.IGNORECASE)
_PMID_LINK = re.compile(r"(?:ncbi\.nlm\.nih\.gov/pubmed/|pubmed\.ncbi\.nlm\.nih\.gov/)(\d{1,10})")
_DOI_NOTE = re.compile(r"(?i)\bdoi\b[:\s]*\S|doi\.org/")
_URL = re.compile(r"(?:https?|ftp)://\S+")
_BOOK_TYPES = {"BOOK", "CHAP", "EBOOK", "ECHAP", "EDBOOK"}
_AUTHORS = ("AU", "A1")
_LINKS = ("UR", "L1", "L2", "L3", "L4", "LK")


def parse_ris(data: bytes) -> FileParseResult:
    check_size(data, "RIS file")
    text = decode_text(data, "RIS file")
    if WOS_START.match(text.lstrip()) and not _TY_LINE.search(text):
        return parse_wos(data)  # Web of Science files were long read as RIS here
    return parse_tagged(
        text,
        _DIALECT,
        build=ris_record,
        missing="not a RIS file: no record start ('TY  - ') found",
        format="ris",
        close_tag="ER",
    )


def _date(rec: BibRecord, raw: Record) -> None:
    """PY, else DA, else the deprecated Y1 give the year ("2019", "2019///",
    "2019/07/24/"); DA the month and day when it is of that year."""
    text = raw.first("PY", "DA", "Y1")
    head = clean(text).split("/")[0]
    year = record_year(rec, head, literal=not re.fullmatch(r"\d{4}", head.strip()))
    month = day = None
    for candidate in (text, raw.first("DA")):
        parts = clean(candidate).split("/")
        if year is None or len(parts) < 2 or not parts[0].strip().startswith(str(year)):
            continue
        month = month_of(parts[1])
        day = _small_int(parts[2]) if len(parts) > 2 and month else None
        if month:
            break
    rec.year, rec.month = year, month
    rec.day = day if day is not None and 1 <= day <= 31 else None
    rec.publication_date = iso_partial_date(rec.year, rec.month, rec.day)


def ris_record(raw: Record) -> tuple[BibRecord, RecordError | None]:
    rec = BibRecord(source="file", line=raw.line)
    problems = RecordProblems(rec)
    kind = clean(raw.first("TY")).upper()
    rec.is_book = kind in _BOOK_TYPES
    book_title = raw.first("BT")
    rec.title = clean(raw.first("TI", "T1", "CT") or (book_title if rec.is_book else ""))
    rec.authors = [person(name) for name in raw.values(*_AUTHORS)]
    rec.journal = clean(
        raw.first("JF", "T2", "JO")
        or ("" if kind in ("BOOK", "EBOOK", "EDBOOK") else book_title)
        or raw.first("J2", "JA", "J1")
    )
    abbreviation = clean(raw.first("JA", "J2", "J1", "JO"))
    rec.journal_abbreviation = abbreviation if abbreviation != rec.journal else ""
    _date(rec, raw)
    rec.volume = clean(raw.first("VL"))
    rec.issue = clean(raw.first("IS", "CP") or (raw.first("M1") if kind == "JOUR" else ""))
    rec.pages = pages(raw.first("SP"), raw.first("EP"))
    rec.abstract = clean(raw.first("AB", "N2"))
    rec.language = clean(raw.first("LA"))
    rec.keywords = [clean(k) for k in raw.values("KW") if clean(k)]
    rec.publisher = clean(raw.first("PB"))
    rec.publication_types = [t for t in (kind, clean(raw.first("M3"))) if t]
    _identifiers(rec, raw, problems)
    return rec, problems.error()


def _identifiers(rec: BibRecord, raw: Record, problems: RecordProblems) -> None:
    links = [u for value in raw.values(*_LINKS) for u in _URL.findall(value) or [clean(value)]]
    rest = ""
    if doi := raw.first("DO"):
        rest = problems.identifier_token("doi", doi)
    else:
        notes = [n for n in raw.values("N1") if _DOI_NOTE.search(n)]
        problems.guess_doi(*raw.values("M3"), *links, *notes)
    rec.url = next(iter(_URL.findall(rest)), "") or (links[0] if links else "")
    database = " ".join(raw.values("DB", "DP"))
    accession = clean(raw.first("AN")).partition(" ")[0]
    if accession.isdigit() and re.search(r"pubmed|medline", database, re.IGNORECASE):
        problems.identifier("pmid", accession)
    else:
        for text in (*raw.values("N1", "C1", "M2"), *links):
            match = _PMID_NOTE.search(text) or _PMID_LINK.search(text)
            if match:
                problems.identifier("pmid", match.group(1))
                break
    for text in raw.values("C2", "N1"):
        match = re.search(r"\bPMC\d+\b", text, re.IGNORECASE)
        if match:
            problems.identifier("pmcid", match.group(0))
            break
