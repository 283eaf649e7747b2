"""Compute the fingerprint of every stored reference (references.fingerprints)."""

from django.db import migrations

from references.fingerprints import fingerprint

BATCH = 2000


def backfill(apps, schema_editor):
    # The function is imported rather than copied: a fingerprint computed any other way
    # would never match the ones the upsert computes.
    Reference = apps.get_model("references", "Reference")
    changed = []
    rows = Reference.objects.only("pk", "title", "year", "authors", "fingerprint")
    for reference in rows.order_by("pk").iterator(chunk_size=BATCH):
        value = fingerprint(
            title=reference.title, year=reference.year, authors=reference.authors or []
        )
        if value != reference.fingerprint:
            reference.fingerprint = value
            changed.append(reference)
        if len(changed) >= BATCH:
            Reference.objects.bulk_update(changed, ["fingerprint"])
            changed = []
    if changed:
        Reference.objects.bulk_update(changed, ["fingerprint"])


class Migration(migrations.Migration):
    dependencies = [
        ("references", "0005_reference_fingerprint_enrichment"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
