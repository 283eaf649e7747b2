"""Stored citations of references written before they were stored, or by a path that
bypasses the services (a corpus load), or made by an older formatter (a FORMAT_VERSION
bump): formatted and stored in batches, so that pages never format one."""

from __future__ import annotations

from config import page_cache
from references import stored_citations
from references.models import Reference


def references_store_citations(
    *, batch_size: int = 500, shard: tuple[int, int] | None = None
) -> int:
    """Format and store the citations of every reference that lacks them or whose stored
    ones are stale; how many references changed. Rendered pages are dropped when any did,
    as a bulk update sends no signal."""
    changed = stored_citations.store_missing(Reference, batch_size=batch_size, shard=shard)
    if changed:
        page_cache.invalidate_all()
    return changed
