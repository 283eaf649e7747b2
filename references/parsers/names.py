"""Personal names as reference managers and databases write them, to Authors.

"Family, Given", "Family, Given, Jr.", "Family GH" (PubMed), "Adler D.G." (Embase via
Ovid), "SMITH JOHN" (all capitals, family first), with the decorations exports add
("Ed.", "(eds)", "[Inventor, Reprint Author]") taken off and placeholder given names
("null", "NULL", "undefined", written by tools that had none) dropped.
"""

from __future__ import annotations

import re

from .records import Author

__all__ = ["initials_of", "is_initials", "person", "person_family_first"]

_WS = re.compile(r"\s+")
# Roles written after a name: "Smith, J., Ed.", "Smith, J. (Eds.)", "Smith J [Editor]".
_ROLE = re.compile(
    r"(?i)(?:[\s,]*(?:\((?:eds?|editors?|hrsg|comp)\.?\)|\[[^\]]*\]|\b(?:eds?|editors?)\.?))+$"
)
_SUFFIX = re.compile(r"^(?:[JS]r\.?|JR\.?|SR\.?|II|III|IV|\d(?:st|nd|rd|th))$")
_EMAIL = re.compile(r"\s*[(<]?[\w.+-]+@[\w-]+(?:\.[\w-]+)+[)>]?")
_PLACEHOLDERS = {"null", "none", "nan", "undefined", "n/a"}


def _clean(name: str) -> str:
    name = _EMAIL.sub("", name)  # Web of Science: "Medvedeff, Cassandra A. (x@ufl.edu)"
    return _WS.sub(" ", name).strip().strip(";").strip()


def is_initials(text: str) -> bool:
    """ "JA", "J.A.", "J. A.", "J-P", "MAS": letters alone, each an initial.

    A run of capitals without dots counts only up to three letters, so that an
    all-capitals given name ("JOHN") is not read as four initials.
    """
    tokens = [t for t in re.split(r"[\s.\-]+", text) if t]
    if not tokens or len(tokens) > 4 or not all(t.isalpha() and t.isupper() for t in tokens):
        return False
    if len(tokens) == 1:
        return len(tokens[0]) <= 3
    return all(len(t) == 1 for t in tokens)


def initials_of(given: str) -> str:
    """ "Steven J." -> "SJ", "Jean-Paul" -> "JP", and "AJ" (already initials) -> "AJ"."""
    out = []
    for token in re.split(r"[\s.]+", given):
        if token.isalpha() and token.isupper() and len(token) <= 3:
            out.append(token)
            continue
        out.extend(part[0].upper() for part in token.split("-") if part and part[0].isalpha())
    return "".join(out)


def _given(given: str, suffix: str = "") -> tuple[str, str]:
    """The given name without a placeholder, and a trailing "Jr"/"III" moved to the suffix."""
    words = given.split(" ")
    if len(words) > 1 and not suffix and _SUFFIX.match(words[-1]):
        suffix, words = words[-1], words[:-1]
    words = [w for w in words if w.lower() not in _PLACEHOLDERS]
    return " ".join(words).strip(), suffix


def _author(family: str, given: str, suffix: str = "") -> Author:
    given, suffix = _given(given, suffix)
    if family.lower() in _PLACEHOLDERS:
        family = ""
    if not family and given:
        family, given = given, ""
    return Author(family=family, given=given, initials=initials_of(given), suffix=suffix)


def person(name: str) -> Author:
    """A name as reference managers write it: "Family, Given", "Family GH", "Adler D.G."."""
    name = _ROLE.sub("", _clean(name)).strip(" ,")
    if not name:
        return Author()
    if "," in name:
        family, *rest = (part.strip() for part in name.split(","))
        given, suffix = (rest[0] if rest else ""), ""
        for extra in rest[1:]:
            if _SUFFIX.match(extra):
                suffix = extra
            elif extra:
                given = f"{given} {extra}".strip()
        return _author(family, given, suffix)
    parts = name.split(" ")
    if len(parts) >= 2 and is_initials(" ".join(parts[1:])):
        return Author(family=parts[0], initials=re.sub(r"[^A-Z]", "", " ".join(parts[1:])))
    if len(parts) >= 2 and is_initials(parts[-1]):
        return Author(family=" ".join(parts[:-1]), initials=re.sub(r"[^A-Z]", "", parts[-1]))
    if 2 <= len(parts) <= 3 and name.isupper():
        return person_family_first(name)
    if parts[-1].lower() in _PLACEHOLDERS:
        return _author(" ".join(parts[:-1]), "")
    return Author(collective=name) if len(parts) > 3 else Author(family=name)


def person_family_first(name: str) -> Author:
    """A name written family name first without a comma ("SMITH JOHN", MEDLINE's FAU
    when a publisher sent no comma): the first word is the family name."""
    name = _ROLE.sub("", _clean(name)).strip(" ,")
    if "," in name:
        return person(name)
    family, _, given = name.partition(" ")
    return _author(family, given)
