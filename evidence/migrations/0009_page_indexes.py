"""Indexes for the pages' filters and orderings at 100,000 studies.

- the pair page counts a pair's studies by design and direction: (therapy, condition,
  design, direction) answers it from the index alone;
- the condition page and its summary API count a condition's studies per therapy and
  direction: (condition, therapy, direction).

Created with SQL, outside the model state, so that evidence/models.py (owned elsewhere)
need not change; IF NOT EXISTS keeps it idempotent on PostgreSQL and SQLite alike.
"""

from django.db import migrations

INDEXES = {
    "study_pair_design_idx": "evidence_study (therapy_id, condition_id, design, direction)",
    "study_condition_therapy_idx": "evidence_study (condition_id, therapy_id, direction)",
}


class Migration(migrations.Migration):
    dependencies = [("evidence", "0008_editor_scope")]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON {columns}",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, columns in INDEXES.items()
    ]
