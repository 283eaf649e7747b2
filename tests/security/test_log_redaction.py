"""No secret reaches a log line: the filter on LOGGING's handlers (config/log_redaction.py)
redacts configured secret values and credential-looking parameters, including in httpx's
request lines, which carry NCBI's api_key in their query string."""

import io
import logging
import re

import pytest

from config.log_redaction import REDACTED, RedactSecretsFilter, redact
from config.logging import JsonFormatter
from references.models import ImportJob
from references.services.jobs import import_job_create_for_identifiers, import_job_run
from tests.support.fake_upstream import (
    FIXTURES,
    RecordedUpstream,
    load_crossref_works,
    load_pubmed_articles,
)

NCBI_KEY = "ncbi-key-not-a-secret-7f3a9c2e"
EFETCH = FIXTURES / "pubmed" / "efetch"


@pytest.fixture
def production_handler():
    """The console handler Django's LOGGING installed on the root logger (the one a
    deployment writes through), its output captured, with every logger at DEBUG."""
    root = logging.getLogger()
    handlers = [
        h for h in root.handlers if any(isinstance(f, RedactSecretsFilter) for f in h.filters)
    ]
    assert len(handlers) == 1, root.handlers
    handler = handlers[0]
    stream = io.StringIO()
    old_stream = handler.setStream(stream)
    old_levels = {
        name: logging.getLogger(name).level for name in ("", "httpx", "httpcore", "references")
    }
    for name in old_levels:
        logging.getLogger(name).setLevel(logging.DEBUG)
    handler.output = stream
    try:
        yield handler
    finally:
        handler.setStream(old_stream)
        for name, level in old_levels.items():
            logging.getLogger(name).setLevel(level)
        del handler.output


@pytest.fixture
def recorded(upstream, upstream_settings):
    upstream_settings.NCBI_API_KEY = NCBI_KEY
    fake = RecordedUpstream(
        load_pubmed_articles(*sorted(EFETCH.glob("*.xml")), EFETCH / "baseline-30-articles.xml.gz"),
        load_crossref_works(*sorted((FIXTURES / "crossref" / "works").glob("*.json"))),
    )
    upstream.on(re.compile(r"/(pubmed|crossref)/.*"), fake)
    return fake


@pytest.mark.django_db
@pytest.mark.parametrize("formatter", ["configured", "json"])
def test_an_import_with_an_ncbi_key_logs_no_key(
    recorded, upstream, production_handler, caplog, formatter
):
    if formatter == "json":
        old_formatter = production_handler.formatter
        production_handler.setFormatter(JsonFormatter())
    caplog.set_level(logging.DEBUG)
    try:
        job, _ = import_job_create_for_identifiers(identifiers=["PMID: 35649368", "PMID: 28731372"])
        job = import_job_run(job_id=job.pk)
    finally:
        if formatter == "json":
            production_handler.setFormatter(old_formatter)

    assert job.status == ImportJob.Status.SUCCEEDED
    # The key was sent upstream, so its absence below means something.
    assert any(call.params.get("api_key") == NCBI_KEY for call in upstream.calls)
    output = production_handler.output.getvalue()
    assert NCBI_KEY not in output
    request_lines = [line for line in output.splitlines() if "HTTP Request:" in line]
    assert request_lines, output
    assert all(f"api_key={REDACTED}" in line for line in request_lines if "/pubmed/" in line)
    # httpx's and httpcore's own loggers redact too, for handlers not in LOGGING (caplog's).
    library_records = [r for r in caplog.records if r.name.startswith(("httpx", "httpcore"))]
    assert any(r.name.startswith("httpcore") for r in library_records)
    assert library_records and all(NCBI_KEY not in r.getMessage() for r in library_records)


def test_secrets_in_messages_arguments_extras_and_tracebacks(production_handler, settings):
    settings.NCBI_API_KEY = NCBI_KEY
    logger = logging.getLogger("tests.redaction")
    session = "k2j3h4g5f6d7s8a9q0w1e2r3t4y5u6i7"
    token = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"

    logger.info("key %s in an argument", NCBI_KEY)
    logger.info("Cookie: sessionid=%s; csrftoken=abcdefabcdef", session)
    logger.info("headers %r", {"Authorization": f"Token {token}"})
    logger.info("GET /x?token=%s&password=hunter2hunter2&page=2", token)
    logger.info("secret key %(key)s as a mapping", {"key": settings.SECRET_KEY})
    logger.warning("upstream", extra={"url": f"https://example.org/?api_key={NCBI_KEY}"})
    try:
        raise ValueError(f"bad url https://user:db-password-123@db.example.org/?key={NCBI_KEY}")
    except ValueError:
        logger.exception("failed")

    output = production_handler.output.getvalue()
    for secret in (NCBI_KEY, session, token, "hunter2hunter2", settings.SECRET_KEY):
        assert secret not in output
    assert "db-password-123" not in output
    assert "page=2" in output and "csrftoken=[REDACTED]" in output
    assert "Traceback" in output and "ValueError: bad url" in output


def test_redact_leaves_ordinary_text_alone():
    text = "GET /api/v1/conditions/?page=2&ordering=name 200 (12 ms)"
    assert redact(text, ()) == text
    assert redact("api_key=abc123&db=pubmed", ()) == f"api_key={REDACTED}&db=pubmed"
    assert redact("postgres://app:s3cr3t-pw@db/evidentia", ()) == (
        f"postgres://app:{REDACTED}@db/evidentia"
    )
    assert redact("Authorization: Bearer eyJhbGciOi.abc.def", ()) == (
        f"Authorization: Bearer {REDACTED}"
    )
    assert redact("value 0123456789abcdef here", ("0123456789abcdef",)) == (
        f"value {REDACTED} here"
    )


@pytest.mark.parametrize("log_format", ["plain", "json"])
def test_gunicorn_access_lines_are_redacted(monkeypatch, log_format):
    """Gunicorn's own loggers are not LOGGING's: config/gunicorn.py filters them too."""
    import importlib
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    monkeypatch.setenv("LOG_FORMAT", log_format)
    gunicorn_config = importlib.reload(importlib.import_module("config.gunicorn"))
    config = Config()
    config.set("accesslog", "-")
    logger = gunicorn_config.JsonAccessLogger(config)
    stream = io.StringIO()
    for handler in logger.access_log.handlers:
        handler.stream = stream
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/api/v1/references/",
        "QUERY_STRING": "api_key=0123456789abcdef&page=2",
        "RAW_URI": "/api/v1/references/?api_key=0123456789abcdef&page=2",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
    }
    response = SimpleNamespace(status="200 OK", headers=[], sent=10, status_code=200)
    request = SimpleNamespace(headers=[])

    logger.access(response, request, environ, timedelta(milliseconds=3))

    line = stream.getvalue()
    assert "page=2" in line
    assert "0123456789abcdef" not in line
    assert REDACTED in line
