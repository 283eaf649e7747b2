"""BibTeX / BibLaTeX exports to BibRecords, read the way BibTeX reads them.

bibtexparser 2 splits the file into blocks; values are then evaluated here (see
bibtex_values: @string macros, ``#`` concatenation, month macros, crossref and xdata
inheritance) and names split in bibtex_names. LaTeX is decoded (``{\\"u}`` -> ``ü``,
``{W}ater`` -> ``Water``) in text fields only: DOIs and URLs are taken as written,
since LaTeX decoding would eat a ``%`` in them.
"""

from __future__ import annotations

import re

import bibtexparser
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock, Entry
from pylatexenc.latex2text import LatexNodes2Text

from ..identifiers import InvalidIdentifier, normalise_doi, normalise_pmcid, normalise_pmid
from .bibtex_dates import bibtex_date
from .bibtex_names import parse_names
from .bibtex_values import evaluate, inherit, resolve_strings
from .common import RecordProblems, check_size, clean, decode_text, pages
from .records import BibRecord, FileParseResult, ParseError, RecordError

__all__ = ["parse_bibtex"]

_ENTRY_START = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)
_LATEX = LatexNodes2Text(math_mode="text", strict_latex_spaces=True)
_BOOK_TYPES = {"book", "inbook", "incollection", "booklet", "mvbook", "collection"}
# The container of these is a book or proceedings, named in booktitle.
_CONTAINED = {"incollection", "inbook", "inproceedings", "conference", "bookinbook", "suppbook"}
# Not references themselves: data containers and sets of other entries.
_NOT_RECORDS = {"xdata", "set"}
# An entry written without a citation key ("@article{," from JabRef, "@article{ author ="
# from EndNote): a key of its own keeps it from failing or clashing with the next one.
_KEYLESS = re.compile(
    r"^(\s*@\s*(?!string\b|preamble\b|comment\b)[A-Za-z]+\s*[{(]\s*)"
    r"(?:,|(?=[^\s,={}()\"#%']+\s*=))",
    re.MULTILINE | re.IGNORECASE,
)
# TeX commands pylatexenc does not know and would drop.
_TEX_WORDS = re.compile(r"\\(?:slash|textslash)(?![A-Za-z])(?:\{\}|\s)?")
_NOTE_IDS = (
    ("pmid", re.compile(r"(?i)\bPMID\s*:?\s*(\d{1,9})\b")),
    ("pmcid", re.compile(r"(?i)\bPMCID\s*:?\s*(PMC\s?\d{1,9})\b|\b(PMC\d{4,9})\b")),
    ("doi", re.compile(r"(?i)(?:\bdoi\s*:?\s*|doi\.org/)(10\.\d{4,9}/[^\s\"<>{}]+)")),
)
_EPRINT_TYPES = {"pubmed": "pmid", "pmid": "pmid", "pmc": "pmcid", "pmcid": "pmcid", "doi": "doi"}
_NORMALISERS = {"doi": normalise_doi, "pmid": normalise_pmid, "pmcid": normalise_pmcid}


def parse_bibtex(data: bytes) -> FileParseResult:
    check_size(data, "BibTeX file")
    text = decode_text(data, "BibTeX file")
    if not _ENTRY_START.search(text):
        raise ParseError("not a BibTeX file: no '@type{' entry found")
    # bibtexparser also logs each failed block at WARNING; the logger is left alone
    # (changing its level here would race with other threads) and the failures are
    # reported below as RecordErrors. No parse stack: values are evaluated here.
    library = bibtexparser.parse_string(_with_keys(text), parse_stack=[])
    macros = resolve_strings((s.key, s.value) for s in library.strings)
    errors: list[RecordError] = []
    entries: list[Entry] = list(library.entries)
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, DuplicateFieldKeyBlock):
            entries.append(block.ignore_error_block)  # BibTeX warns, keeps the first value
        elif isinstance(block, DuplicateBlockKeyBlock):
            errors.append(RecordError(line, f"duplicate entry key {block.key!r}"))
        else:
            error = getattr(block, "error", None)
            reason = getattr(error, "abort_reason", None) or str(error or "") or "syntax error"
            errors.append(RecordError(line, f"malformed entry: {clean(reason)}"))
    entries.sort(key=lambda entry: entry.start_line or 0)
    evaluated = []
    for entry in entries:
        fields: dict[str, str] = {}
        for field in entry.fields:
            fields.setdefault(field.key.strip().lower(), evaluate(field.value, macros))
        evaluated.append((entry.key, entry.entry_type.lower(), fields))
    inherit(evaluated)
    records: list[BibRecord] = []
    for entry, (_key, kind, fields) in zip(entries, evaluated, strict=True):
        if kind in _NOT_RECORDS:
            continue
        rec, error = _record(kind, fields, (entry.start_line or 0) + 1)
        if error is not None:
            errors.append(error)
        else:
            records.append(rec)
    if not records and not errors:
        raise ParseError("not a BibTeX file: no entries found")
    errors.sort(key=lambda e: e.line or 0)
    return FileParseResult(records=records, errors=errors, format="bibtex")


def _with_keys(text: str) -> str:
    count = 0

    def keyed(match: re.Match) -> str:
        nonlocal count
        count += 1
        return f"{match.group(1)}keyless:{count},"

    return _KEYLESS.sub(keyed, text)


# Chemical formulas and units in titles: digits and signs sub- or superscripted in math
# ("{Cu$_2$O}", "$^{13}$C") have Unicode forms, which pylatexenc does not produce.
_SCRIPTS = {
    "_": str.maketrans("0123456789+-=()", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎"),
    "^": str.maketrans("0123456789+-=()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾"),
}
_SCRIPT = re.compile(r"\$([_^])(?:\{([0-9+\-=()]+)\}|([0-9+\-=()]))\$")


def _scripts(text: str) -> str:
    return _SCRIPT.sub(lambda m: (m.group(2) or m.group(3)).translate(_SCRIPTS[m.group(1)]), text)


def _latex(value: object) -> str:
    text = clean(value)
    if not text or not any(c in text for c in "\\{}$~"):
        return text
    text = _scripts(_TEX_WORDS.sub("/", text))
    try:
        return clean(_LATEX.latex_to_text(text))
    except Exception:  # pylatexenc is lenient; never lose the field over a decoding quirk
        return clean(text.replace("{", "").replace("}", ""))


def _journal(rec: BibRecord, kind: str, fields: dict[str, str]) -> None:
    """The container title: the book for a chapter or paper, else the full journal name."""
    full = fields.get("fjournal") or fields.get("journal") or fields.get("journaltitle")
    short = fields.get("shortjournal") or fields.get("journal-abbrev")
    short = short or fields.get("journal-abbreviation") or fields.get("journalabbr")
    if fields.get("fjournal") and not short:
        short = fields.get("journal")
    if kind in _CONTAINED:
        rec.journal = _latex(fields.get("booktitle") or full)
    else:
        rec.journal = _latex(full)
    abbreviation = _latex(short)
    rec.journal_abbreviation = abbreviation if abbreviation != rec.journal else ""


def _identifiers(problems: RecordProblems, fields: dict[str, str]) -> None:
    """Identifiers of their own fields (a bad one fails the record), eprint and note."""
    rec = problems.rec
    for kind in ("doi", "pmid", "pmcid"):
        problems.identifier(kind, fields.get(kind))
    eprint_type = clean(fields.get("eprinttype") or fields.get("archiveprefix")).lower()
    kind = _EPRINT_TYPES.get(eprint_type)
    if kind and not getattr(rec, kind):
        problems.identifier(kind, fields.get("eprint"))
    # A note is free text: what looks like an identifier there is taken when it is one.
    note = _latex(" ".join(fields.get(name, "") for name in ("note", "annote", "annotation")))
    for kind, pattern in _NOTE_IDS:
        if getattr(rec, kind) or not (match := pattern.search(note)):
            continue
        found = next(group for group in match.groups() if group)
        try:
            setattr(rec, kind, _NORMALISERS[kind](found.rstrip(".,;)]").replace(" ", "")))
        except InvalidIdentifier:
            continue


def _record(kind: str, fields: dict[str, str], line: int) -> tuple[BibRecord, RecordError | None]:
    rec = BibRecord(source="file", line=line)
    problems = RecordProblems(rec)
    # A @collection or @proceedings written with only a booktitle is still named by it.
    title = fields.get("title") or ("" if kind in _CONTAINED else fields.get("booktitle"))
    rec.title = _latex(title)
    try:
        rec.authors = parse_names(fields.get("author", ""), _latex)
    except Exception as exc:  # a name bibtexparser cannot split
        problems.add(f"author list cannot be read: {exc}")
    _journal(rec, kind, fields)
    date = bibtex_date(
        _latex(fields.get("year")),
        clean(fields.get("date")),
        fields.get("month"),
        fields.get("day"),
    )
    rec.year, rec.month, rec.day, rec.publication_date, rec.date_text = date
    rec.volume = _latex(fields.get("volume"))
    rec.issue = _latex(fields.get("number") or fields.get("issue"))
    rec.pages = pages(_latex(fields.get("pages")))
    rec.abstract = _latex(fields.get("abstract"))
    rec.language = clean(fields.get("language") or fields.get("langid"))
    rec.keywords = [
        k.strip() for k in re.split(r"[;,]", _latex(fields.get("keywords"))) if k.strip()
    ]
    rec.publisher = _latex(fields.get("publisher"))
    rec.url = clean(fields.get("url"))
    rec.publication_types = [kind]
    rec.is_book = kind in _BOOK_TYPES
    _identifiers(problems, fields)
    return rec, problems.error()
