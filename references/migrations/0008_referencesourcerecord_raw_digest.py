"""A digest of each stored raw record, so that a refresh compares records without
compressing the new one (references.services.upsert); existing rows get theirs here. And an
index of the references whose citations are left for later (services.formatting)."""

import gzip

from django.db import migrations, models

from references.models import raw_digest

BATCH = 1000


def backfill(apps, schema_editor):
    # The function is imported rather than copied: a digest computed any other way would
    # never match the ones the upsert computes, and every record would be rewritten once.
    Record = apps.get_model("references", "ReferenceSourceRecord")
    changed = []
    rows = Record.objects.filter(raw_digest="").only("pk", "raw_gzip", "raw_digest")
    for record in rows.order_by("pk").iterator(chunk_size=BATCH):
        record.raw_digest = raw_digest(gzip.decompress(bytes(record.raw_gzip)))
        changed.append(record)
        if len(changed) >= BATCH:
            Record.objects.bulk_update(changed, ["raw_digest"])
            changed = []
    if changed:
        Record.objects.bulk_update(changed, ["raw_digest"])


class Migration(migrations.Migration):
    dependencies = [
        ("references", "0007_reference_formatted_citations"),
    ]

    operations = [
        migrations.AddField(
            model_name="referencesourcerecord",
            name="raw_digest",
            field=models.CharField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="reference",
            index=models.Index(
                condition=models.Q(("formatted_key", "")),
                fields=["id"],
                name="reference_unformatted_idx",
            ),
        ),
    ]
