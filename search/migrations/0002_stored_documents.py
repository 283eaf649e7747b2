"""PostgreSQL only: store the reference and study search documents, index the stored
columns.

At 200,000 references the expression indexes of 0001 found matches quickly, but ranking
recomputed each match's document (to_tsvector over title, authors and a long abstract,
most of a millisecond a row), and the planner, which cannot see that cost, often chose to
recompute it for every row instead of using the index. A generated column holds the
document once, written by PostgreSQL itself on every INSERT, UPDATE and COPY; ranking
reads it, and the GIN index on it replaces the expression index.

Caveat for later migrations of references.Reference (title, authors, journal, abstract)
and evidence.Study (outcome, outcome_summary, population): PostgreSQL refuses to change
the type of a column a generated column reads ("cannot alter type of a column used by a
generated column"); such a migration must drop ``search_document`` first and re-run
this one's SQL after. The expressions are search.documents' (tests/search checks that the
queries use these indexes).
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

# (table, new index, the 0001 expression index it replaces, the document's expression)
COLUMNS = [
    (
        "references_reference",
        "search_reference_vector",
        "search_reference_document",
        _document(("title", "A"), (AUTHOR_NAMES, "B"), ("journal", "C"), ("abstract", "D")),
    ),
    (
        "evidence_study",
        "search_study_vector",
        "search_study_document",
        _document(("outcome", "A"), ("outcome_summary", "B"), ("population", "C")),
    ),
]


def add_columns(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, index, old_index, expression in COLUMNS:
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS search_document tsvector "
            f"GENERATED ALWAYS AS ({expression}) STORED"
        )
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin (search_document)"
        )
        schema_editor.execute(f"DROP INDEX IF EXISTS {old_index}")
    schema_editor.execute("ANALYZE references_reference")
    schema_editor.execute("ANALYZE evidence_study")


def drop_columns(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, index, old_index, expression in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_document")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {old_index} ON {table} USING gin (({expression}))"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_initial"),
        ("evidence", "0007_periodic_editorial_tasks"),
        ("references", "0003_periodic_refresh"),
    ]

    operations = [migrations.RunPython(add_columns, drop_columns, elidable=False)]
