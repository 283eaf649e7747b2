"""Imports with the task queue down, in process: 503 and nothing stored (fast; SQLite too).

The broker is a redis-server of the test's own, killed before the request, so the port
refuses connections as a dead Redis does. tests/faults/test_redis_down.py does the same
against the app under gunicorn, and what happens when Redis comes back.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from config import celery_app
from references.models import ImportJob, Reference
from tests.api.conftest import _token_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dead_broker(private_redis):
    private_redis.kill()
    conf = celery_app.conf
    saved = conf.task_always_eager, conf.broker_url
    conf.task_always_eager, conf.broker_url = False, private_redis.url()
    try:
        yield private_redis
    finally:
        conf.task_always_eager, conf.broker_url = saved


@pytest.fixture
def importer():
    from django.contrib.auth.models import Permission

    user = UserFactory(username="queue-down-editor")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="references", codename="add_importjob")
    )
    return _token_client(user)


def test_the_api_answers_503_with_retry_after_and_stores_no_job(dead_broker, importer):
    response = importer.post("/api/v1/imports/", {"identifiers": ["28731372"]}, format="json")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {
        "error": {
            "code": "queue_unavailable",
            "message": "The task queue is unavailable; nothing was stored; try again shortly.",
            "fields": {},
        }
    }
    assert not ImportJob.objects.exists()


def test_the_admin_import_page_answers_503_keeps_the_input_and_stores_nothing(
    dead_broker, admin_client
):
    response = admin_client.post(
        reverse("admin:references_importjob_add"), {"identifiers": "28731372\n10.1000/xyz123"}
    )

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    assert "The task queue is unavailable; nothing was stored" in page
    assert "10.1000/xyz123" in page  # the editor's input is still in the form
    assert not ImportJob.objects.exists()


def test_the_admin_refresh_action_says_the_queue_is_down_and_stores_nothing(
    dead_broker, admin_client
):
    reference = Reference.objects.create(title="A trial", pmid="123456")

    response = admin_client.post(
        reverse("admin:references_reference_changelist"),
        {"action": "refresh_from_upstream", "_selected_action": [reference.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "The task queue is unavailable" in response.content.decode()
    assert not ImportJob.objects.exists()
