"""PostgreSQL only: GIN indexes for the facts site search also covers (adverse effects,
contraindications, formulations, guideline positions, regulatory statuses).

As in 0001_initial, each index is on the exact expression search.documents compiles to,
so that the planner can use it; on any other database this migration does nothing. The
indexed columns have existed since the owning apps' first migrations.
"""

from django.db import migrations


def _document(*parts: tuple[str, str]) -> str:
    vectors = [
        f"setweight(to_tsvector('english'::regconfig, COALESCE({column}, '')), '{weight}')"
        for column, weight in parts
    ]
    return " || ".join(vectors)


INDEXES = [
    (
        "search_adverse_effect_document",
        "therapies_adverseeffect",
        _document(("name", "A"), ("risk_factors", "B"), ("frequency_note", "C"), ("notes", "C")),
    ),
    (
        "search_contraindication_document",
        "therapies_contraindication",
        _document(("name", "A"), ("reason", "B")),
    ),
    (
        "search_formulation_document",
        "therapies_formulation",
        _document(("brand", "A"), ("stabiliser", "A"), ("manufacturer", "B"), ("notes", "C")),
    ),
    (
        "search_guideline_position_document",
        "evidence_guidelineposition",
        _document(("issuing_body", "A"), ("document", "A"), ("summary", "B")),
    ),
    (
        "search_regulatory_status_document",
        "therapies_regulatorystatus",
        _document(("agency", "A"), ("status", "A"), ("notes", "B")),
    ),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, expression in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}))"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _expression in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_stored_documents"),
        ("evidence", "0002_initial"),
        ("therapies", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes, elidable=False)]
