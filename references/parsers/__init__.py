"""Pure parsers: bytes from upstream answers or uploaded files to BibRecords. No Django.

``parse_file`` reads a reference-manager export, choosing the format by its content:
RIS, Web of Science and Ovid tagged text, MEDLINE/nbib, BibTeX, CSL-JSON, PubMed XML.
Exports are named anyhow (a MEDLINE file saved as .ris, RIS as .txt, Web of Science
as savedrecs.txt or .ciw), so the file name's extension is only a hint, used when the
content fits several formats or none (then that format's parser says what is wrong).
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
    "wos": _lazy("wos", "parse_wos"),
    "ovid": _lazy("ovid", "parse_ovid"),
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
    "ciw": "wos",
}
_EXTENSIONS = {
    ".ris": "ris",
    ".nbib": "medline",
    ".medline": "medline",
    ".bib": "bibtex",
    ".bibtex": "bibtex",
    ".json": "csljson",
    ".xml": "pubmed-xml",
    ".ciw": "wos",
    ".ovd": "ovid",
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
_RIS_LINE = re.compile(r"^TY[ \t]+-(?:[ \t]|$)", re.MULTILINE)
_WOS_START = re.compile(r"^(?:FN |VR |PT [A-Z][ \t]*$)")
_OVID_LINE = re.compile(r"^\s*VN\s{1,2}-\s*Ovid Technologies", re.MULTILINE)
_MEDLINE_LINE = re.compile(r"^(?:PMID- ?\d|(?:OWN|STAT|FAU|DCOM) ?- )", re.MULTILINE)
_BIBTEX_ENTRY = re.compile(r"^\s*@\s*[A-Za-z]+\s*[{(]", re.MULTILINE)
# Checked in this order; the first that fits wins unless the extension names another
# that fits too (a BibTeX file whose abstract quotes a RIS line stays BibTeX).
_CONTENT_TESTS: tuple[tuple[str, Callable[[str], bool]], ...] = (
    ("ovid", lambda text: bool(_OVID_LINE.search(text[:4096]))),
    ("wos", lambda text: bool(_WOS_START.match(text))),
    ("ris", lambda text: bool(_RIS_LINE.search(text))),
    ("medline", lambda text: bool(_MEDLINE_LINE.search(text))),
    ("bibtex", lambda text: bool(_BIBTEX_ENTRY.search(text))),
)


def _extension_format(filename: str | None) -> str | None:
    name = (filename or "").lower()
    return next((fmt for ext, fmt in _EXTENSIONS.items() if name.endswith(ext)), None)


def _head_text(data: bytes) -> str:
    """The first 64 KB as text; binaries and web pages refused with what they are."""
    head = bytes(data[:65536])
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise ParseError(f"unsupported file: this is {what}, not a reference export")
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))
    if not utf16 and (
        b"\x00" in head or sum(1 for byte in head[:4096] if byte < 9 or 13 < byte < 32) > 8
    ):
        raise ParseError("unsupported file: this is a binary file, not a reference export")
    text = head.decode("utf-16" if utf16 else "utf-8", "replace").lstrip("\ufeff \t\r\n")
    if text.startswith("<") and re.match(
        r"(?is)(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<!doctype\s+html|<html", text
    ):
        raise ParseError("unsupported file: this is an HTML page, not a reference export")
    return text


def detect_format(data: bytes, filename: str | None = None) -> str:
    """The format name for ``data``, decided by its content; ``filename``'s extension
    only breaks a tie or names the parser to try when the content fits no format."""
    text = _head_text(data)
    hint = _extension_format(filename)
    if text.startswith(("[", "{")):
        return "csljson"
    if text.startswith("<") and not _OVID_LINE.search(text[:4096]):
        return "pubmed-xml"
    fits = [fmt for fmt, test in _CONTENT_TESTS if test(text)]
    if fits:
        return hint if hint in fits else fits[0]
    if hint is not None:
        return hint
    raise ParseError(
        "unknown file format: expected RIS, MEDLINE/nbib, Web of Science or Ovid tagged "
        "text, BibTeX, CSL-JSON or PubMed XML"
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
    else:
        key = detect_format(data, filename)
    return FORMATS[key](data)
