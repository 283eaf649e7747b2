"""PubMed AuthorList to Authors."""

from __future__ import annotations

import re

from lxml import etree

from ..records import Author
from .text import element_text

_ORCID_RE = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dXx])")

_AUTHOR_TAGS = (
    "Author",
    "LastName",
    "ForeName",
    "Initials",
    "Suffix",
    "CollectiveName",
    "Identifier",
)


def parse_authors(author_list: etree._Element) -> list[Author]:
    # One filtered walk of the list (the filter runs in C, so affiliations are never
    # turned into Python objects) is the cheapest way through long author lists; the
    # name parts, three in four of the elements met, are tested first.
    authors: list[Author] = []
    author = None
    for el in author_list.iter(_AUTHOR_TAGS):
        tag = el.tag
        if tag == "LastName":
            if author is not None:
                author.family = (el.text or "").strip()
        elif tag == "ForeName":
            if author is not None:
                author.given = (el.text or "").strip()
        elif tag == "Initials":
            if author is not None:
                author.initials = (el.text or "").strip()
        elif tag == "Author":
            # ValidYN="N" marks a misspelt name PubMed keeps next to the corrected one.
            author = None if el.get("ValidYN") == "N" else Author()
            if author is not None:
                authors.append(author)
        elif author is None:
            continue
        elif tag == "Identifier":
            if (el.get("Source") or "").upper() == "ORCID":
                match = _ORCID_RE.search(el.text or "")
                if match:
                    author.orcid = "-".join(match.groups()).upper()
        elif tag == "Suffix":
            author.suffix = (el.text or "").strip()
        elif tag == "CollectiveName":
            author.collective = element_text(el)
    return authors
