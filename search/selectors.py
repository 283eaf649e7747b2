"""Site search: conditions, therapies, the facts about them (adverse effects,
contraindications, formulations, guideline positions, regulatory statuses), studies and
references, ranked and grouped by kind.

On PostgreSQL, records match by full-text search (the query in ``websearch`` syntax,
English stemming) over weighted documents (search.documents), or by trigram word
similarity of their name or title, which forgives typos ("rheumatiod"); they rank by the
sum of the two, with a bonus for an exact name or alias. The GIN indexes that serve these
queries are in search/migrations.

Elsewhere (SQLite, the zero-setup demo), every word of the query must appear in one of
the kind's fields, case-insensitively, and records rank by where they matched: an exact
name or alias first, then a name that starts or contains the word, then the other fields.

References and studies, the large tables, are searched through their stored documents
and a bounded candidate set (search.candidates): past ``MATCH_LIMIT`` matches the count
is shown as "more than" and only the first matches are ranked; a phrase's count may be a
lower bound ("at least").

The preview of every kind runs one query per small kind (conditions, therapies, facts:
the rows and their count together), two for references and for studies (on PostgreSQL
their ranked ids, then the rows shown if any; a typo adds one; elsewhere a count and the
rows), and one more for the pairs that cite each reference. One kind a page at a time
takes two.

Each fact links to the row that shows it: safety facts, formulations and regulatory
statuses on the therapy page, a guideline position on its pair's page (the condition page
when the pair has no verdict, hence no page).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest

from evidence.models import Condition, GuidelinePosition, PublishedStudy, Verdict
from references.models import Reference
from therapies.models import AdverseEffect, Contraindication, Formulation, RegulatoryStatus, Therapy

from . import candidates, documents
from .candidates import MATCH_LIMIT, TYPO_FALLBACK_BELOW
from .results import FACT_KINDS, KINDS, Kind, KindResults, ReferenceHit, SearchResults

MAX_QUERY_LENGTH = 200
PREVIEW_SIZE = 5
PAGE_SIZE = 20


def query_terms(query: str) -> list[str]:
    """The words to look for (and to highlight): quotes and OR dropped, and words the
    websearch syntax excludes ("-word")."""
    words = re.findall(r"-?[^\s\"]+", query)
    return [w for w in words if not w.startswith("-") and w.lower() != "or"]


def site_search(*, query: str, kind: str | None = None, page: int | str = 1) -> SearchResults:
    """Search every kind (a preview of each), or one kind a page at a time."""
    # PostgreSQL refuses NUL in text; it can never match anything, so it goes like a space.
    query = " ".join(query.replace("\x00", " ").split())[:MAX_QUERY_LENGTH]
    terms = query_terms(query)
    selected = next((k for k in KINDS if k.key == kind), None)
    results = SearchResults(query=query, terms=terms, kind=selected)
    if not terms:
        return results
    for current in [selected] if selected else KINDS:
        if connection.vendor == "postgresql" and current.key in _STORED:
            results.groups.append(_stored_results(current, query, terms, page, selected))
            continue
        queryset, count = _search_counted(current.key, query, terms)
        if not selected and current.key in _SMALL_KINDS:
            hits, total = _preview_with_total(queryset)
            results.groups.append(KindResults(kind=current, total=total, hits=hits))
            continue
        total = count()
        if selected:
            paginator = _CountedPaginator(queryset, PAGE_SIZE, count=min(total, MATCH_LIMIT))
            page_obj = paginator.get_page(page)
            hits = list(page_obj.object_list)
        else:
            page_obj = None
            hits = list(queryset[:PREVIEW_SIZE]) if total else []
        if current.key == "references":
            hits = [ReferenceHit(reference=ref, pairs=reference_pairs(ref)) for ref in hits]
        results.groups.append(KindResults(kind=current, total=total, hits=hits, page=page_obj))
    return results


def _stored_results(
    kind: Kind, query: str, terms: list[str], page: int | str, selected: Kind | None
) -> KindResults:
    """References or studies on PostgreSQL: the ranked ids in one statement
    (search.candidates), then the rows shown, by primary key."""
    found = candidates.search(
        _DOCUMENTS[kind.key][0], query=query, terms=terms, excluded=_excluded(query)
    )
    page_obj = None
    if selected:
        page_obj = Paginator(found.ids[:MATCH_LIMIT], PAGE_SIZE).get_page(page)
        shown = list(page_obj.object_list)
    else:
        shown = found.ids[:PREVIEW_SIZE]
    hits = _rows(kind.key, shown)
    if kind.key == "references":
        hits = [ReferenceHit(reference=ref, pairs=reference_pairs(ref)) for ref in hits]
    if page_obj is not None:
        page_obj.object_list = hits
    return KindResults(
        kind=kind, total=len(found.ids), hits=hits, page=page_obj, approximate=found.approximate
    )


def _rows(kind: str, ids: list[int]) -> list[Any]:
    """The records with these ids, in this order, shaped for the page (no query if none)."""
    if not ids:
        return []
    model = _DOCUMENTS[kind][0]
    by_id = {row.pk: row for row in _shape(kind, model._default_manager.filter(pk__in=ids))}
    return [by_id[pk] for pk in ids if pk in by_id]


# Tables of conditions, therapies and facts: a few thousand rows at most.
_SMALL_KINDS = FACT_KINDS | {"conditions", "therapies"}


def _preview_with_total(queryset: QuerySet) -> tuple[list[Any], int]:
    """The first matches and how many there are, in one query: the tables are small, so
    counting every match alongside the rows (a window count) costs little, and saves a
    round trip and a plan per kind."""
    hits = list(queryset.annotate(search_total=Window(Count("*")))[:PREVIEW_SIZE])
    return hits, hits[0].search_total if hits else 0


class _CountedPaginator(Paginator):
    """Pages over a count already taken (the ranked queryset is costly to count)."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.__dict__["count"] = count  # Paginator.count is a cached_property


def _search(kind: str, query: str, terms: list[str]) -> QuerySet:
    return _search_counted(kind, query, terms)[0]


def _search_counted(kind: str, query: str, terms: list[str]) -> tuple[QuerySet, Callable[[], int]]:
    """The ranked queryset and how to count its records (one query either way); on
    PostgreSQL, references and studies go through _stored_results instead."""
    if connection.vendor == "postgresql":
        queryset = _postgres(kind, query, terms)
    else:
        queryset = _fallback(kind, terms)
    return _shape(kind, queryset), queryset.count


# --- PostgreSQL -----------------------------------------------------------------------------

_DOCUMENTS: dict[str, tuple[type, Callable[[], Any]]] = {
    "conditions": (Condition, documents.condition_document),
    "therapies": (Therapy, documents.therapy_document),
    "adverse-effects": (AdverseEffect, documents.adverse_effect_document),
    "contraindications": (Contraindication, documents.contraindication_document),
    "formulations": (Formulation, documents.formulation_document),
    "guideline-positions": (GuidelinePosition, documents.guideline_position_document),
    "regulatory-statuses": (RegulatoryStatus, documents.regulatory_status_document),
    # Public search finds studies as published (evidence.PublishedStudy), not drafts.
    "studies": (PublishedStudy, documents.study_document),
    "references": (Reference, documents.reference_document),
}


# Kinds with a stored document (search/migrations/0002, 0004), searched by search.candidates.
_STORED = {"references", "studies"}


def _excluded(query: str) -> list[str]:
    return [word[1:] for word in query.split() if word.startswith("-") and len(word) > 1]


def _postgres(kind: str, query: str, terms: list[str]) -> QuerySet:
    model = _DOCUMENTS[kind][0]
    search_query = SearchQuery(query, search_type="websearch", config=documents.CONFIG)
    # Not "document": a guideline position has a field of that name. The document as
    # stored (search/migrations/0006), not recomputed for each match.
    queryset = model._default_manager.annotate(search_vector=documents.stored(model))
    matches = Q(search_vector=search_query)
    rank = SearchRank(F("search_vector"), search_query)
    trigram_field = documents.TRIGRAM_FIELDS.get(kind)
    if trigram_field and terms:
        # The %> operator (word similarity above pg_trgm.word_similarity_threshold, 0.6 by
        # default), not a comparison with a number, is what the trigram index can serve.
        # Only when full-text search finds few: the planner scans the table for the OR,
        # and word similarity costs 12 us a name (60 ms at 5,000 conditions).
        wanted = " ".join(terms)
        matches |= _few_full_text_matches(model, query) & Q(
            TrigramWordSimilar(F(trigram_field), Value(wanted))
        )
        rank = rank + TrigramWordSimilarity(wanted, trigram_field)
    excluded = _excluded(query)
    if excluded:
        # websearch's "-word" applies to the typo-forgiving matches too.
        matches &= ~Q(
            search_vector=SearchQuery(
                " OR ".join(excluded), search_type="websearch", config=documents.CONFIG
            )
        )
    rank = rank + _exact_bonus(kind, query)
    return (
        queryset.filter(matches)
        .annotate(rank=Greatest(rank, Value(0.0), output_field=FloatField()))
        .order_by("-rank", *_ORDER[kind])
    )


def _few_full_text_matches(model: type, query: str) -> Q:
    """True when full-text search finds fewer than TYPO_FALLBACK_BELOW records: an
    uncorrelated sub-select, evaluated once, first, so that a false one skips the typo arm."""
    table = model._meta.db_table
    few = RawSQL(  # noqa: S611 - parameterised
        f"(SELECT count(*) FROM (SELECT 1 FROM {table} WHERE search_document @@ "  # noqa: S608
        f"{candidates.TSQUERY} LIMIT {TYPO_FALLBACK_BELOW}) few) < {TYPO_FALLBACK_BELOW}",
        [query],
        output_field=BooleanField(),
    )
    return Q(few)


def _exact_bonus(kind: str, query: str) -> Case | Value:
    if kind == "conditions":
        exact = Q(name__iexact=query) | Q(synonyms__icontains=f'"{query}"')
    elif kind == "therapies":
        exact = Q(name__iexact=query) | Q(aliases__icontains=f'"{query}"')
    else:
        return Value(0.0)
    return Case(When(exact, then=Value(1.0)), default=Value(0.0), output_field=FloatField())


# --- Fallback (SQLite) -----------------------------------------------------------------------

# (field, weight): how much a match in that field counts, per word of the query.
_FIELDS: dict[str, list[tuple[str, float]]] = {
    "conditions": [("name", 6.0), ("synonyms", 5.0)],
    "therapies": [("name", 6.0), ("aliases", 5.0), ("drug_class", 1.0)],
    "adverse-effects": [
        ("name", 6.0),
        ("risk_factors", 3.0),
        ("frequency_note", 1.5),
        ("notes", 1.0),
    ],
    "contraindications": [("name", 6.0), ("reason", 2.0)],
    "formulations": [("brand", 6.0), ("stabiliser", 5.0), ("manufacturer", 2.0), ("notes", 1.0)],
    "guideline-positions": [("issuing_body", 6.0), ("document", 4.0), ("summary", 1.0)],
    "regulatory-statuses": [("agency", 6.0), ("status", 3.0), ("notes", 1.0)],
    "studies": [("outcome", 3.0), ("outcome_summary", 2.0), ("population", 1.0)],
    "references": [("title", 3.0), ("authors", 2.0), ("journal", 1.5), ("abstract", 1.0)],
}
_MODELS = {kind: model for kind, (model, _) in _DOCUMENTS.items()}


def _fallback(kind: str, terms: list[str]) -> QuerySet:
    fields = _FIELDS[kind]
    matches = Q()
    score: Any = Value(0.0)
    for term in terms:
        any_field = Q()
        for name, weight in fields:
            any_field |= Q(**{f"{name}__icontains": term})
            score = score + Case(
                When(**{f"{name}__icontains": term}, then=Value(weight)),
                default=Value(0.0),
                output_field=FloatField(),
            )
        matches &= any_field
    phrase = " ".join(terms)
    first_field = fields[0][0]
    score = score + Case(
        When(**{f"{first_field}__iexact": phrase}, then=Value(20.0)),
        When(**{f"{first_field}__istartswith": phrase}, then=Value(8.0)),
        When(**{f"{first_field}__icontains": phrase}, then=Value(4.0)),
        default=Value(0.0),
        output_field=FloatField(),
    )
    if kind in ("conditions", "therapies"):
        # An exact synonym or alias: the JSON list holds it as "term" in quotes.
        names = fields[1][0]
        score = score + Case(
            When(**{f"{names}__icontains": f'"{phrase}"'}, then=Value(15.0)),
            default=Value(0.0),
            output_field=FloatField(),
        )
    return (
        _MODELS[kind]
        ._default_manager.filter(matches)
        .annotate(rank=score)
        .order_by("-rank", *_ORDER[kind])
    )


# --- Shaping for the page ----------------------------------------------------------------------

_ORDER = {
    "conditions": ["name"],
    "therapies": ["name"],
    "adverse-effects": ["therapy__name", "name"],
    "contraindications": ["therapy__name", "name"],
    "formulations": ["therapy__name", "brand"],
    "guideline-positions": [
        "condition__name",
        "therapy__name",
        F("year").desc(nulls_last=True),
        "issuing_body",
    ],
    "regulatory-statuses": ["therapy__name", "condition__name", "agency"],
    "studies": ["-reference__year", "id"],
    "references": [F("year").desc(nulls_last=True), "title"],
}


def _shape(kind: str, queryset: QuerySet) -> QuerySet:
    if kind == "conditions":
        return queryset.select_related("parent")
    if kind == "studies":
        return queryset.select_related("reference", "therapy", "condition")
    if kind in ("adverse-effects", "contraindications", "formulations"):
        return queryset.select_related("therapy")
    if kind == "regulatory-statuses":
        return queryset.select_related("therapy", "condition")
    if kind == "guideline-positions":
        # A pair has a page only with a verdict; without one the result links to the condition.
        # A scalar sub-select (the verdict's id or NULL), not EXISTS: PostgreSQL hashed an
        # EXISTS over every published verdict (120 ms at 25,000) to answer it for the five
        # rows shown, where this one is two index lookups per row shown.
        has_verdict = Subquery(
            Verdict.objects.filter(
                therapy_id=OuterRef("therapy_id"),
                condition_id=OuterRef("condition_id"),
                published__isnull=False,
            ).values("pk")[:1]
        )
        return queryset.select_related("therapy", "condition").annotate(has_verdict=has_verdict)
    if kind == "references":
        return queryset.prefetch_related(
            Prefetch(
                "published_studies",
                queryset=PublishedStudy.objects.select_related("therapy", "condition").order_by(
                    "condition__name", "therapy__name", "id"
                ),
            )
        )
    return queryset


def reference_pairs(reference: Reference) -> list[tuple[Condition, Therapy, bool]]:
    """(condition, therapy, has_verdict) for each pair with a study of ``reference``,
    from the prefetched studies."""
    pairs: dict[tuple[int, int], tuple[Condition, Therapy, bool]] = {}
    for study in reference.published_studies.all():
        pairs.setdefault(
            (study.condition_id, study.therapy_id),
            (study.condition, study.therapy, study.verdict_id is not None),
        )
    return list(pairs.values())
