"""What each kind of record is searched by, on PostgreSQL: a weighted tsvector per kind and
the text columns that trigram similarity compares with the query.

The GIN indexes of search/migrations/0001_initial.py (and, for the safety, formulation,
guideline and regulatory facts, 0003_fact_documents.py) are built on exactly these
expressions as Django compiles them: change one here and that migration's SQL must change
with it (tests/search/test_search_postgres.py checks that the planner uses each index).
"""

from django.contrib.postgres.search import SearchVector
from django.db.models import F, Func, TextField
from django.db.models.functions import Cast

CONFIG = "english"


class AuthorNames(Func):
    """The family and collective names of a JSON author list, as text (not its keys)."""

    template = (
        "(jsonb_path_query_array(%(expressions)s, '$[*].family')::text || ' ' || "
        "jsonb_path_query_array(%(expressions)s, '$[*].collective')::text)"
    )
    output_field = TextField()


def _vector(*weighted: tuple[object, str]) -> SearchVector:
    vectors = [SearchVector(expr, weight=weight, config=CONFIG) for expr, weight in weighted]
    combined = vectors[0]
    for vector in vectors[1:]:
        combined = combined + vector
    return combined


def condition_document() -> SearchVector:
    return _vector((F("name"), "A"), (Cast("synonyms", TextField()), "A"))


def therapy_document() -> SearchVector:
    return _vector((F("name"), "A"), (Cast("aliases", TextField()), "A"), (F("drug_class"), "C"))


def study_document() -> SearchVector:
    return _vector((F("outcome"), "A"), (F("outcome_summary"), "B"), (F("population"), "C"))


def reference_document() -> SearchVector:
    return _vector(
        (F("title"), "A"),
        (AuthorNames(F("authors")), "B"),
        (F("journal"), "C"),
        (F("abstract"), "D"),
    )


def adverse_effect_document() -> SearchVector:
    return _vector(
        (F("name"), "A"), (F("risk_factors"), "B"), (F("frequency_note"), "C"), (F("notes"), "C")
    )


def contraindication_document() -> SearchVector:
    return _vector((F("name"), "A"), (F("reason"), "B"))


def formulation_document() -> SearchVector:
    # The stabiliser is stored as its lower-case name ("sucrose"), so it is searchable as is.
    return _vector(
        (F("brand"), "A"), (F("stabiliser"), "A"), (F("manufacturer"), "B"), (F("notes"), "C")
    )


def guideline_position_document() -> SearchVector:
    return _vector((F("issuing_body"), "A"), (F("document"), "A"), (F("summary"), "B"))


def regulatory_status_document() -> SearchVector:
    return _vector((F("agency"), "A"), (F("status"), "A"), (F("notes"), "B"))


# Columns compared with the query by trigram word similarity, to forgive typos.
TRIGRAM_FIELDS = {
    "conditions": "name",
    "therapies": "name",
    "references": "title",
}
