"""Schedule the editorial workflow's daily tasks (editable in the admin afterwards).

In the order they run each morning (UTC): overdue verdicts are flagged, saved searches
fill the triage queue (after the 03:30 reference refresh), then the reviewers' digest
reports what is new.
"""

import json

from django.db import migrations

TASKS = (
    (
        "Flag verdicts overdue for review",
        "evidence.flag_overdue_verdicts",
        "0",
        "Mark verdicts past their review interval (or never reviewed) as needing review.",
    ),
    (
        "Run saved searches",
        "evidence.run_saved_searches",
        "4",
        "Run every active saved search on PubMed and queue new records for triage.",
    ),
    (
        "Send the review digest",
        "evidence.send_review_digest",
        "6",
        "E-mail reviewers the verdicts newly needing review and the new candidates.",
    ),
)


def schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, hour, description in TASKS:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute="15",
            hour=hour,
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone="UTC",
        )
        PeriodicTask.objects.get_or_create(
            name=name,
            defaults={
                "task": task,
                "crontab": crontab,
                "kwargs": json.dumps({}),
                "description": description,
            },
        )


def unschedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, *_ in TASKS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0006_roles"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
