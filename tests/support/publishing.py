"""Publishing in tests: what readers see of data a test wrote is its published version."""

from __future__ import annotations

from evidence.models import Verdict, VerdictVersion
from evidence.services.publication import verdict_publish_loaded


def publish(*verdicts: Verdict, note: str = "Published by the test.") -> list[VerdictVersion]:
    """Publish the drafts of these verdicts (every verdict when none is given) as a load
    does: by no one, signing no review off; a draft already published is left alone."""
    chosen = verdicts or tuple(Verdict.objects.order_by("pk"))
    versions = (verdict_publish_loaded(verdict=verdict, note=note) for verdict in chosen)
    return [version for version in versions if version is not None]
