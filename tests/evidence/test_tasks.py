"""Celery task names are a contract (the beat schedule stores them): a rename shows here."""

import importlib

import pytest
from django.apps import apps

from config import celery_app

pytestmark = pytest.mark.django_db

EDITORIAL_TASKS = {
    "evidence.flag_overdue_verdicts",
    "evidence.run_saved_searches",
    "evidence.send_review_digest",
}
# Queued when a version is published (evidence.receivers), never on a schedule.
PUBLICATION_TASKS = {"evidence.notify_version_followers"}


def test_the_evidence_tasks_are_registered():
    celery_app.loader.import_default_modules()
    registered = {name for name in celery_app.tasks if name.startswith("evidence.")}
    assert registered == EDITORIAL_TASKS | PUBLICATION_TASKS


def test_the_data_migration_schedules_them_daily():
    migration = importlib.import_module("evidence.migrations.0007_periodic_editorial_tasks")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(task__in=EDITORIAL_TASKS).delete()

    migration.schedule(apps, None)
    migration.schedule(apps, None)  # idempotent

    tasks = PeriodicTask.objects.filter(task__in=EDITORIAL_TASKS).select_related("crontab")
    assert {task.task for task in tasks} == EDITORIAL_TASKS
    assert tasks.count() == 3
    assert not PeriodicTask.objects.filter(task__in=PUBLICATION_TASKS).exists()
    for task in tasks:
        assert task.enabled
        assert (task.crontab.day_of_week, task.crontab.day_of_month) == ("*", "*")
