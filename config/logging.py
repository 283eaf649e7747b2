"""Log lines that say which request and which task they belong to.

The request id is bound per request by ``config.middleware.request_id`` and per task by the
Celery signals in ``config.celery`` (which also carry it from the request into the tasks
it starts), through the context variables here. ``ContextFilter`` copies the ids onto
every record; ``JsonFormatter`` writes one JSON object per line (``LOG_FORMAT=json``, the
production default), ``PlainFormatter`` a readable line for development.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

from django.core.exceptions import ImproperlyConfigured

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
# (task id, task name) of the Celery task running in this context.
task_var: ContextVar[tuple[str, str] | None] = ContextVar("task", default=None)

LOG_FORMATS = ("plain", "json")
CONTEXT_FIELDS = ("request_id", "task_id", "task_name")

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", logging.INFO, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "taskName",
}


def log_format(value: str) -> str:
    """The LOG_FORMAT setting, checked, so a typo stops start-up with a clear message."""
    if value not in LOG_FORMATS:
        raise ImproperlyConfigured(f"LOG_FORMAT must be one of {LOG_FORMATS}, not {value!r}.")
    return value


def _context(record: logging.LogRecord) -> dict[str, str | None]:
    # django.request logs 4xx/5xx responses after the middleware chain has returned (and
    # the context variable been reset), but hands over the request itself.
    request_id = (
        record.__dict__.get("request_id")
        or getattr(record.__dict__.get("request"), "request_id", None)
        or request_id_var.get()
    )
    task = task_var.get()
    return {
        "request_id": request_id,
        "task_id": record.__dict__.get("task_id") or (task[0] if task else None),
        "task_name": record.__dict__.get("task_name") or (task[1] if task else None),
    }


class ContextFilter(logging.Filter):
    """Adds ``request_id``, ``task_id`` and ``task_name`` (or None) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.__dict__.update(_context(record))
        return True


class PlainFormatter(logging.Formatter):
    """The usual one-line format, followed by the request id and task when there are any."""

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 - logging's name
        context = _context(record)
        suffix = []
        if context["request_id"]:
            suffix.append(f"request_id={context['request_id']}")
        if context["task_id"]:
            suffix.append(f"task={context['task_name']}[{context['task_id']}]")
        text = super().formatMessage(record)
        return f"{text} [{' '.join(suffix)}]" if suffix else text


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, context ids, extras.

    Fields given with ``extra=`` are kept (values JSON cannot hold become strings), so
    gunicorn's access log and Django's request log carry their status codes as numbers.
    """

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": record.process,
        }
        payload.update({k: v for k, v in _context(record).items() if v})
        for key, value in record.__dict__.items():
            if key in _RECORD_ATTRIBUTES or key in CONTEXT_FIELDS or key.startswith("_"):
                continue
            payload.setdefault(key, value)
        if record.exc_info or record.exc_text:
            # exc_text: the traceback as config.log_redaction left it, secrets redacted.
            payload["exc_info"] = record.exc_text or self.formatException(record.exc_info)
        if record.stack_info:
            payload["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(payload, default=str, ensure_ascii=False)
