"""Copies of each study's reference year, title prefix and retraction status on Study.

The pair page sorted and counted a pair's studies through a join to their references:
for a pair of 10,000 studies, every request sorted 10,000 joined rows for a page of 50.
With the copies on Study, (condition, therapy, reference_year, reference_sort_title,
outcome, id) hands a page to a LIMIT straight from the index, and a partial index keeps
the few flagged studies of a pair apart.

The copies are filled in one UPDATE for all studies (UPDATE ... FROM on PostgreSQL,
correlated subqueries elsewhere) before the indexes are built, so the indexes are built
once over the final values. History rows keep their defaults: they predate the copies.
"""

from django.db import migrations, models

SORT_TITLE_LENGTH = 255

FILL_POSTGRESQL = f"""
UPDATE evidence_study AS s
SET reference_year = r.year,
    reference_sort_title = LEFT(r.title, {SORT_TITLE_LENGTH}),
    reference_status = r.retraction_status
FROM references_reference AS r
WHERE r.id = s.reference_id
"""  # noqa: S608 - only the constant length is interpolated

FILL_PORTABLE = f"""
UPDATE evidence_study
SET reference_year = (
        SELECT r.year FROM references_reference r WHERE r.id = evidence_study.reference_id
    ),
    reference_sort_title = (
        SELECT SUBSTR(r.title, 1, {SORT_TITLE_LENGTH})
        FROM references_reference r WHERE r.id = evidence_study.reference_id
    ),
    reference_status = (
        SELECT r.retraction_status
        FROM references_reference r WHERE r.id = evidence_study.reference_id
    )
"""  # noqa: S608 - only the constant length is interpolated


def fill_reference_copies(connection) -> int:
    """Set every study's copies from its reference; returns the number of studies."""
    sql = FILL_POSTGRESQL if connection.vendor == "postgresql" else FILL_PORTABLE
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.rowcount


def _fill(apps, schema_editor):
    fill_reference_copies(schema_editor.connection)


def _planner_aids(apps, schema_editor):
    # Without statistics on the pair as a whole the planner multiplies the condition's
    # and the therapy's shares, guesses 1,100 studies for a pair of 10,000, and sorts the
    # pair rather than walk study_pair_order_idx past a page's OFFSET. Every row was
    # rewritten, so the table is analysed again as well.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE STATISTICS IF NOT EXISTS study_pair_stats (ndistinct, dependencies, mcv) "
            "ON condition_id, therapy_id FROM evidence_study"
        )
        # The pair's largest randomised trial (ORDER BY participants DESC NULLS LAST,
        # id): one index entry instead of sorting the pair's trials. PostgreSQL only, and
        # outside the model state: SQLite's indexes take no NULLS LAST.
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS study_pair_largest_idx ON evidence_study "
            "(condition_id, therapy_id, design, participants DESC NULLS LAST, id)"
        )
        schema_editor.execute("ANALYZE evidence_study")


def _drop_planner_aids(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP STATISTICS IF EXISTS study_pair_stats")
        schema_editor.execute("DROP INDEX IF EXISTS study_pair_largest_idx")


STATUS_CHOICES = [
    ("none", "None"),
    ("corrected", "Corrected"),
    ("expression_of_concern", "Expression of concern"),
    ("retracted", "Retracted"),
]


def _copy_fields(model_name):
    return [
        migrations.AddField(
            model_name=model_name,
            name="reference_year",
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name=model_name,
            name="reference_sort_title",
            field=models.CharField(blank=True, editable=False, max_length=SORT_TITLE_LENGTH),
        ),
        migrations.AddField(
            model_name=model_name,
            name="reference_status",
            field=models.CharField(
                choices=STATUS_CHOICES, default="none", editable=False, max_length=24
            ),
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0009_page_indexes"),
        ("references", "0003_periodic_refresh"),
    ]

    operations = [
        *_copy_fields("historicalstudy"),
        *_copy_fields("study"),
        migrations.RunPython(_fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="study",
            index=models.Index(
                fields=[
                    "condition",
                    "therapy",
                    "reference_year",
                    "reference_sort_title",
                    "outcome",
                    "id",
                ],
                name="study_pair_order_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="study",
            index=models.Index(
                condition=~models.Q(reference_status="none"),
                fields=["condition", "therapy", "reference_year", "reference_sort_title"],
                name="study_pair_flagged_idx",
            ),
        ),
        migrations.RunPython(_planner_aids, _drop_planner_aids),
    ]
