"""BibTeX name lists to Authors: "Family, Given", "Given Family", "von Last, Jr, First".

Splitting follows BibTeX (bibtexparser 2's name helpers, brace-aware); on top of it a
whole-braced name (``{World Health Organization}``) or an unbraced committee name is a
collective author, ``and others`` is no author, and the common non-BibTeX forms
"Family, Given, Ed." and "Family, Given, Jr." keep the role or suffix out of the given
name.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bibtexparser.middlewares.names import (
    parse_single_name_into_parts,
    split_multiple_persons_names,
)

from .common import initials_of
from .records import Author

_SUFFIX = re.compile(r"(?i)(?:jr|sr|jun|sen)\.?|[ivx]{1,4}|\d(?:st|nd|rd|th)")
_ROLE = re.compile(r"(?i)\(?(?:eds?|editors?|hrsg|hg|comp|trans|dir)\.?\)?")
# Words that occur in the names of organisations but never as a name particle.
_ORGANISATION_WORDS = frozenset(("of", "for", "on", "and", "the", "in", "&", "und"))


def _braced_whole(name: str) -> bool:
    if not (name.startswith("{") and name.endswith("}")):
        return False
    depth = 0
    for index, char in enumerate(name):
        depth += char == "{"
        depth -= char == "}"
        if depth == 0 and index < len(name) - 1:
            return False
    return True


def _reorder(name: str) -> str:
    """ "Family, Given, Ed." -> "Family, Given"; "Family, Given, Jr." -> "Family, Jr., Given"."""
    parts = [part.strip() for part in name.split(",")]
    if len(parts) != 3 or _SUFFIX.fullmatch(parts[1]):
        return name
    if _ROLE.fullmatch(parts[2]):
        return f"{parts[0]}, {parts[1]}"
    if _SUFFIX.fullmatch(parts[2]):
        return f"{parts[0]}, {parts[2]}, {parts[1]}"
    return name


def _organisation(name: str) -> bool:
    words = name.split()
    return "," not in name and len(words) >= 4 and any(w in _ORGANISATION_WORDS for w in words)


def parse_names(value: str, decode: Callable[[str], str]) -> list[Author]:
    """The people (and collectives) in a BibTeX ``author``/``editor`` value, LaTeX decoded."""
    authors = []
    for raw in split_multiple_persons_names(value):
        name = raw.strip().rstrip(",").strip()
        if not name or name.lower() == "others":
            continue
        if _braced_whole(name) or _organisation(name):
            authors.append(Author(collective=decode(name)))
            continue
        parts = parse_single_name_into_parts(_reorder(name), strict=False)
        family = decode(" ".join(parts.von + parts.last))
        given = decode(" ".join(parts.first))
        if not given and len(family.split()) > 3:
            authors.append(Author(collective=family))
            continue
        authors.append(
            Author(
                family=family,
                given=given,
                initials=initials_of(given),
                suffix=decode(" ".join(parts.jr)),
            )
        )
    return authors
