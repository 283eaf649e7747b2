"""Years from the dates files carry, with the reason when a date cannot give one.

A year outside records.MIN_YEAR..MAX_YEAR, a date before the Common Era ("44 BC",
"around 2000bc", ISO "-0043") and, in free text, an approximate or several-year date
("circa 1900", "1990s", "2001 or 2002") give no year: the record keeps the source's
words in ``date_text`` and a warning saying why.
"""

from __future__ import annotations

import re

from .records import MAX_YEAR, MIN_YEAR, BibRecord

__all__ = ["record_year", "year_in"]

_WS = re.compile(r"\s+")
_BCE = re.compile(
    r"(?i)(?:\d|\b)\s*(?:b\.?\s?c\.?(?:e\.?)?|bce|before\s+(?:christ|(?:the\s+)?common\s+era))"
    r"(?![a-z])|^\s*-\s*\d"
)
_APPROXIMATE = re.compile(
    r"(?i)\b(?:circa|ca|c|around|about|approx(?:imately)?|before|after|early|late|mid|"
    r"or|between|unknown|undated)\b\.?|\?|\d{4}'?s\b"
)
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_SHORT_YEAR = re.compile(r"(?i)(?:a\.?d\.?\s*)?(\d{1,3})(?:\s*(?:a\.?d\.?|c\.?e\.?))?")


def year_in(text: str, *, literal: bool = False) -> tuple[int | None, str | None]:
    """The year ``text`` gives, or None with the reason (None when there is no date at all).

    ``literal``: the text is free words (CSL ``literal``, a RIS date that is not
    "YYYY/MM/DD"), which give a year only when they name exactly one, exactly.
    """
    text = _WS.sub(" ", text).strip()
    if not text:
        return None, None
    if _BCE.search(text):
        return None, f"the date {text!r} is before the Common Era; kept as text"
    years = [int(y) for y in _YEAR.findall(text)]
    if not years:
        short = _SHORT_YEAR.fullmatch(text)
        if short and literal is False and int(short.group(1)) > 0:
            year = int(short.group(1))
            return None, f"year {year} is outside {MIN_YEAR}–{MAX_YEAR}; kept as text"
        return None, None
    if literal and (_APPROXIMATE.search(text) or len(set(years)) > 1):
        return None, f"the date {text!r} is not exact; kept as text"
    year = years[0]
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None, f"year {year} is outside {MIN_YEAR}–{MAX_YEAR}; kept as text"
    return year, None


def record_year(rec: BibRecord, text: str, *, literal: bool = False) -> int | None:
    """``year_in`` for a record: a date that gives no year is kept in date_text, with why."""
    year, problem = year_in(text, literal=literal)
    if problem is not None:
        rec.date_text = rec.date_text or _WS.sub(" ", text).strip()
        if problem not in rec.warnings:
            rec.warnings.append(problem)
    return year
