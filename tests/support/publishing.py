"""Publishing in tests: what a reviewer does before readers see a change."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from evidence.models import Verdict, VerdictVersion
from evidence.services.publication import verdict_publish


def reviewer():
    """A superuser standing in for a reviewer of every condition."""
    user, _ = get_user_model().objects.get_or_create(
        username="test-publisher",
        defaults={"is_superuser": True, "is_staff": True, "email": "publisher@example.org"},
    )
    return user


def publish(*verdicts: Verdict, note: str = "Published by the test.") -> list[VerdictVersion]:
    """Publish the drafts of these verdicts (every verdict when none is given)."""
    chosen = verdicts or tuple(Verdict.objects.order_by("pk"))
    user = reviewer()
    return [verdict_publish(verdict=verdict, user=user, note=note) for verdict in chosen]
