"""Bibliography writers: references to RIS, BibTeX and CSL-JSON text.

Pure functions over anything shaped like a Reference (the model, or a stand-in with the
same attributes); they run no query, so the API and the HTML pages' download buttons can
hand them rows they already loaded. Each returns the whole file as text.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import bibtexparser
import rispy
from bibtexparser.model import Entry, Field

__all__ = [
    "EXPORT_FORMATS",
    "to_bibtex",
    "to_csl_items",
    "to_csl_json",
    "to_ris",
]

STATUS_NOTES = {
    "retracted": "RETRACTED",
    "corrected": "Corrected: see the published correction",
    "expression_of_concern": "Subject to an expression of concern",
}


class ReferenceLike(Protocol):
    pk: Any
    doi: str | None
    pmid: str | None
    pmcid: str | None
    title: str
    authors: list[dict]
    journal: str
    journal_abbreviation: str
    year: int | None
    publication_date: str
    volume: str
    issue: str
    pages: str
    abstract: str
    url: str
    retraction_status: str


def _one_line(value: str | None) -> str:
    return " ".join((value or "").split())


def _split_pages(pages: str) -> tuple[str, str]:
    """ "100-9" -> ("100", "109"): MEDLINE abbreviates the end page."""
    start, sep, end = _one_line(pages).replace("\u2013", "-").partition("-")
    start, end = start.strip(), end.strip()
    if sep and start.isdigit() and end.isdigit() and len(end) < len(start):
        end = start[: len(start) - len(end)] + end
    return start, end


def _date_parts(reference: ReferenceLike) -> list[int]:
    parts = []
    for piece in (reference.publication_date or "").split("-")[:3]:
        if not piece.isdigit():
            break
        parts.append(int(piece))
    if not parts and reference.year:
        parts = [reference.year]
    return parts


def _url(reference: ReferenceLike) -> str:
    if reference.doi:
        return f"https://doi.org/{reference.doi}"
    if reference.pmid:
        return f"https://pubmed.ncbi.nlm.nih.gov/{reference.pmid}/"
    return reference.url or ""


def _is_et_al(author: dict) -> bool:
    """Some sources end a truncated author list with a pseudo-author "et al."."""
    name = _one_line(author.get("collective") or author.get("family")).lower().rstrip(".")
    return name in {"et al", "and others", "others"}


def _authors(reference: ReferenceLike) -> tuple[list[dict], bool]:
    """(real authors, whether the list was truncated)."""
    authors = [
        a if isinstance(a, dict) else {"collective": str(a)} for a in reference.authors or []
    ]
    real = [author for author in authors if not _is_et_al(author)]
    return real, len(real) < len(authors)


def _author_parts(author: dict) -> tuple[str, str, str, str]:
    """(family, given, suffix, collective), the given name falling back to the initials."""
    return (
        _one_line(author.get("family")),
        _one_line(author.get("given") or author.get("initials")),
        _one_line(author.get("suffix")),
        _one_line(author.get("collective")),
    )


# --- RIS ----------------------------------------------------------------------------------


class _RisWriter(rispy.RisWriter):
    """rispy numbers each record ("1.") before its TY line; reference managers do not."""

    def set_header(self, count: int) -> str:
        return ""


def _ris_record(reference: ReferenceLike) -> dict[str, Any]:
    record: dict[str, Any] = {"type_of_reference": "JOUR" if reference.journal else "GEN"}
    record["title"] = _one_line(reference.title)
    authors = []
    for author in _authors(reference)[0]:
        family, given, suffix, collective = _author_parts(author)
        name = collective or ", ".join(part for part in (family, given, suffix) if part)
        if name and (collective or family):
            authors.append(name)
    if authors:
        record["authors"] = authors
    if reference.year:
        record["year"] = str(reference.year)
    if reference.publication_date:
        record["date"] = _one_line(reference.publication_date).replace("-", "/")
    if reference.journal:
        record["secondary_title"] = _one_line(reference.journal)
    if reference.journal_abbreviation:
        record["alternate_title1"] = _one_line(reference.journal_abbreviation)
    for key, value in (("volume", reference.volume), ("number", reference.issue)):
        if value:
            record[key] = _one_line(value)
    start, end = _split_pages(reference.pages)
    if start:
        record["start_page"] = start
    if end:
        record["end_page"] = end
    if reference.abstract:
        record["abstract"] = _one_line(reference.abstract)
    # Identifiers are normalised when imported, but an editor can type anything in the
    # admin: a line break in any value would end the RIS record early.
    if reference.doi:
        record["doi"] = _one_line(reference.doi)
    if reference.pmid:
        record["accession_number"] = _one_line(reference.pmid)
    if reference.pmcid:
        record["custom2"] = _one_line(reference.pmcid)
    if url := _url(reference):
        record["urls"] = [_one_line(url)]
    if note := STATUS_NOTES.get(reference.retraction_status):
        record["notes"] = [note]
    return record


def to_ris(references: Iterable[ReferenceLike]) -> str:
    """RIS (one TY ... ER record per reference): PMID in AN, PMCID in C2, journal in T2."""
    records = [_ris_record(reference) for reference in references]
    return rispy.dumps(records, implementation=_RisWriter) if records else ""


# --- BibTeX -------------------------------------------------------------------------------

_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LATEX_RE = re.compile("|".join(re.escape(char) for char in _LATEX_SPECIAL))
# Acronyms and mixed-case words (IVIG, IgG, mRNA) keep their case whatever the style does.
_KEEP_CASE_RE = re.compile(r"\b(?=\w*[A-Za-z]\w*[A-Z])[\w-]+")


def _latex(value: str | None) -> str:
    return _LATEX_RE.sub(lambda match: _LATEX_SPECIAL[match.group(0)], _one_line(value))


def _latex_title(value: str) -> str:
    return _KEEP_CASE_RE.sub(lambda match: "{" + match.group(0) + "}", _latex(value))


def _bibtex_name(author: dict) -> str:
    """BibTeX's "Last, Jr, First" form; a collective name is braced as a single name."""
    family, given, suffix, collective = _author_parts(author)
    if collective:
        return "{" + _latex(collective) + "}"
    if not family:
        return ""
    family = _latex(family)
    if " " in family or "," in family:
        family = "{" + family + "}"
    parts = [family]
    if suffix:
        parts.append(_latex(suffix))
    if given or suffix:
        parts.append(_latex(given))
    return ", ".join(parts)


def _verbatim(value: str) -> str:
    """DOIs and URLs are verbatim fields in BibLaTeX: only braces must not break the file."""
    return _one_line(value).replace("{", "%7B").replace("}", "%7D")


def _key_stem(reference: ReferenceLike) -> str:
    first = (_authors(reference)[0] or [{}])[0]
    name = first.get("family") or first.get("collective") or "ref"
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9]", "", ascii_name).lower() or "ref"
    return f"{stem[:30]}{reference.year or 'nd'}"


def _bibtex_entry(reference: ReferenceLike, key: str) -> Entry:
    fields: list[tuple[str, str]] = []
    authors, truncated = _authors(reference)
    names = [name for name in map(_bibtex_name, authors) if name]
    if names and truncated:
        names.append("others")
    if names:
        fields.append(("author", " and ".join(names)))
    fields.append(("title", _latex_title(reference.title)))
    if reference.journal:
        fields.append(("journal", _latex(reference.journal)))
    if reference.year:
        fields.append(("year", str(reference.year)))
    parts = _date_parts(reference)
    if len(parts) >= 2:
        fields.append(("month", str(parts[1])))
    for name, value in (("volume", reference.volume), ("number", reference.issue)):
        if value:
            fields.append((name, _latex(value)))
    start, end = _split_pages(reference.pages)
    if start:
        fields.append(("pages", _latex(f"{start}--{end}" if end else start)))
    if reference.doi:
        fields.append(("doi", _verbatim(reference.doi)))
    if reference.pmid:
        fields.append(("pmid", _verbatim(reference.pmid)))
    if reference.pmcid:
        fields.append(("pmcid", _verbatim(reference.pmcid)))
    if url := _url(reference):
        fields.append(("url", _verbatim(url)))
    if reference.abstract:
        fields.append(("abstract", _latex(reference.abstract)))
    if note := STATUS_NOTES.get(reference.retraction_status):
        fields.append(("note", note))
    entry_type = "article" if reference.journal else "misc"
    return Entry(entry_type, key, [Field(name, value) for name, value in fields])


def _unique_keys(references: Sequence[ReferenceLike]) -> list[str]:
    """smith2020, then smith2020a, smith2020b ... for works sharing a stem."""
    used: set[str] = set()
    keys = []
    for reference in references:
        stem = _key_stem(reference)
        key, n = stem, 0
        while key in used:
            n += 1
            key = f"{stem}{_suffix(n)}"
        used.add(key)
        keys.append(key)
    return keys


def _suffix(n: int) -> str:
    """1 -> a, 26 -> z, 27 -> aa."""
    letters = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        letters = chr(ord("a") + rem) + letters
    return letters


def to_bibtex(references: Iterable[ReferenceLike]) -> str:
    """BibTeX: @article (or @misc without a journal), LaTeX specials escaped, UTF-8 kept."""
    items = list(references)
    library = bibtexparser.Library()
    for reference, key in zip(items, _unique_keys(items), strict=True):
        library.add(_bibtex_entry(reference, key))
    return bibtexparser.write_string(library) if items else ""


# --- CSL-JSON -----------------------------------------------------------------------------


def _csl_item(reference: ReferenceLike) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": str(reference.pk),
        "type": "article-journal" if reference.journal else "document",
        "title": _one_line(reference.title),
    }
    authors = []
    for author in _authors(reference)[0]:
        family, given, suffix, collective = _author_parts(author)
        if collective:
            authors.append({"literal": collective})
        elif family:
            name = {"family": family, "given": given, "suffix": suffix}
            authors.append({key: value for key, value in name.items() if value})
    if authors:
        item["author"] = authors
    if parts := _date_parts(reference):
        item["issued"] = {"date-parts": [parts]}
    if reference.journal:
        item["container-title"] = _one_line(reference.journal)
    if reference.journal_abbreviation:
        item["container-title-short"] = _one_line(reference.journal_abbreviation)
    for key, value in (("volume", reference.volume), ("issue", reference.issue)):
        if value:
            item[key] = _one_line(value)
    start, end = _split_pages(reference.pages)
    if start:
        item["page"] = f"{start}-{end}" if end else start
    for key, value in (("DOI", reference.doi), ("PMID", reference.pmid)):
        if value:
            item[key] = value
    if reference.pmcid:
        item["PMCID"] = reference.pmcid
    if url := _url(reference):
        item["URL"] = url
    if reference.abstract:
        item["abstract"] = reference.abstract
    if note := STATUS_NOTES.get(reference.retraction_status):
        item["note"] = note
    return item


def to_csl_items(references: Iterable[ReferenceLike]) -> list[dict[str, Any]]:
    return [_csl_item(reference) for reference in references]


def to_csl_json(references: Iterable[ReferenceLike]) -> str:
    """CSL-JSON, the input format of citeproc processors (Zotero, Pandoc, citeproc-py)."""
    return json.dumps(to_csl_items(references), ensure_ascii=False, indent=2) + "\n"


EXPORT_FORMATS = {
    "ris": ("application/x-research-info-systems", "ris", to_ris),
    "bibtex": ("application/x-bibtex", "bib", to_bibtex),
    "csl-json": ("application/vnd.citationstyles.csl+json", "json", to_csl_json),
}
