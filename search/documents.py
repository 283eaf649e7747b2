"""What each kind of record is searched by, on PostgreSQL: a weighted tsvector per kind and
the text columns that trigram similarity compares with the query.

Every kind's document is stored in a generated column, ``search_document``, with a GIN
index (search/migrations/0002 for references and studies, 0004 for published studies,
0006 for the others), computed by exactly these expressions as Django compiles them:
change one here and those migrations' SQL must change with it. Searches read the stored
column (``stored``); tests/search/test_search_postgres.py checks that the planner uses
each index.
"""

from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db.models import F, Func, Model, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

CONFIG = "english"


class AuthorNames(Func):
    """The family and collective names of a JSON author list, as text (not its keys)."""

    template = (
        "(jsonb_path_query_array(%(expressions)s, '$[*].family')::text || ' ' || "
        "jsonb_path_query_array(%(expressions)s, '$[*].collective')::text)"
    )
    output_field = TextField()


def stored(model: type[Model]) -> RawSQL:
    """The stored document of ``model``'s rows (a column no model field describes)."""
    table = model._meta.db_table
    return RawSQL(f'"{table}"."search_document"', [], output_field=SearchVectorField())  # noqa: S611


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
