"""Readers following a pair or a condition, and the notices sent to them: one email per
person per published version, whatever retries a worker makes."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .conditions import Condition
from .verdicts import Verdict
from .versions import VerdictVersion


class Follow(models.Model):
    """A signed-in reader follows one pair (its verdict) or one condition (and with it
    every sub-condition's pairs)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    verdict = models.ForeignKey(
        Verdict, on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    condition = models.ForeignKey(
        Condition, on_delete=models.CASCADE, null=True, blank=True, related_name="follows"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(verdict__isnull=True) ^ Q(condition__isnull=True),
                name="follow_one_target",
                violation_error_message="Follow either a pair or a condition.",
            ),
            models.UniqueConstraint(
                fields=["user", "verdict"],
                condition=Q(verdict__isnull=False),
                name="follow_pair_once",
            ),
            models.UniqueConstraint(
                fields=["user", "condition"],
                condition=Q(condition__isnull=False),
                name="follow_condition_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} follows {self.verdict or self.condition}"


class VersionNotice(models.Model):
    """The email telling one reader of one published version: written before it is sent,
    so that no retry sends it twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(VerdictVersion, on_delete=models.CASCADE, related_name="notices")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "version"], name="version_notice_once")
        ]

    def __str__(self) -> str:
        return f"{self.version} told to {self.user}"
