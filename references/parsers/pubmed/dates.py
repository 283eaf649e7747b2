"""PubMed dates (PubDate, ArticleDate, a book's PubDate) onto a record."""

from __future__ import annotations

import re

from lxml import etree

from ..records import BibRecord, iso_partial_date, plausible_year, small_int
from .text import to_int

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"),
        start=1,
    )
}
_YEAR_RE = re.compile(r"\b(1[5-9]\d\d|2\d\d\d)\b")


def _month(value: str | None) -> int | None:
    if not value:
        return None
    value = value.strip()
    if (month := small_int(value)) is not None:
        return month if 1 <= month <= 12 else None
    return _MONTHS.get(value[:3].lower())


def set_date(rec: BibRecord, date_el: etree._Element) -> None:
    """PubDate / ArticleDate / Book PubDate: Year, Month, Day, Season or MedlineDate."""
    year = month = day = None
    season = medline_date = ""
    for child in date_el:
        tag = child.tag
        if tag == "Year":
            year = to_int(child.text)
        elif tag == "Month":
            month = _month(child.text)
        elif tag == "Day":
            day = to_int(child.text)
        elif tag == "Season":
            season = (child.text or "").strip()
        elif tag == "MedlineDate":
            medline_date = " ".join((child.text or "").split())
    if medline_date:
        # "1998 Dec-1999 Jan", "2000 Spring", "1975-1976": a range, so only the year is sure.
        match = _YEAR_RE.search(medline_date)
        year = int(match.group(1)) if match else None
        month = day = None
        rec.date_text = medline_date
    elif season:
        month = day = None
        rec.date_text = f"{year} {season}" if year else season
    if day is not None and (month is None or not 1 <= day <= 31):
        day = None
    year = plausible_year(year)
    rec.year, rec.month, rec.day = year, month, day
    rec.publication_date = iso_partial_date(year, month, day)
