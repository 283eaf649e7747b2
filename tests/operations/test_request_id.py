"""X-Request-ID: taken or made up, echoed, and on every log line of the request."""

from __future__ import annotations

import json
import logging
import re
import sys

import pytest

from config.logging import ContextFilter, JsonFormatter, PlainFormatter, log_format, request_id_var

HEX32 = re.compile(r"[0-9a-f]{32}")


def test_a_request_without_an_id_gets_a_new_one(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]

    assert HEX32.fullmatch(first) and HEX32.fullmatch(second)
    assert first != second


@pytest.mark.parametrize(
    "incoming",
    ["3f2b9c1e-8d4a-4b8e-9a55-0c1d2e3f4a5b", "lb-1a2b3c", "Root.1:abc_DEF-9", "x" * 128],
)
def test_a_safe_incoming_id_is_kept(client, incoming):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)

    assert response["X-Request-ID"] == incoming


@pytest.mark.parametrize(
    "incoming",
    ["", "x" * 129, "has space", 'quote"s', "new\\nline", "<script>", "-starts-with-dash", "é"],
)
def test_an_unsafe_incoming_id_is_replaced(client, incoming):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=incoming)

    assert HEX32.fullmatch(response["X-Request-ID"]), response["X-Request-ID"]


def test_redirects_and_errors_carry_the_id_too(client):
    redirect = client.get("/admin", HTTP_X_REQUEST_ID="rid-redirect")
    missing = client.get("/api/v1/no-such-thing/", HTTP_X_REQUEST_ID="rid-404")

    assert redirect.status_code == 301 and redirect["X-Request-ID"] == "rid-redirect"
    assert missing.status_code == 404 and missing["X-Request-ID"] == "rid-404"


@pytest.mark.django_db
def test_log_lines_written_during_a_request_carry_its_id(client, json_logs):
    client.get("/conditions/no-such-condition/", HTTP_X_REQUEST_ID="rid-page-404")
    # Logged by Django after the middleware chain returned (a view's own 4xx answer).
    client.post("/api/v1/imports/", {}, HTTP_X_REQUEST_ID="rid-api-401")

    page = json_logs.find(logger="django.request", status_code=404)
    api = json_logs.find(logger="django.request", request_id="rid-api-401")
    assert [line["request_id"] for line in page] == ["rid-page-404"]
    assert page[0]["level"] == "WARNING"
    assert page[0]["message"] == "Not Found: /conditions/no-such-condition/"
    assert len(api) == 1 and api[0]["status_code"] in (401, 403)
    assert request_id_var.get() is None  # nothing leaks past the request


def _record(message: str = "hello %s", *args, **extra) -> logging.LogRecord:
    record = logging.getLogger("evidentia.test").makeRecord(
        "evidentia.test", logging.INFO, __file__, 1, message, args or ("world",), None, extra=extra
    )
    ContextFilter().filter(record)
    return record


def test_the_json_formatter_writes_one_object_per_line_with_context_and_extras():
    token = request_id_var.set("rid-json")
    try:
        record = _record("two\nlines %s", 'and "quotes"', job_id=7, obj=object())
    finally:
        request_id_var.reset(token)
    try:
        raise ValueError("boom")
    except ValueError:
        record.exc_info = sys.exc_info()

    text = JsonFormatter().format(record)

    assert "\n" not in text
    line = json.loads(text)
    assert line["message"] == 'two\nlines and "quotes"'
    assert (line["level"], line["logger"], line["request_id"]) == (
        "INFO",
        "evidentia.test",
        "rid-json",
    )
    assert line["job_id"] == 7
    assert line["obj"].startswith("<object object")
    assert "ValueError: boom" in line["exc_info"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", line["time"])
    assert "task_id" not in line  # absent context is left out, not null


def test_the_plain_formatter_appends_the_context_only_when_there_is_one():
    formatter = PlainFormatter("%(levelname)s %(message)s")
    token = request_id_var.set("rid-plain")
    try:
        with_id = formatter.format(_record())
    finally:
        request_id_var.reset(token)

    assert with_id == "INFO hello world [request_id=rid-plain]"
    assert formatter.format(_record()) == "INFO hello world"


def test_an_unknown_log_format_stops_start_up_with_a_clear_message():
    from django.core.exceptions import ImproperlyConfigured

    assert log_format("json") == "json"
    with pytest.raises(ImproperlyConfigured, match="LOG_FORMAT must be one of"):
        log_format("xml")
