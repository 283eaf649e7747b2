"""The fingerprint of a work without identifiers: its title, year and first author, normalised.

Two records of one work exported by different tools rarely agree to the letter (case,
accents, punctuation, LaTeX braces, a trailing period), so the fingerprint keeps only
the letters and digits of the title, casefolded and stripped of accents, with the year
and the first author's family name treated the same way. It is computed here and only
here: by the upsert (to match records that carry no DOI, PMID or PMCID), by
Reference.save, by the backfill migration and by the duplicates list.

The stored form is ``<title key>.<author key>.<year>``: fixed-width hashes, so the
column stays short and indexable whatever the title's length, and so the title key (the
first TITLE_KEY_LENGTH characters) and the work key (title and author, WORK_KEY_LENGTH)
can be compared in SQL to find a preprint and its published version (another year).
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Mapping, Sequence

FINGERPRINT_MAX_LENGTH = 40
_TITLE_DIGEST = 8  # bytes, 16 hex characters
_AUTHOR_DIGEST = 4  # bytes, 8 hex characters
TITLE_KEY_LENGTH = 2 * _TITLE_DIGEST
WORK_KEY_LENGTH = TITLE_KEY_LENGTH + 1 + 2 * _AUTHOR_DIGEST


def normalise_text(value: str) -> str:
    """Letters and digits only, casefolded, without accents: "Éffect of IVIG." -> "effectofivig"."""
    decomposed = unicodedata.normalize("NFKD", value or "").casefold()
    return "".join(
        char for char in decomposed if char.isalnum() and not unicodedata.combining(char)
    )


def _digest(value: str, size: int) -> str:
    return hashlib.blake2b(value.encode("utf-8"), digest_size=size).hexdigest()


def first_author_family(authors: Sequence) -> str:
    """The first author's family name (or collective name), from stored author dicts or
    parsed Author objects."""
    if not authors:
        return ""
    first = authors[0]
    if isinstance(first, Mapping):
        return str(first.get("family") or first.get("collective") or "")
    return str(getattr(first, "family", "") or getattr(first, "collective", "") or "")


def fingerprint(*, title: str, year: int | None, authors: Sequence = ()) -> str:
    """The fingerprint of a work, or "" for one without a title (no letter or digit in it).

    Any title will do, however short or bare of year and author: a file imported again
    must find every record it stored. The price is that two works without identifiers,
    titled alike ("Editorial"), with the same year and first author (or none) are taken
    for one; the duplicates page lists references, not imports, so it cannot undo that.
    """
    title_key = normalise_text(title)
    author_key = normalise_text(first_author_family(authors))
    if not title_key:
        return ""
    return f"{_digest(title_key, _TITLE_DIGEST)}.{_digest(author_key, _AUTHOR_DIGEST)}.{year or ''}"


def title_key(value: str) -> str:
    """The title part of a fingerprint (for matching titles alone)."""
    return value[:TITLE_KEY_LENGTH]


def work_key(value: str) -> str:
    """The title and author parts of a fingerprint (the work, whatever its year)."""
    return value[:WORK_KEY_LENGTH]
