"""PostgreSQL only: the stored search document and its GIN index on published studies.

Site search is public, so it finds studies as their pair's last published version shows
them (evidence.PublishedStudy), with the same document as 0002 gives draft studies
(outcome, result, population); a draft study is found only once it is published.
"""

from importlib import import_module

from django.db import migrations

# The study document's expression, exactly as 0002 stores it for draft studies.
STORED = import_module("search.migrations.0002_stored_documents")

TABLE = "evidence_publishedstudy"
INDEX = "search_pstudy_vector"


def add_column(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    expression = next(expr for table, *_, expr in STORED.COLUMNS if table == "evidence_study")
    schema_editor.execute(
        f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS search_document tsvector "
        f"GENERATED ALWAYS AS ({expression}) STORED"
    )
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {INDEX} ON {TABLE} USING gin (search_document)"
    )


def drop_column(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS search_document")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0003_fact_documents"),
        ("evidence", "0015_published_copies_and_follows"),
    ]

    operations = [migrations.RunPython(add_column, drop_column)]
