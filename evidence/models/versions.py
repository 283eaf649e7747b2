"""Published versions of a pair's evidence: what a reviewer published, numbered and
dated, kept whole and never changed afterwards (the database refuses an update)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .verdicts import Verdict


class VerdictVersion(models.Model):
    """Version ``number`` of a verdict and everything its page shows, as published."""

    verdict = models.ForeignKey(Verdict, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(help_text="The reviewer's note: what changed and why.")
    # The verdict, its background sources, summary-of-findings rows, guideline positions
    # and studies as they were (evidence.selectors.content.pair_content).
    content = models.JSONField()
    # What changed against the version before, in words (evidence.publication.changes).
    changes = models.JSONField(default=list, blank=True)
    # The review reasons open when it was published: how flags were handled is the note.
    handled_reasons = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["verdict", "number"]
        constraints = [
            models.UniqueConstraint(fields=["verdict", "number"], name="verdict_version_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="verdict_version_from_one"),
            models.CheckConstraint(condition=~Q(note=""), name="verdict_version_has_note"),
        ]
        permissions = [("publish_verdict", "Can publish a verdict's draft")]

    def __str__(self) -> str:
        return f"{self.verdict} version {self.number}"
