"""Helpers shared by the reference-manager file parsers (RIS, MEDLINE, BibTeX, CSL-JSON).

Records from files are held to a stricter standard than upstream answers: an
identifier that does not normalise makes the whole record a RecordError (the user can
fix the file), and a record with neither a title nor an identifier is refused.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from urllib.parse import unquote

from ..identifiers import InvalidIdentifier, normalise_doi, normalise_pmcid, normalise_pmid
from .dates import record_year, year_in
from .names import initials_of, person, person_family_first
from .records import (
    BibRecord,
    ParseError,
    RecordError,
    plausible_year,
    small_int,
    text_problem,
)

MAX_FILE_BYTES = 20 * 1024 * 1024

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_YEAR_RE = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_DASHES = re.compile(r"\s*(?:--|[\u2010-\u2015\u2212-])+\s*")
_WS = re.compile(r"\s+")
_DOI_IN = re.compile(r"10\.\d{3,9}/[^\s\"<>&]+")
_ORCID_RE = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dXx])")
_CITATION_DATE_RE = re.compile(
    r"\b(\d{4}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* (\d{1,2})\b"
)

__all__ = [
    "MAX_FILE_BYTES",
    "RecordProblems",
    "initials_of",
    "person",
    "person_family_first",
    "record_label",
    "record_year",
    "year_in",
]

_NORMALISERS: dict[str, Callable[[str], str]] = {
    "doi": normalise_doi,
    "pmid": normalise_pmid,
    "pmcid": normalise_pmcid,
}


def doi_in(text: str) -> str:
    """The first thing shaped like a DOI in ``text`` (percent-escapes undone), else ""."""
    match = _DOI_IN.search(unquote(text)) if "10." in text else None
    return match.group(0).rstrip(".,;)]}>'\"") if match else ""


def check_size(data: bytes, what: str, max_bytes: int = MAX_FILE_BYTES) -> None:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ParseError(f"{what}: expected bytes, got {type(data).__name__}")
    if len(data) > max_bytes:
        raise ParseError(f"{what} is too large: {len(data):,} bytes (limit {max_bytes:,})")
    if not bytes(data).strip():
        raise ParseError(f"{what} is empty")


def decode_text(data: bytes, what: str) -> str:
    """Bytes of a text export to str; binary data (a zip, a PDF, garbage) is refused."""
    data = bytes(data)
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16").lstrip("\ufeff")
        except UnicodeDecodeError:
            raise ParseError(f"{what}: not valid UTF-16 text") from None
    if b"\x00" in data[:8192]:
        raise ParseError(f"{what}: this is a binary file, not a text export")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older Windows exports (EndNote, Reference Manager) are often cp1252.
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    controls = sum(1 for c in text[:8192] if ord(c) < 32 and c not in "\r\n\t\f")
    if controls > 8:
        raise ParseError(f"{what}: this looks like binary data, not a text export")
    nul = text.find("\x00")
    if nul >= 0:
        # Past the first 8 KB a NUL still cannot be stored (PostgreSQL refuses it in text).
        raise ParseError(
            f"{what}: a NUL character on line {text.count(chr(10), 0, nul) + 1}; "
            "the file is damaged or not a text export"
        )
    return text


def clean(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = " ".join(str(v) for v in value if v)
    return _WS.sub(" ", str(value)).strip()


def first(value: object) -> str:
    if isinstance(value, list):
        return next((clean(v) for v in value if clean(v)), "")
    return clean(value)


def as_list(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list):
        return [clean(v) for v in value if clean(v)]
    return [clean(value)] if clean(value) else []


def year_of(value: object) -> int | None:
    for match in _YEAR_RE.finditer(clean(value)):
        if year := plausible_year(int(match.group(1))):
            return year
    return None


def month_of(value: object) -> int | None:
    text = clean(value).lower()
    if not text:
        return None
    if (month := small_int(text)) is not None:
        return month if 1 <= month <= 12 else None
    return _MONTHS.get(text[:3])


def pages(start: object, end: object = "") -> str:
    """ "635–641", "635--641", ("635", "641") -> "635-641"."""
    start_text, end_text = clean(start), clean(end)
    if start_text and end_text and end_text != start_text:
        return f"{_DASHES.sub('-', start_text)}-{end_text}"
    return _DASHES.sub("-", start_text or end_text)


def citation_date(text: str) -> datetime.date | None:
    """The full date in a citation string ("Cell Rep. 2022 Jun 28;39(13)..."), if it has one."""
    match = _CITATION_DATE_RE.search(text)
    if match is None:
        return None
    try:
        return datetime.date(
            int(match.group(1)), _MONTHS[match.group(2).lower()], int(match.group(3))
        )
    except ValueError:
        return None


def orcid_of(value: object) -> str:
    match = _ORCID_RE.search(clean(value))
    return "-".join(match.groups()).upper() if match else ""


class RecordProblems:
    """Collects what is wrong with one record read from a file."""

    def __init__(self, rec: BibRecord) -> None:
        self.rec = rec
        self.problems: list[str] = []

    def identifier(self, kind: str, raw: object) -> None:
        """Normalise and set rec.<kind>; an invalid value is a problem for the record."""
        value = clean(raw)
        if not value:
            return
        try:
            setattr(self.rec, kind, _NORMALISERS[kind](value))
        except InvalidIdentifier as exc:
            self.problems.append(str(exc))

    def identifier_token(self, kind: str, raw: object) -> str:
        """Set rec.<kind> from the first token of ``raw`` (a DOI inside a link counts);
        the rest of the line is returned, for the caller to keep as a URL."""
        token, _, rest = clean(raw).partition(" ")
        if kind == "doi":
            token = doi_in(token) or token
        self.identifier(kind, token)
        return rest.strip()

    def guess_doi(self, *texts: str) -> None:
        """The first DOI found in ``texts`` (links, notes), if it normalises; else nothing."""
        for text in texts:
            found = doi_in(text)
            if not found:
                continue
            try:
                self.rec.doi = normalise_doi(found)
            except InvalidIdentifier:
                continue
            return

    def add(self, problem: str) -> None:
        self.problems.append(problem)

    def error(self) -> RecordError | None:
        if (problem := text_problem(self.rec)) is not None:
            self.problems.append(f"the record contains {problem}, which cannot be stored")
        label = record_label(self.rec)
        if self.problems:
            return RecordError(self.rec.line, "; ".join(self.problems), label)
        if not self.rec.title and not self.rec.has_identifier:
            return RecordError(
                self.rec.line, "record has neither a title nor a DOI, PMID or PMCID", label
            )
        return None


def record_label(rec: BibRecord, limit: int = 120) -> str:
    """What a message calls the record: its title, else its first author."""
    text = rec.title or (rec.authors[0].display_name if rec.authors else "")
    text = _WS.sub(" ", text).strip()
    return text if len(text) <= limit else f"{text[: limit - 1]}…"
