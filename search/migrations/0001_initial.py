"""PostgreSQL only: the pg_trgm extension and the GIN indexes that site search uses.

Each full-text index is on the exact expression search.documents compiles to (the planner
uses an expression index only for an identical expression); each trigram index serves the
``%>`` (word similarity) operator on a name or title. On any other database this
migration does nothing.

Depends on the latest committed migrations of the three apps; the indexed columns have
existed since their first migrations.
"""

from django.db import migrations


def _document(*parts: tuple[str, str]) -> str:
    vectors = [
        f"setweight(to_tsvector('english'::regconfig, COALESCE({column}, '')), '{weight}')"
        for column, weight in parts
    ]
    return " || ".join(vectors)


AUTHOR_NAMES = (
    "(jsonb_path_query_array(authors, '$[*].family')::text || ' ' || "
    "jsonb_path_query_array(authors, '$[*].collective')::text)"
)

INDEXES = [
    (
        "search_condition_document",
        "evidence_condition",
        _document(("name", "A"), ("(synonyms)::text", "A")),
    ),
    ("search_condition_name_trgm", "evidence_condition", "name gin_trgm_ops"),
    (
        "search_therapy_document",
        "therapies_therapy",
        _document(("name", "A"), ("(aliases)::text", "A"), ("drug_class", "C")),
    ),
    ("search_therapy_name_trgm", "therapies_therapy", "name gin_trgm_ops"),
    (
        "search_study_document",
        "evidence_study",
        _document(("outcome", "A"), ("outcome_summary", "B"), ("population", "C")),
    ),
    (
        "search_reference_document",
        "references_reference",
        _document(("title", "A"), (AUTHOR_NAMES, "B"), ("journal", "C"), ("abstract", "D")),
    ),
    ("search_reference_title_trgm", "references_reference", "title gin_trgm_ops"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, expression in INDEXES:
        if expression.endswith("gin_trgm_ops"):
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expression})"
            )
        else:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}))"
            )


def drop_indexes(apps, schema_editor):
    # The extension stays: something else may use it by now.
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _expression in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0003_review_triage_findings"),
        ("references", "0003_periodic_refresh"),
        ("therapies", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
