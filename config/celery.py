"""The Celery application; tasks are discovered in each installed app's tasks.py.

The log-context receivers below carry the request id of the web request (or task) that
starts a task into the task's message headers, and bind it, with the task's id and name,
for the log records the task writes in the worker (see config/logging.py). The worker and
beat log through Django's LOGGING, so their lines are JSON in production like the web's.
"""

import logging
import logging.config
import os

from celery import Celery, signals
from celery.signals import worker_ready

from config.logging import request_id_var, task_var

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("evidentia")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def requeue_lost_import_jobs(sender, **kwargs) -> None:
    """A starting worker publishes again the import jobs whose task Redis lost.

    The sweep goes to (and requeues onto) this worker's first queue, so a worker started on
    a queue of its own (a test's) never leaves work on a queue nobody consumes.
    """
    queues = sorted(q.name for q in sender.task_consumer.queues) if sender.task_consumer else []
    queue = queues[0] if queues else None
    sender.app.send_task("references.requeue_import_jobs", kwargs={"queue": queue}, queue=queue)


# --- log context ------------------------------------------------------------------------

REQUEST_ID_HEADER = "request_id"
# task id -> the context-variable tokens its task_prerun set, reset by its task_postrun.
_bound: dict[str, tuple] = {}


@signals.setup_logging.connect
def _use_django_logging(loglevel=None, **kwargs) -> None:
    """Replace Celery's own log set-up by Django's LOGGING, at the worker's --loglevel."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel)


@signals.before_task_publish.connect
def _carry_request_id(headers=None, **kwargs) -> None:
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(REQUEST_ID_HEADER, request_id)


@signals.task_prerun.connect
def _bind_task_context(task_id=None, task=None, **kwargs) -> None:
    request = task.request
    # A worker puts custom message headers on the request itself; an eager call (run in
    # the web request, whose id is already bound) keeps the ones it was given in headers.
    request_id = (
        getattr(request, REQUEST_ID_HEADER, None)
        or (request.headers or {}).get(REQUEST_ID_HEADER)
        or request_id_var.get()
    )
    _bound[task_id] = (request_id_var.set(request_id), task_var.set((task_id, task.name)))


@signals.task_postrun.connect
def _unbind_task_context(task_id=None, **kwargs) -> None:
    tokens = _bound.pop(task_id, None)
    if tokens is not None:
        request_token, task_token = tokens
        task_var.reset(task_token)
        request_id_var.reset(request_token)
