"""OperationOutcome: how every error of the FHIR endpoint is answered."""

from __future__ import annotations

from typing import Any

from .common import validated

# HTTP status -> FHIR issue-type code.
ISSUE_CODES = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    412: "conflict",
    413: "too-costly",
    415: "not-supported",
    429: "throttled",
    503: "transient",
}


def operation_outcome(status: int, message: str, *, code: str = "") -> dict[str, Any]:
    return validated(
        {
            "resourceType": "OperationOutcome",
            "issue": [
                {
                    "severity": "error" if status < 500 else "fatal",
                    "code": code or ISSUE_CODES.get(status, "exception"),
                    "diagnostics": message or "Error",
                }
            ],
        }
    )
