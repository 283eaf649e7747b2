"""Pure parsers: bytes from upstream answers or uploaded files to BibRecords. No Django.

``parse_file`` reads a reference-manager export, choosing the format from the file
name's extension or, failing that, from its content:

- RIS (``.ris``; Web of Science tagged files too), MEDLINE/nbib (``.nbib``,
  ``.medline``, ``.txt``), BibTeX (``.bib``, ``.bibtex``), CSL-JSON (``.json``),
  PubMed XML (``.xml``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib import import_module

from .common import MAX_FILE_BYTES, RecordProblems
from .records import (
    Author,
    BibRecord,
    FileParseResult,
    Notice,
    ParseError,
    PubmedBatch,
    RecordError,
)

__all__ = [
    "FORMATS",
    "Author",
    "BibRecord",
    "FileParseResult",
    "Notice",
    "ParseError",
    "PubmedBatch",
    "RecordError",
    "detect_format",
    "parse_file",
]


def _parse_pubmed_file(data: bytes) -> FileParseResult:
    from .pubmed import parse_pubmed_xml

    batch = parse_pubmed_xml(data, max_bytes=MAX_FILE_BYTES)
    records, errors = [], []
    for rec in batch.records:
        rec.source = "file"
        # Held to the other files' standard: a record with neither a title nor an
        # identifier (an empty <PubmedArticle/>) is reported, not imported blank.
        error = RecordProblems(rec).error()
        if error is None:
            records.append(rec)
        else:
            errors.append(error)
    return FileParseResult(records=records, errors=errors, format="pubmed-xml")


def _lazy(module: str, function: str) -> Callable[[bytes], FileParseResult]:
    """Import a format's parser on first use: bibtexparser alone takes a quarter of a
    second to import, and most callers of this package only need pubmed or crossref."""

    def parse(data: bytes) -> FileParseResult:
        return getattr(import_module(f"{__name__}.{module}"), function)(data)

    parse.__name__ = function
    return parse


FORMATS: dict[str, Callable[[bytes], FileParseResult]] = {
    "ris": _lazy("ris", "parse_ris"),
    "medline": _lazy("medline", "parse_medline"),
    "bibtex": _lazy("bibtex", "parse_bibtex"),
    "csljson": _lazy("csljson", "parse_csljson"),
    "pubmed-xml": _parse_pubmed_file,
}
_ALIASES = {
    "nbib": "medline",
    "pubmed": "medline",
    "bib": "bibtex",
    "csl": "csljson",
    "csl-json": "csljson",
    "json": "csljson",
    "xml": "pubmed-xml",
    "wos": "ris",
}
_EXTENSIONS = {
    ".ris": "ris",
    ".nbib": "medline",
    ".medline": "medline",
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".json": "csljson",
    ".xml": "pubmed-xml",
}
# Not reference exports at all: refused with a message naming what they are.
_MAGIC = (
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
)
_RIS_LINE = re.compile(r"^TY  - ", re.MULTILINE)
_WOS_START = re.compile(r"^(?:FN |PT )", re.MULTILINE)
_MEDLINE_LINE = re.compile(r"^PMID- ?\d", re.MULTILINE)
_BIBTEX_ENTRY = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)


def detect_format(data: bytes, filename: str | None = None) -> str:
    """The format name for ``data``: from the extension when it says, else from the content."""
    name = (filename or "").lower()
    for extension, fmt in _EXTENSIONS.items():
        if name.endswith(extension):
            return fmt
    head = bytes(data[:65536])
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise ParseError(f"unsupported file: this is {what}, not a reference export")
    if not head.startswith((b"\xff\xfe", b"\xfe\xff")) and (
        b"\x00" in head or sum(1 for byte in head[:4096] if byte < 9 or 13 < byte < 32) > 8
    ):
        raise ParseError("unsupported file: this is a binary file, not a reference export")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = head.decode("utf-16", "replace").lstrip("\ufeff \t\r\n")
    else:
        text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    if text.startswith(("[", "{")):
        return "csljson"
    if text.startswith("<"):
        if re.match(r"(?is)(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<!doctype\s+html|<html", text):
            raise ParseError("unsupported file: this is an HTML page, not a reference export")
        return "pubmed-xml"
    if _RIS_LINE.search(text):
        return "ris"
    if _MEDLINE_LINE.search(text):
        return "medline"
    if _BIBTEX_ENTRY.search(text):
        return "bibtex"
    if _WOS_START.match(text):
        return "ris"
    raise ParseError(
        "unknown file format: expected RIS (.ris), MEDLINE/nbib (.nbib, .txt), "
        "BibTeX (.bib), CSL-JSON (.json) or PubMed XML (.xml)"
    )


def parse_file(data: bytes, filename: str | None = None, fmt: str | None = None) -> FileParseResult:
    """Parse an uploaded reference file into records and per-record errors.

    ``fmt`` ("ris", "medline", "bibtex", "csljson", "pubmed-xml") overrides detection.
    A file that cannot be read as a whole (wrong format, binary, too large) raises
    ParseError naming the problem; a bad record becomes a RecordError with its line.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ParseError(f"expected the file's bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) > MAX_FILE_BYTES:
        raise ParseError(f"file is too large: {len(data):,} bytes (limit {MAX_FILE_BYTES:,})")
    if not data.strip():
        raise ParseError("file is empty")
    if fmt is not None:
        key = _ALIASES.get(fmt.lower(), fmt.lower())
        if key not in FORMATS:
            raise ParseError(f"unknown file format {fmt!r}; known: {', '.join(FORMATS)}")
    elif (filename or "").lower().endswith(".txt"):
        key = detect_format(data)  # .txt is used for both MEDLINE and RIS exports
    else:
        key = detect_format(data, filename)
    return FORMATS[key](data)
