"""Store every reference's formatted citations (references.stored_citations), so that no
request formats one. Formatting takes about 12 ms a reference for the three styles; on a
large database, see docs/operations.md ("Stored citations")."""

from django.db import migrations, models

from references.stored_citations import store_missing


def format_all(apps, schema_editor):
    # The function is imported rather than copied: citations formatted any other way would
    # be reformatted by the next write, and could differ from what the writers store.
    store_missing(apps.get_model("references", "Reference"))


class Migration(migrations.Migration):
    dependencies = [
        ("references", "0006_backfill_reference_fingerprint"),
    ]

    operations = [
        migrations.AddField(
            model_name="reference",
            name="formatted",
            field=models.JSONField(blank=True, default=dict, editable=False),
        ),
        migrations.AddField(
            model_name="reference",
            name="formatted_key",
            field=models.CharField(blank=True, default="", editable=False, max_length=40),
        ),
        migrations.RunPython(format_all, migrations.RunPython.noop),
    ]
