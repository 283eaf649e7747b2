"""Review reasons become {"code", "message", "at"} dicts (they were plain strings).

A string written by the retraction receiver names the new status ("Cited reference now
marked retracted: ..."), which gives its code; any other string was an editor's note.
``at`` is the day the verdict was last saved, the best date known. History rows are
converted too, so a revert in the admin never brings a string back.
"""

from django.db import migrations


def _code(text: str) -> str:
    lowered = text.lower()
    if "retracted" in lowered or "expression of concern" in lowered:
        return "retracted_study"
    if "corrected" in lowered:
        return "corrected_study"
    return "manual"


def _as_dicts(reasons, at: str):
    if not isinstance(reasons, list) or not any(isinstance(r, str) for r in reasons):
        return None
    return [
        {"code": _code(reason), "message": reason, "at": at} if isinstance(reason, str) else reason
        for reason in reasons
    ]


def forwards(apps, schema_editor):
    for name in ("Verdict", "HistoricalVerdict"):
        model = apps.get_model("evidence", name)
        for row in model.objects.exclude(review_reasons=[]).iterator():
            stamp = row.history_date if name == "HistoricalVerdict" else row.updated_at
            converted = _as_dicts(row.review_reasons, stamp.date().isoformat())
            if converted is not None:
                model.objects.filter(pk=row.pk).update(review_reasons=converted)


def backwards(apps, schema_editor):
    for name in ("Verdict", "HistoricalVerdict"):
        model = apps.get_model("evidence", name)
        for row in model.objects.exclude(review_reasons=[]).iterator():
            reasons = row.review_reasons
            if isinstance(reasons, list) and any(isinstance(r, dict) for r in reasons):
                strings = [r.get("message", "") if isinstance(r, dict) else r for r in reasons]
                model.objects.filter(pk=row.pk).update(review_reasons=strings)


class Migration(migrations.Migration):
    dependencies = [("evidence", "0004_editorial_workflow")]

    operations = [migrations.RunPython(forwards, backwards)]
