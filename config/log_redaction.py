"""Secrets never reach a log line: ``RedactSecretsFilter`` rewrites records before output.

Libraries log what they are given: httpx writes every request line at INFO, query string
and all, so with NCBI_API_KEY set each PubMed call would put the key in the logs. The
filter is installed on every handler in LOGGING (and on the httpx / httpcore loggers, so
a handler added by someone else sees their records redacted too). It replaces

- the configured secret values themselves (NCBI_API_KEY, SECRET_KEY and its fallbacks,
  the database, Redis and e-mail passwords) wherever they appear;
- query-string, form and cookie parameters that carry credentials (``api_key=``,
  ``token=``, ``password=``, ``sessionid=`` ...), and ``"password": "..."`` pairs;
- ``Authorization: Token ...`` / ``Bearer ...`` values and the password of a URL's
  ``user:password@``;

in the message (after %-formatting with its arguments), in string fields given with
``extra=``, and in the formatted traceback, which is then cached on the record
(``exc_text``) so every formatter prints the redacted one.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from urllib.parse import quote, unquote, urlsplit

REDACTED = "[REDACTED]"
# Shorter configured values are not searched for: a four-character password would
# blank out every word that contains it, and such a value is no secret anyway.
MIN_SECRET_LENGTH = 8

_NAMES = (
    r"api[_-]?key|apikey|key|access[_-]?token|refresh[_-]?token|id[_-]?token|token|"
    r"password|passwd|pwd|pass|secret|client[_-]?secret|sessionid|session[_-]?id|"
    r"csrftoken|csrfmiddlewaretoken|signature|sig|auth"
)
# name=value in a query string, a form body or a Cookie header.
_PARAMETER = re.compile(rf"(?i)(?<![\w-])({_NAMES})=(?!\[REDACTED\])([^&\s;,'\"#)\]}}>]+)")
# "password": "value" / 'api_key': 'value' in a repr or a JSON text ("key" alone is too
# common a dictionary key to blank out).
_QUOTED_NAMES = (
    r"api[_-]?key|apikey|access[_-]?token|refresh[_-]?token|token|password|passwd|secret|"
    r"client[_-]?secret|sessionid|csrftoken|csrfmiddlewaretoken|authorization"
)
_QUOTED_PAIR = re.compile(rf"(?i)([\"']({_QUOTED_NAMES})[\"']\s*:\s*[\"'])([^\"']+)")
# Authorization: Token abc / "HTTP_AUTHORIZATION": "Bearer abc" / Authorization=Basic abc
_AUTHORIZATION = re.compile(
    r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?(?:(?:token|bearer|basic|digest)\s+)?)"
    r"([^\s\"',;}]+)"
)
# A bare DRF token (40 hex characters) or bearer credential after its scheme word.
_SCHEME_CREDENTIAL = re.compile(r"(?i)\b(token|bearer)(\s+)([0-9a-f]{40}|[\w.~+/-]{20,}=*)")
# scheme://user:password@host
_URL_PASSWORD = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://[^\s:/@]*:)([^\s@/]+)(@)")

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", logging.INFO, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "taskName",
}


def configured_secrets() -> tuple[str, ...]:
    """The secret values in the settings, or none when settings are not configured yet
    (gunicorn's master logs before Django starts)."""
    try:
        from django.conf import settings

        if not settings.configured:
            return ()
        values = [
            getattr(settings, "NCBI_API_KEY", ""),
            getattr(settings, "SECRET_KEY", ""),
            getattr(settings, "EMAIL_HOST_PASSWORD", ""),
            *getattr(settings, "SECRET_KEY_FALLBACKS", ()),
        ]
        values += [db.get("PASSWORD", "") for db in settings.DATABASES.values()]
        redis_url = getattr(settings, "REDIS_URL", "")
        if redis_url:
            values.append(unquote(urlsplit(redis_url).password or ""))
    except Exception:  # noqa: BLE001 - a log line must never fail on the settings
        return ()
    return tuple(sorted({str(v) for v in values if v}, key=len, reverse=True))


@lru_cache(maxsize=8)
def _secrets_pattern(secrets: tuple[str, ...]) -> re.Pattern[str] | None:
    # Also each value as it appears percent-encoded in a URL.
    forms = {form for value in secrets for form in (value, quote(value, safe=""))}
    forms = {form for form in forms if len(form) >= MIN_SECRET_LENGTH}
    if not forms:
        return None
    return re.compile("|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)))


def redact(text: str, secrets: tuple[str, ...] | None = None) -> str:
    """``text`` with every credential replaced by ``[REDACTED]``."""
    pattern = _secrets_pattern(configured_secrets() if secrets is None else secrets)
    if pattern is not None:
        text = pattern.sub(REDACTED, text)
    text = _URL_PASSWORD.sub(rf"\1{REDACTED}\3", text)
    text = _AUTHORIZATION.sub(rf"\1{REDACTED}", text)
    text = _SCHEME_CREDENTIAL.sub(rf"\1\2{REDACTED}", text)
    text = _QUOTED_PAIR.sub(rf"\1{REDACTED}", text)
    return _PARAMETER.sub(rf"\1={REDACTED}", text)


class RedactSecretsFilter(logging.Filter):
    """Rewrites the record's message, extras and traceback with secrets redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = configured_secrets()
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - logging reports the bad arguments itself
            return True
        redacted = redact(message, secrets)
        if redacted != message:
            record.msg, record.args = redacted, ()
        for key, value in list(record.__dict__.items()):
            if key not in _RECORD_ATTRIBUTES and isinstance(value, str):
                record.__dict__[key] = redact(value, secrets)
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, secrets)
        return True
