"""Vancouver-style citations of references, as plain strings for templates to escape.

Authors: family name and initials, up to six, then "et al."; title; journal abbreviation
(or the journal's name); year;volume(issue):pages. Links (DOI, PubMed, URL) are kept
apart so that templates can render them as links.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MAX_AUTHORS = 6
ET_AL = "et al"
_END_PUNCTUATION = (".", "?", "!")


@dataclass(frozen=True)
class Citation:
    authors: str
    title: str
    container: str
    details: str
    doi: str
    doi_url: str
    pmid: str
    pubmed_url: str
    url: str

    @property
    def text(self) -> str:
        """The citation without its links, e.g. 'Mulhearn B, Bruce IN. Title. J. 2015;1:2.'"""
        parts = [self.authors, self.title, self.container, self.details]
        return " ".join(_sentence(part) for part in parts if part)


def _sentence(part: str) -> str:
    part = part.strip()
    return part if part.endswith(_END_PUNCTUATION) else f"{part}."


def _initials(author: Mapping[str, Any]) -> str:
    if author.get("initials"):
        return str(author["initials"]).replace(".", "").replace(" ", "")
    given = str(author.get("given") or "")
    return "".join(word[0].upper() for word in re.split(r"[\s.\-]+", given) if word)


def _author_name(author: Mapping[str, Any]) -> str:
    if author.get("collective"):
        return str(author["collective"]).strip()
    family = str(author.get("family") or "").strip()
    name = f"{family} {_initials(author)}".strip()
    suffix = str(author.get("suffix") or "").strip()
    return f"{name} {suffix}".strip()


def vancouver_authors(authors: Sequence[Mapping[str, Any]]) -> str:
    names = [_author_name(author) for author in authors or []]
    names = [name for name in names if name]
    truncated = bool(names) and names[-1].rstrip(".").lower() == ET_AL
    if truncated:
        names = names[:-1]
    if len(names) > MAX_AUTHORS:
        names = names[:MAX_AUTHORS]
        truncated = True
    if truncated and names:
        names.append(f"{ET_AL}.")
    return ", ".join(names)


def vancouver_details(*, year: Any, volume: str, issue: str, pages: str) -> str:
    """'2015;54(3):383-91', degrading gracefully when parts are missing."""
    text = str(year or "")
    if volume or issue:
        text += ";" if text else ""
        text += volume
        if issue:
            text += f"({issue})"
    if pages:
        text += f":{pages}" if text else pages
    return text


def vancouver(reference: Any) -> Citation:
    """The Vancouver citation of a references.Reference (or anything with its fields)."""
    doi = reference.doi or ""
    pmid = reference.pmid or ""
    return Citation(
        authors=vancouver_authors(reference.authors),
        title=(reference.title or "").strip(),
        container=(reference.journal_abbreviation or reference.journal or "").strip(),
        details=vancouver_details(
            year=reference.year,
            volume=reference.volume,
            issue=reference.issue,
            pages=reference.pages,
        ),
        doi=doi,
        doi_url=f"https://doi.org/{doi}" if doi else "",
        pmid=pmid,
        pubmed_url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid else "",
        url=_safe_url(reference.url or ""),
    )


def _safe_url(url: str) -> str:
    # Only web links become hrefs; escaping alone would not stop a javascript: URL.
    return url if url.lower().startswith(("https://", "http://")) else ""
