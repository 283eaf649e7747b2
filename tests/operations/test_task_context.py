"""The request id travels from a request into the tasks it starts, and onto their logs.

Three paths: an eager task (the demo, tests) runs inside the request; a published task
carries the id in a message header (checked on a real publish to an in-memory broker);
and a worker executing that message binds it again (celery.worker.request.Request, the
object a real worker builds from each message). tests/operations/test_serve.py follows one
id through gunicorn and a real worker process.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator

import pytest
from celery import signals
from celery.worker.request import Request
from kombu import Connection

from config import celery_app
from config.celery import REQUEST_ID_HEADER
from config.logging import request_id_var, task_var
from references.tasks import requeue_import_jobs

pytestmark = pytest.mark.django_db

TASK = "references.requeue_import_jobs"  # idempotent, ignores its result, harmless when empty


class Seen:
    """What a task saw of the log context while it ran (a task_prerun receiver connected
    after config.celery's own, so after the context was bound)."""

    def __init__(self) -> None:
        self.contexts: list[tuple[str | None, tuple[str, str] | None]] = []

    def __call__(self, **kwargs) -> None:
        self.contexts.append((request_id_var.get(), task_var.get()))
        logging.getLogger("evidentia.test.task").info("inside the task")


@pytest.fixture
def seen() -> Iterator[Seen]:
    receiver = Seen()
    signals.task_prerun.connect(receiver, weak=False)
    try:
        yield receiver
    finally:
        signals.task_prerun.disconnect(receiver)


@pytest.fixture
def publish() -> Iterator[Callable]:
    """Publish the task to a queue of its own on an in-process broker; return the message."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False

    def publish_and_fetch():
        queue = f"test-ops-{uuid.uuid4().hex[:12]}"
        with Connection("memory://") as connection:
            result = requeue_import_jobs.apply_async(queue=queue, connection=connection)
            return result, connection.SimpleQueue(queue).get(timeout=5)

    try:
        yield publish_and_fetch
    finally:
        celery_app.conf.task_always_eager = eager


@pytest.fixture
def request_id() -> Iterator[str]:
    """An id bound as the middleware binds it for a request."""
    value = f"rid-{uuid.uuid4().hex[:8]}"
    token = request_id_var.set(value)
    try:
        yield value
    finally:
        request_id_var.reset(token)


def test_an_eager_task_logs_with_the_request_id_and_its_own_id_and_name(
    request_id, seen, json_logs
):
    assert celery_app.conf.task_always_eager

    result = requeue_import_jobs.delay()

    assert result.get() == []
    assert seen.contexts == [(request_id, (result.id, TASK))]
    [line] = json_logs.find(logger="evidentia.test.task")
    assert (line["request_id"], line["task_id"], line["task_name"]) == (
        request_id,
        result.id,
        TASK,
    )
    # Afterwards the request's own context is back, the task's is gone.
    assert request_id_var.get() == request_id
    assert task_var.get() is None


def test_a_published_task_carries_the_request_id_to_the_worker_that_runs_it(
    request_id, seen, json_logs, publish
):
    published, message = publish()
    assert message.headers[REQUEST_ID_HEADER] == request_id
    assert message.headers["id"] == published.id

    # The worker's side: another process, where no request id is bound.
    token = request_id_var.set(None)
    try:
        Request(message, app=celery_app).execute()
        after = (request_id_var.get(), task_var.get())
    finally:
        request_id_var.reset(token)

    assert seen.contexts == [(request_id, (published.id, TASK))]
    [line] = json_logs.find(logger="evidentia.test.task")
    assert (line["request_id"], line["task_id"]) == (request_id, published.id)
    assert after == (None, None)  # nothing leaks into the next task this worker runs


def test_a_task_started_outside_any_request_has_no_request_id(seen, publish):
    assert request_id_var.get() is None
    _, message = publish()

    assert REQUEST_ID_HEADER not in message.headers
    Request(message, app=celery_app).execute()
    assert seen.contexts[0][0] is None
