"""BibTeX / BibLaTeX exports to BibRecords, with bibtexparser 2.

LaTeX is decoded (``{\\"u}`` -> ``ü``, ``{W}ater`` -> ``Water``) in text fields only:
DOIs and URLs are taken as written, since LaTeX decoding would eat a ``%`` in them.
"""

from __future__ import annotations

import re

import bibtexparser
from bibtexparser.middlewares.names import (
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from bibtexparser.model import DuplicateBlockKeyBlock
from pylatexenc.latex2text import LatexNodes2Text

from .common import (
    RecordProblems,
    check_size,
    clean,
    decode_text,
    initials_of,
    month_of,
    pages,
    year_of,
)
from .records import (
    Author,
    BibRecord,
    FileParseResult,
    ParseError,
    RecordError,
    iso_partial_date,
    small_int,
)

__all__ = ["parse_bibtex"]

_ENTRY_START = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)
_LATEX = LatexNodes2Text(math_mode="text", strict_latex_spaces=True)
_BOOK_TYPES = {"book", "inbook", "incollection", "booklet", "mvbook", "collection"}


def parse_bibtex(data: bytes) -> FileParseResult:
    check_size(data, "BibTeX file")
    text = decode_text(data, "BibTeX file")
    if not _ENTRY_START.search(text):
        raise ParseError("not a BibTeX file: no '@type{' entry found")
    # bibtexparser also logs each failed block at WARNING; the logger is left alone
    # (changing its level here would race with other threads) and the failures are
    # reported below as RecordErrors.
    library = bibtexparser.parse_string(text)
    records: list[BibRecord] = []
    errors: list[RecordError] = []
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            errors.append(RecordError(line, f"duplicate entry key {block.key!r}"))
        else:
            error = getattr(block, "error", None)
            reason = getattr(error, "abort_reason", None) or str(error or "") or "syntax error"
            errors.append(RecordError(line, f"malformed entry: {clean(reason)}"))
    for entry in library.entries:
        rec, error = _record(entry)
        if error is not None:
            errors.append(error)
        else:
            records.append(rec)
    if not records and not errors:
        raise ParseError("not a BibTeX file: no entries found")
    errors.sort(key=lambda e: e.line or 0)
    return FileParseResult(records=records, errors=errors, format="bibtex")


def _latex(value: object) -> str:
    text = clean(value)
    if not text or not any(c in text for c in "\\{}$~"):
        return text
    try:
        return clean(_LATEX.latex_to_text(text))
    except Exception:  # pylatexenc is lenient; never lose the field over a decoding quirk
        return clean(text.replace("{", "").replace("}", ""))


def _authors(value: str) -> list[Author]:
    authors = []
    for name in split_multiple_persons_names(value):
        if name.startswith("{") and name.endswith("}"):
            authors.append(Author(collective=_latex(name)))
            continue
        parts = parse_single_name_into_parts(name, strict=False)
        family = _latex(" ".join(parts.von + parts.last))
        given = _latex(" ".join(parts.first))
        if not given and len(family.split()) > 3:
            authors.append(Author(collective=family))
            continue
        authors.append(
            Author(
                family=family,
                given=given,
                initials=initials_of(given),
                suffix=_latex(" ".join(parts.jr)),
            )
        )
    return authors


def _record(entry: bibtexparser.model.Entry) -> tuple[BibRecord, RecordError | None]:
    fields = {key.lower(): field.value for key, field in entry.fields_dict.items()}
    rec = BibRecord(source="file", line=(entry.start_line or 0) + 1)
    problems = RecordProblems(rec)
    kind = entry.entry_type.lower()
    rec.title = _latex(fields.get("title"))
    try:
        rec.authors = _authors(str(fields.get("author") or ""))
    except Exception as exc:  # a name bibtexparser cannot split
        problems.add(f"author list cannot be read: {exc}")
    if kind in ("incollection", "inbook", "inproceedings", "conference"):
        rec.journal = _latex(fields.get("booktitle"))
    else:
        rec.journal = _latex(fields.get("journal") or fields.get("journaltitle"))
    rec.journal_abbreviation = _latex(fields.get("shortjournal") or fields.get("journal-abbrev"))
    date = clean(fields.get("date"))  # BibLaTeX: 2019-04-03
    rec.year = year_of(fields.get("year")) or year_of(date)
    rec.month = month_of(fields.get("month"))
    date_parts = date.split("-")
    if rec.month is None and len(date_parts) > 1:
        rec.month = month_of(date_parts[1])
    day = small_int(date_parts[2]) if rec.month and len(date_parts) > 2 else None
    rec.day = day if day is not None and 1 <= day <= 31 else None
    rec.publication_date = iso_partial_date(rec.year, rec.month, rec.day)
    rec.volume = clean(fields.get("volume"))
    rec.issue = clean(fields.get("number") or fields.get("issue"))
    rec.pages = pages(fields.get("pages"))
    rec.abstract = _latex(fields.get("abstract"))
    rec.language = clean(fields.get("language") or fields.get("langid"))
    rec.keywords = [
        k.strip() for k in re.split(r"[;,]", _latex(fields.get("keywords"))) if k.strip()
    ]
    rec.publisher = _latex(fields.get("publisher"))
    rec.url = clean(fields.get("url"))
    rec.publication_types = [kind]
    rec.is_book = kind in _BOOK_TYPES
    problems.identifier("doi", fields.get("doi"))
    problems.identifier("pmid", fields.get("pmid"))
    problems.identifier("pmcid", fields.get("pmcid"))
    eprint_type = clean(fields.get("eprinttype") or fields.get("archiveprefix")).lower()
    if eprint_type == "pubmed" and not rec.pmid:
        problems.identifier("pmid", fields.get("eprint"))
    elif eprint_type == "pmc" and not rec.pmcid:
        problems.identifier("pmcid", fields.get("eprint"))
    return rec, problems.error()
