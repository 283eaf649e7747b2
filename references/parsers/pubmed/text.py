"""Text and identifiers of PubMed XML elements: whitespace as XPath's normalize-space,
identifiers normalised or None."""

from __future__ import annotations

import re

from lxml import etree

from ...identifiers import InvalidIdentifier, normalise_doi, normalise_pmcid, normalise_pmid
from ..records import small_int

_XML_SPACE = " \t\n\r"
_XML_SPACE_RUN = re.compile(r"[ \t\n\r]+")


def norm(text: str) -> str:
    """Collapse runs of XML whitespace (as XPath normalize-space does; a thin or no-break
    space inside "14,000\u2009IU" is kept). Most PubMed text has none, and testing for
    them is much cheaper than rebuilding the string."""
    if "\n" in text or "  " in text or "\t" in text or "\r" in text:
        return _XML_SPACE_RUN.sub(" ", text).strip(_XML_SPACE)
    return text.strip(_XML_SPACE)


def element_text(el: etree._Element | None) -> str:
    """All the text in an element, inline markup kept as text, whitespace collapsed."""
    if el is None:
        return ""
    if len(el):
        return norm("".join(el.itertext()))
    text = el.text
    return norm(text) if text else ""


def clean_pmid(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return normalise_pmid(value)
    except InvalidIdentifier:
        return None


def clean_doi(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return normalise_doi(value)
    except InvalidIdentifier:
        return None


def clean_pmcid(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return normalise_pmcid(value)
    except InvalidIdentifier:
        return None


def to_int(value: str | None) -> int | None:
    return small_int(value) if value else None
