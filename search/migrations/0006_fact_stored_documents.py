"""PostgreSQL only: store the search documents of conditions, therapies and the facts
(adverse effects, contraindications, formulations, guideline positions, regulatory
statuses), as 0002 did for references and studies, and index the stored columns.

Ranking and counting every match recomputed each match's document (to_tsvector over a
guideline's summary, a condition's synonyms ...): a common word ("treatment") matched
most guideline positions and cost 40 ms at 1,200 of them, and the fact tables grow with
the corpus. A generated column holds the document once; the GIN index on it replaces the
expression index of 0001 / 0003. The expressions are the ones those migrations index
(search.documents compiles to the same).

Caveat, as for 0002: PostgreSQL refuses to change the type of a column a generated
column reads; a later migration that does must drop ``search_document`` first and re-run
this one's SQL after.
"""

from importlib import import_module

from django.db import migrations

INITIAL = import_module("search.migrations.0001_initial")
FACTS = import_module("search.migrations.0003_fact_documents")

# (table, the expression index it replaces, the document's expression)
DOCUMENTS = [
    (table, index, expression)
    for index, table, expression in [*INITIAL.INDEXES, *FACTS.INDEXES]
    if not expression.endswith("gin_trgm_ops")
    and table not in ("references_reference", "evidence_study")  # stored by 0002
]


def _index(table: str) -> str:
    return f"search_{table.split('_', 1)[1]}_vector"


def add_columns(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, old_index, expression in DOCUMENTS:
        schema_editor.execute(
            f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS search_document tsvector "
            f"GENERATED ALWAYS AS ({expression}) STORED"
        )
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {_index(table)} ON {table} USING gin (search_document)"
        )
        schema_editor.execute(f"DROP INDEX IF EXISTS {old_index}")
        schema_editor.execute(f"ANALYZE {table}")


def drop_columns(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, old_index, expression in DOCUMENTS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {_index(table)}")
        schema_editor.execute(f"ALTER TABLE {table} DROP COLUMN IF EXISTS search_document")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {old_index} ON {table} USING gin (({expression}))"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0005_search_words"),
    ]

    operations = [migrations.RunPython(add_columns, drop_columns, elidable=False)]
