"""BibTeX ``year``/``month``/``day`` and BibLaTeX ``date`` fields to a partial date.

A year is taken only when it is unambiguous: a plain number, an ISO/EDTF date, or the
one four-digit year in a phrase ("2012 (in press)"). A BCE date, a year outside
records.MIN_YEAR..MAX_YEAR or a phrase with no single year keeps no year, and the
source's own words go to ``date_text`` so the problem can be shown, never guessed at:
"around 2000bc" is not the year 2000.
"""

from __future__ import annotations

import re

from .common import clean, month_of
from .records import iso_partial_date, plausible_year, small_int

# Full ISO/EDTF dates; a range ("2019/2020", "2019-04-03/05") dates from its start.
_ISO = re.compile(r"(-?\d{1,5})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:T[\d:.+Z-]*)?(?:/.*)?")
_BCE = re.compile(r"(?i)(?<![a-z])(?:b\.?\s?c\.?(?:\s?e\.?)?|v\.\s?chr\.?)(?![a-z])")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")

DateParts = tuple[int | None, int | None, int | None, str, str]


def _literal_year(text: str) -> int | None:
    if _BCE.search(text) or re.search(r"(?<![\d\w])-\d", text):
        return None
    years = set(_YEAR.findall(text))
    return plausible_year(int(years.pop())) if len(years) == 1 else None


def _day(value: object, month: int | None) -> int | None:
    day = small_int(clean(value))
    return day if month and day is not None and 1 <= day <= 31 else None


def bibtex_date(year_text: str, date_text: str, month: object, day: object) -> DateParts:
    """(year, month, day, ISO partial date, the source's words when no plain date)."""
    text = clean(year_text) or clean(date_text)
    if not text:
        return None, None, None, "", ""
    iso = _ISO.fullmatch(text)
    if iso is not None:
        number = int(iso.group(1))
        year = plausible_year(number)
        words = "" if year is not None else text
        month_number = month_of(iso.group(2)) if iso.group(2) else month_of(month)
        day_number = _day(iso.group(3) or day, month_number)
    else:
        year = _literal_year(text)
        words = text
        month_number = month_of(month)
        day_number = _day(day, month_number)
    if year is None:
        return None, None, None, "", words
    return year, month_number, day_number, iso_partial_date(year, month_number, day_number), words
