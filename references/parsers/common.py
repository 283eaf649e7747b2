"""Helpers shared by the reference-manager file parsers (RIS, MEDLINE, BibTeX, CSL-JSON).

Records from files are held to a stricter standard than upstream answers: an
identifier that does not normalise makes the whole record a RecordError (the user can
fix the file), and a record with neither a title nor an identifier is refused.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

from ..identifiers import InvalidIdentifier, normalise_doi, normalise_pmcid, normalise_pmid
from .records import (
    Author,
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
_INITIALS_RE = re.compile(r"^(?:[A-Z]\.?\s?-?){1,4}$")
_ORCID_RE = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dXx])")
_CITATION_DATE_RE = re.compile(
    r"\b(\d{4}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* (\d{1,2})\b"
)

_NORMALISERS: dict[str, Callable[[str], str]] = {
    "doi": normalise_doi,
    "pmid": normalise_pmid,
    "pmcid": normalise_pmcid,
}


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


def person(name: str) -> Author:
    """A name as reference managers write it: "Family, Given", "Family GH", "Adler D.G."."""
    name = clean(name).strip(";")
    if not name:
        return Author()
    if "," in name:
        family, _, rest = name.partition(",")
        given, _, suffix = rest.partition(",")
        given, suffix = given.strip(), suffix.strip()
        if suffix and not re.fullmatch(r"(?i)jr\.?|sr\.?|[ivx]+|\d(?:nd|rd|th)", suffix):
            given, suffix = f"{given} {suffix}".strip(), ""
        return Author(
            family=family.strip(),
            given=given,
            initials=initials_of(given),
            suffix=suffix,
        )
    parts = name.split(" ")
    if len(parts) >= 2 and _INITIALS_RE.match(" ".join(parts[1:])):
        initials = re.sub(r"[^A-Z]", "", " ".join(parts[1:]))
        return Author(family=parts[0], initials=initials)
    if len(parts) >= 2 and _INITIALS_RE.match(parts[-1]):
        initials = re.sub(r"[^A-Z]", "", parts[-1])
        return Author(family=" ".join(parts[:-1]), initials=initials)
    return Author(collective=name) if len(parts) > 3 else Author(family=name)


def initials_of(given: str) -> str:
    """ "Steven J." -> "SJ", "Jean-Paul" -> "JP", and "AJ" (already initials) -> "AJ"."""
    out = []
    for token in re.split(r"[\s.]+", given):
        if token.isalpha() and token.isupper() and len(token) <= 3:
            out.append(token)
            continue
        out.extend(part[0].upper() for part in token.split("-") if part and part[0].isalpha())
    return "".join(out)


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

    def add(self, problem: str) -> None:
        self.problems.append(problem)

    def error(self) -> RecordError | None:
        if (problem := text_problem(self.rec)) is not None:
            self.problems.append(f"the record contains {problem}, which cannot be stored")
        if self.problems:
            return RecordError(self.rec.line, "; ".join(self.problems))
        if not self.rec.title and not self.rec.has_identifier:
            return RecordError(self.rec.line, "record has neither a title nor a DOI, PMID or PMCID")
        return None
