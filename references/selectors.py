"""Reads of the references app that pages need: the library searched as an editor types
(reference_search_q), and likely duplicates across the library.

Found in a fixed number of queries, whatever the size of the library, from the indexed
fingerprint column (references.fingerprints) and the DOIs:

- same fingerprint: the same title, year and first author;
- same title and first author in different years: often a preprint and its published
  version;
- a preprint (bioRxiv/medRxiv 10.1101/, arXiv, Research Square, SSRN, Preprints.org) and
  another reference with the same title;
- one DOI written two ways (a stored "https://doi.org/..." prefix, trailing punctuation).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from django.db.models import Count, Q
from django.db.models.functions import Substr

from references.fingerprints import TITLE_KEY_LENGTH, WORK_KEY_LENGTH
from references.identifiers import InvalidIdentifier, normalise_doi, parse_identifier
from references.models import Reference

GROUP_LIMIT = 200
YEAR = re.compile(r"^(1[5-9]|20)\d\d$")
SEARCH_WORDS_MAX = 8


def _word_q(word: str) -> Q:
    """One word of a search: in the title, an author's name, the journal, an identifier,
    or the year."""
    q = (
        Q(title__icontains=word)
        | Q(journal__icontains=word)
        | Q(journal_abbreviation__icontains=word)
        | Q(authors__icontains=word)
        | Q(doi__icontains=word)
        | Q(pmid=word)
        | Q(pmcid__iexact=word)
    )
    # authors is stored as JSON text, where "Müller" is written "M\u00fcller".
    escaped = json.dumps(word)[1:-1]
    if escaped != word:
        q |= Q(authors__icontains=escaped)
    if YEAR.match(word):
        q |= Q(year=int(word))
    return q


def reference_search_q(text: str) -> Q:
    """What "Smith 2019", "ivig rheumatoid", "10.1056/NEJM..." or "PMID: 123" finds: every
    word in the title, an author's name, the journal, an identifier or the year (all
    words must match, each anywhere), or the whole text as one DOI / PMID / PMCID."""
    words = text.split()[:SEARCH_WORDS_MAX]
    if not words:
        return Q()
    q = Q()
    for word in words:
        q &= _word_q(word)
    try:
        identifier = parse_identifier(text.strip())
    except InvalidIdentifier:
        return q
    return q | Q(**{identifier.kind: identifier.value})


PREPRINT_DOI_PREFIXES = (
    "10.1101/",  # bioRxiv, medRxiv
    "10.48550/arxiv.",
    "10.21203/rs.",  # Research Square
    "10.2139/ssrn.",
    "10.20944/preprints",
)
PREPRINT = Q()
for _prefix in PREPRINT_DOI_PREFIXES:
    PREPRINT |= Q(doi__startswith=_prefix)
PREPRINT |= Q(url__icontains="arxiv.org/")


class Reason:
    SAME_FINGERPRINT = "Same title, year and first author"
    OTHER_YEAR = "Same title and first author, another year (a preprint and its publication?)"
    PREPRINT_TITLE = "A preprint and a reference with the same title"
    DOI_VARIANT = "The same DOI written differently"


@dataclass
class DuplicateGroup:
    reason: str
    references: list[Reference]

    @property
    def key(self) -> frozenset[int]:
        return frozenset(r.pk for r in self.references)


def _grouped(queryset, key: str, keys) -> list[list[Reference]]:
    groups: dict[str, list[Reference]] = {k: [] for k in keys}
    for reference in queryset.filter(**{f"{key}__in": list(keys)}).order_by(key, "pk"):
        groups[getattr(reference, key)].append(reference)
    return [refs for refs in groups.values() if len(refs) > 1]


def _same_fingerprint(limit: int) -> list[DuplicateGroup]:
    keys = (
        Reference.objects.exclude(fingerprint="")
        .values("fingerprint")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by("fingerprint")
        .values_list("fingerprint", flat=True)[:limit]
    )
    found = _grouped(Reference.objects.all(), "fingerprint", list(keys))
    return [DuplicateGroup(Reason.SAME_FINGERPRINT, refs) for refs in found]


def _other_years(limit: int) -> list[DuplicateGroup]:
    works = Reference.objects.exclude(fingerprint="").annotate(
        work=Substr("fingerprint", 1, WORK_KEY_LENGTH)
    )
    keys = (
        works.values("work")
        .annotate(n=Count("fingerprint", distinct=True))
        .filter(n__gt=1)
        .order_by("work")
        .values_list("work", flat=True)[:limit]
    )
    return [DuplicateGroup(Reason.OTHER_YEAR, refs) for refs in _grouped(works, "work", keys)]


def _preprint_titles(limit: int) -> list[DuplicateGroup]:
    titled = Reference.objects.exclude(fingerprint="").annotate(
        title_key=Substr("fingerprint", 1, TITLE_KEY_LENGTH)
    )
    keys = titled.filter(PREPRINT).values_list("title_key", flat=True).order_by("title_key")
    keys = list(dict.fromkeys(keys))[:limit]
    groups = _grouped(titled, "title_key", keys)
    return [DuplicateGroup(Reason.PREPRINT_TITLE, refs) for refs in groups]


def _doi_variants(limit: int) -> list[DuplicateGroup]:
    # DOIs are stored lower-cased (a constraint); other spellings can still come from
    # bulk writes that skipped normalisation.
    odd = Reference.objects.filter(
        ~Q(doi__startswith="10.") | Q(doi__endswith=".") | Q(doi__endswith=",")
    ).exclude(doi__isnull=True)[:limit]
    variants: dict[str, Reference] = {}
    for reference in odd:
        try:
            canonical = normalise_doi(reference.doi)
        except InvalidIdentifier:
            continue
        if canonical != reference.doi:
            variants[canonical] = reference
    if not variants:
        return []
    canonical_refs = Reference.objects.filter(doi__in=list(variants)).order_by("pk")
    return [
        DuplicateGroup(Reason.DOI_VARIANT, [reference, variants[reference.doi]])
        for reference in canonical_refs
    ]


def reference_duplicate_groups(*, limit: int = GROUP_LIMIT) -> list[DuplicateGroup]:
    """Likely duplicates across the library, each set of references listed once."""
    groups: list[DuplicateGroup] = []
    seen: set[frozenset[int]] = set()
    finders = (_same_fingerprint, _doi_variants, _other_years, _preprint_titles)
    for finder in finders:
        for group in finder(limit):
            if group.key not in seen:
                seen.add(group.key)
                groups.append(group)
    return groups
