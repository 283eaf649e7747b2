"""Gunicorn settings: ``gunicorn --config config/gunicorn.py config.wsgi``.

Read from the environment so one file serves `make serve`, the container and a bare host:

- WEB_CONCURRENCY (processes, default 2) x GUNICORN_THREADS (threads each, default 4).
  Rendering a page is CPU work under the GIL, so processes are what use cores; threads
  cover the time a request waits on PostgreSQL or Redis, and slow clients when there is no
  buffering proxy in front. The usual 2 x cores + 1 assumes gunicorn has the machine to
  itself and sync workers; here PostgreSQL, Redis and the Celery worker share the two
  cores, so one process per core, with threads, is the default. Each thread keeps its own
  database connection (CONN_MAX_AGE): processes x threads connections per web host.
- GUNICORN_BIND (default 127.0.0.1:8000; the container binds 0.0.0.0:8000).
- GUNICORN_TIMEOUT (default 30 s): a worker silent for longer is killed and replaced.
- FORWARDED_ALLOW_IPS: proxies whose X-Forwarded-* headers are believed (default
  127.0.0.1), which is what makes SECURE_PROXY_SSL_HEADER safe.
- LOG_FORMAT (json or plain; json by default under production settings) and LOG_LEVEL.

max_requests with jitter replaces each worker after about a thousand requests, which bounds
the memory a slow leak can take, without all workers restarting at the same moment.
"""

from __future__ import annotations

import logging
import os
from datetime import timedelta

from gunicorn.glogging import Logger

from config.log_redaction import RedactSecretsFilter
from config.logging import JsonFormatter, log_format


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


_production = os.environ.get("DJANGO_SETTINGS_MODULE", "").endswith(".production")
LOG_FORMAT = log_format(os.environ.get("LOG_FORMAT", "json" if _production else "plain"))

wsgi_app = "config.wsgi:application"
proc_name = "evidentia-web"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
workers = _int("WEB_CONCURRENCY", 2)
worker_class = "gthread"
threads = _int("GUNICORN_THREADS", 4)
timeout = _int("GUNICORN_TIMEOUT", 30)
# Shorter than the 30 s that scripts/serve.sh and orchestrators wait before SIGKILL.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 20)
keepalive = 5
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Gunicorn 25+ opens a control socket at one fixed path per user: several servers on one
# host would fight over it, and nothing here uses it.
control_socket_disable = True
# The heartbeat file on tmpfs: a container's overlay filesystem can stall it.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
errorlog = "-"
accesslog = "-"
# Used only with LOG_FORMAT=plain; JSON access lines are built in JsonAccessLogger.access.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms request_id=%({x-request-id}o)s "%(a)s"'


class JsonAccessLogger(Logger):
    """Gunicorn's logger, writing JSON lines (with the response's X-Request-ID) if asked,
    and never a secret."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                # Access lines carry query strings (?api_key=, ?token=): redacted as all logs.
                handler.addFilter(RedactSecretsFilter())
                if LOG_FORMAT == "json":
                    handler.setFormatter(JsonFormatter())

    def access(self, resp, req, environ, request_time: timedelta) -> None:
        if LOG_FORMAT != "json":
            super().access(resp, req, environ, request_time)
            return
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        headers = dict((name.lower(), value) for name, value in resp.headers)
        fields = {
            "remote_addr": environ.get("REMOTE_ADDR"),
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "query": environ.get("QUERY_STRING") or None,
            "status": int(status),
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "user_agent": environ.get("HTTP_USER_AGENT"),
            "request_id": headers.get("x-request-id"),
        }
        try:
            self.access_log.log(
                logging.INFO,
                "%s %s %s",
                fields["method"],
                fields["path"],
                fields["status"],
                extra=fields,
            )
        except Exception:
            self.exception("could not write the access log line")


logger_class = JsonAccessLogger
