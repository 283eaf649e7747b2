"""Normalising DOIs, PMIDs and PMCIDs, and finding them in pasted text.

Every identifier stored or compared anywhere in the project goes through these
functions first, so ``doi:10.1000/ABC.`` and ``https://doi.org/10.1000/abc`` are
the same reference. No Django import: parsers and benchmarks use this module too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote

__all__ = [
    "Identifier",
    "InvalidIdentifier",
    "extract_identifiers",
    "normalise_doi",
    "normalise_pmcid",
    "normalise_pmid",
    "parse_identifier",
]


class InvalidIdentifier(ValueError):
    """The input is not a valid identifier of the kind asked for; the message quotes it."""


IdentifierKind = Literal["doi", "pmid", "pmcid"]


@dataclass(frozen=True)
class Identifier:
    kind: IdentifierKind
    value: str

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


# Handbook: a DOI is "10." + registrant code (4-9 digits in practice) + "/" + suffix.
# The suffix is printable: no whitespace, control characters (NUL, which PostgreSQL
# refuses) or lone surrogates (which cannot be encoded at all).
_DOI_RE = re.compile(r"10\.\d{4,9}/[^\s\x00-\x1f\x7f-\x9f\ud800-\udfff]+")
# The Reference column is 255 characters and an import item stores "doi:" + the DOI;
# real DOIs are far shorter, so anything longer is a pasted URL or a mistake.
MAX_DOI_LENGTH = 250
_DOI_PREFIX_RE = re.compile(
    r"""^(?:
        (?:https?://)?(?:www\.)?(?:dx\.)?doi\.org/
        | info:doi/
        | doi\s*:\s*
        | doi\s+
    )""",
    re.IGNORECASE | re.VERBOSE,
)
# Already canonical apart from case: the common case for upstream data, checked first.
_CLEAN_DOI_RE = re.compile(
    r"10\.\d{4,9}/[^\s%\"'`<>\x00-\x1f\x7f-\x9f\ud800-\udfff]*"
    r"[^\s%\"'`<>.,;:!?)\]}\x00-\x1f\x7f-\x9f\ud800-\udfff]"
)
_CLEAN_PMCID_RE = re.compile(r"PMC[1-9]\d{0,9}")
_PERCENT_RE = re.compile(r"%[0-9A-Fa-f]{2}")
_QUOTES = "\"'`\u201c\u201d\u2018\u2019\u00ab\u00bb"
_TRAILING = ".,;:!?" + _QUOTES
_CLOSERS = {")": "(", "]": "[", "}": "{", ">": "<"}

_PMID_RE = re.compile(r"\d{1,10}")
_PMID_PREFIX_RE = re.compile(
    r"""^(?:
        (?:https?://)?(?:www\.)?pubmed\.ncbi\.nlm\.nih\.gov/
        | (?:https?://)?(?:www\.)?ncbi\.nlm\.nih\.gov/pubmed/(?:\?term=)?
        | (?:https?://)?(?:www\.)?europepmc\.org/(?:article|abstract)/med/
        | (?:pmid|pubmed|medline)\s*[:=]?\s*
    )""",
    re.IGNORECASE | re.VERBOSE,
)

_PMCID_RE = re.compile(r"(?:PMC)?\s*(\d{1,10})", re.IGNORECASE)
_PMCID_PREFIX_RE = re.compile(
    r"""^(?:
        (?:https?://)?(?:www\.)?ncbi\.nlm\.nih\.gov/pmc/articles/
        | (?:https?://)?(?:www\.)?pmc\.ncbi\.nlm\.nih\.gov/articles/
        | (?:https?://)?(?:www\.)?europepmc\.org/(?:article|abstract)/pmc/
        | (?:https?://)?(?:www\.)?europepmc\.org/articles/
        | pmcid\s*[:=]?\s*
    )""",
    re.IGNORECASE | re.VERBOSE,
)


def _quoted(s: object) -> str:
    """The input as quoted in an error message: its repr (NULs and surrogates escaped),
    cut short so that a megabyte pasted by mistake is not echoed back whole."""
    text = repr(s)
    return text if len(text) <= 120 else f"{text[:100]}...' ({len(str(s)):,} characters)"


def _require_str(s: object, what: str) -> str:
    if isinstance(s, int) and not isinstance(s, bool):
        return str(s)
    if not isinstance(s, str):
        raise InvalidIdentifier(f"not a {what}: {_quoted(s)} (expected text)")
    return s


def _unwrap(s: str) -> str:
    """Strip whitespace, quotes, <angle brackets> and an opening bracket around an identifier.

    Only the leading side: a closing bracket may belong to the identifier and is
    dealt with by _strip_trailing, which knows whether it is balanced.
    """
    s = s.strip()
    while len(s) >= 2 and (
        (s[0] in _QUOTES and s[-1] in _QUOTES) or (s[0] == "<" and s[-1] == ">")
    ):
        s = s[1:-1].strip()
    return s.lstrip(_QUOTES + "<([{").strip()


def _strip_trailing(s: str) -> str:
    """Drop sentence punctuation after an identifier; keep a ')' that closes a '(' inside it.

    DOIs such as 10.1016/0005-2795(76)90109-4 end in a balanced bracket, while
    "(doi:10.1000/xyz)." ends in punctuation that belongs to the sentence.
    """
    while s:
        last = s[-1]
        if last in _TRAILING or last.isspace():
            s = s[:-1]
        elif last in _CLOSERS and s.count(_CLOSERS[last]) < s.count(last):
            s = s[:-1]
        else:
            break
    return s


def _strip_url_tail(s: str) -> str:
    """Drop a query string or fragment left over from a URL (``?utm=..``, ``#abstract``)."""
    return re.split(r"[?#]", s, maxsplit=1)[0]


def normalise_doi(s: str) -> str:
    """Return the DOI in ``s`` as lower-case ``10.xxxx/...``.

    Accepts a bare DOI, ``doi:``/``DOI `` prefixes, doi.org and dx.doi.org URLs,
    URL-encoded forms, surrounding quotes or angle brackets and trailing sentence
    punctuation. Raises InvalidIdentifier naming the input otherwise.
    """
    original = _require_str(s, "DOI")
    if len(original) <= MAX_DOI_LENGTH and _CLEAN_DOI_RE.fullmatch(original):
        return original.lower()
    value = _unwrap(original)
    if _PERCENT_RE.search(value):
        value = unquote(value)
    if re.match(r"(?i)(?:https?://)?(?:www\.)?(?:dx\.)?doi\.org/", value):
        value = _strip_url_tail(value)
    for _ in range(2):  # "https://doi.org/doi:10..." occurs in the wild
        value = _DOI_PREFIX_RE.sub("", value, count=1).strip()
    value = _strip_trailing(_unwrap(value))
    value = value.lower()
    if not _DOI_RE.fullmatch(value):
        raise InvalidIdentifier(f"not a DOI: {_quoted(original)} (expected 10.NNNN/suffix)")
    if len(value) > MAX_DOI_LENGTH:
        raise InvalidIdentifier(
            f"not a DOI: {_quoted(original)} (longer than {MAX_DOI_LENGTH} characters)"
        )
    return value


def normalise_pmid(s: str | int) -> str:
    """Return the PMID in ``s`` as a string of digits (``PMID: 123`` -> ``"123"``).

    Accepts ``PMID:``/``pmid:`` prefixes and PubMed / Europe PMC URLs. Rejects 0,
    anything that is not digits, and more than 10 digits.
    """
    original = _require_str(s, "PMID")
    if original.isascii() and original.isdigit() and 0 < len(original) <= 10 and int(original):
        return original if original[0] != "0" else str(int(original))
    value = _PMID_PREFIX_RE.sub("", _unwrap(original), count=1)
    value = _strip_trailing(_strip_url_tail(value).rstrip("/")).strip()
    if not _PMID_RE.fullmatch(value) or int(value) == 0:
        raise InvalidIdentifier(f"not a PMID: {_quoted(original)} (expected 1 to 10 digits)")
    return str(int(value))


def normalise_pmcid(s: str | int) -> str:
    """Return the PMCID in ``s`` as ``PMC123``.

    Accepts ``PMC123``, ``pmc123``, ``PMCID: PMC123``, PMC and Europe PMC article
    URLs, and bare digits (the caller says it is a PMCID by calling this function).
    """
    original = _require_str(s, "PMCID")
    if _CLEAN_PMCID_RE.fullmatch(original):
        return original
    value = _PMCID_PREFIX_RE.sub("", _unwrap(original), count=1)
    value = _strip_trailing(_strip_url_tail(value).rstrip("/")).strip()
    match = _PMCID_RE.fullmatch(value)
    if match is None or int(match.group(1)) == 0:
        raise InvalidIdentifier(
            f"not a PMCID: {_quoted(original)} (expected PMC followed by digits)"
        )
    return f"PMC{int(match.group(1))}"


_LOOKS_DOI = re.compile(r"(?:^|[^0-9])10\.\d+(?:/|%2f)|^\W*doi\b", re.IGNORECASE)
_LOOKS_PMCID = re.compile(r"^\W*(?:pmcid\b|pmc\s*\d)|/pmc/|pmc\.ncbi|europepmc\.org/.*pmc", re.I)
_LOOKS_PMID = re.compile(r"^\W*(?:pmid|pubmed|medline)\b|pubmed|europepmc\.org/.*med/", re.I)


def parse_identifier(s: str) -> Identifier:
    """Guess the kind of one identifier and normalise it.

    DOI-like -> doi, ``PMC...``/PMC URLs -> pmcid, plain digits or ``PMID:`` -> pmid.
    """
    original = _require_str(s, "DOI, PMID or PMCID")
    value = _unwrap(original)
    if not value:
        raise InvalidIdentifier(f"not a DOI, PMID or PMCID: {_quoted(original)} (empty)")
    if _LOOKS_DOI.search(value):
        return Identifier("doi", normalise_doi(value))
    if _LOOKS_PMCID.search(value):
        return Identifier("pmcid", normalise_pmcid(value))
    if _LOOKS_PMID.search(value) or _strip_trailing(value).isdigit():
        return Identifier("pmid", normalise_pmid(value))
    raise InvalidIdentifier(f"not a DOI, PMID or PMCID: {_quoted(original)}")


# A pasted line is treated as one identifier when it is a single token, optionally
# preceded by a label ("PMID: 123", "doi 10.1/x"); anything longer is free text.
_LONE_TOKEN = re.compile(r"^(?:(?:doi|pmid|pmcid|pubmed)\s*[:=]?\s*)?\S+$", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s,;|]+")
_TEXT_DOI = re.compile(r"10\.\d{4,9}(?:/|%2[fF])[^\s\"<>{}]+")
_TEXT_PMID = re.compile(
    r"\b(?:PMID|PubMed\s+ID)\s*[:#=]?\s*(\d{1,10})\b"
    r"|pubmed\.ncbi\.nlm\.nih\.gov/(\d{1,10})\b"
    r"|ncbi\.nlm\.nih\.gov/pubmed/(\d{1,10})\b",
    re.IGNORECASE,
)
_TEXT_PMCID = re.compile(r"\bPMC\s?(\d{1,10})\b|\bPMCID\s*[:#=]?\s*(?:PMC)?(\d{1,10})\b", re.I)


def _scan_free_text(line: str) -> list[tuple[int, Identifier]]:
    """Identifiers found in a line of prose, each with its position so order is kept."""
    found: list[tuple[int, Identifier]] = []
    for m in _TEXT_DOI.finditer(line):
        try:
            found.append((m.start(), Identifier("doi", normalise_doi(m.group(0)))))
        except InvalidIdentifier:
            continue
    for m in _TEXT_PMID.finditer(line):
        digits = next(g for g in m.groups() if g)
        try:
            found.append((m.start(), Identifier("pmid", normalise_pmid(digits))))
        except InvalidIdentifier:
            continue
    for m in _TEXT_PMCID.finditer(line):
        digits = next(g for g in m.groups() if g)
        try:
            found.append((m.start(), Identifier("pmcid", normalise_pmcid(digits))))
        except InvalidIdentifier:
            continue
    found.sort(key=lambda item: item[0])
    return found


def extract_identifiers(
    text: str,
) -> tuple[list[Identifier], list[tuple[int, str, str]]]:
    """Find the identifiers in a pasted block.

    One identifier per line is the normal case, and such a line that is invalid is
    reported as ``(line_number, raw_line, reason)``. A line holding several
    identifiers separated by commas, semicolons or spaces gives each of them. Any
    other line is prose (a reference list, say) and is scanned for DOIs,
    ``PMID: n`` and ``PMCn``; prose without identifiers is not an error.
    Identifiers are de-duplicated, in first-seen order.
    """
    found: list[Identifier] = []
    seen: set[Identifier] = set()
    errors: list[tuple[int, str, str]] = []

    def add(identifier: Identifier) -> None:
        if identifier not in seen:
            seen.add(identifier)
            found.append(identifier)

    for number, raw in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if _LONE_TOKEN.match(line):
            try:
                add(parse_identifier(line))
            except InvalidIdentifier as exc:
                errors.append((number, raw, str(exc)))
            continue
        tokens = [t for t in _SEPARATORS.split(line) if t]
        parsed: list[Identifier] = []
        for token in tokens:
            try:
                parsed.append(parse_identifier(token))
            except InvalidIdentifier:
                parsed = []
                break
        if parsed:
            for identifier in parsed:
                add(identifier)
            continue
        for _, identifier in _scan_free_text(line):
            add(identifier)
    return found, errors
