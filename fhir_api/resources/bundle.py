"""Bundle: a searchset of resources, with paging links."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .common import instant, validated


def searchset(
    *,
    entries: list[dict[str, Any]],
    total: int,
    base_url: str,
    links: dict[str, str],
    timestamp: datetime | None = None,
) -> dict[str, Any]:
    """A searchset Bundle of validated ``entries``, each a match."""
    return validated(
        {
            "resourceType": "Bundle",
            "type": "searchset",
            "timestamp": instant(timestamp),
            "total": total,
            "link": [{"relation": relation, "url": url} for relation, url in links.items()],
            "entry": [
                {
                    "fullUrl": f"{base_url}/fhir/{entry['resourceType']}/{entry['id']}",
                    "resource": entry,
                    "search": {"mode": "match"},
                }
                for entry in entries
            ],
        }
    )
