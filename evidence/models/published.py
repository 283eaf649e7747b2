"""What the public reads: each pair as its last published version shows it.

Editors change the draft (Verdict, Study, OutcomeFinding, GuidelinePosition,
VerdictReference); a publication (evidence.services.publication) copies the pair's draft
here, replacing what was published before, and keeps the whole of it in a VerdictVersion.
Public pages, the read API and the exports read these tables, so a draft edit changes
nothing a clinician sees until a reviewer publishes it. References are not versioned: a
study's copy of its reference's status is kept current here too, so a retraction shows at
once.
"""

from django.db import models

from .conditions import Condition
from .studies import StudyRecord, pair_indexes
from .verdicts import Verdict
from .versions import VerdictVersion


class PublishedVerdict(models.Model):
    """A verdict's fields as last published, with the small lists its page shows."""

    verdict = models.OneToOneField(
        Verdict, on_delete=models.CASCADE, primary_key=True, related_name="published"
    )
    version = models.OneToOneField(VerdictVersion, on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField()
    published_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=Verdict.Status.choices)
    certainty = models.CharField(max_length=10, choices=Verdict.Certainty.choices)
    certainty_override_reason = models.TextField(blank=True)
    summary = models.TextField()
    key_takeaways = models.JSONField(default=list, blank=True)
    limitations = models.TextField(blank=True)
    mechanism_notes = models.TextField(blank=True)
    # As in VerdictVersion.content: each a list of plain rows.
    background = models.JSONField(default=list, blank=True)
    findings = models.JSONField(default=list, blank=True)
    guideline_positions = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = "published verdict"

    def __str__(self) -> str:
        return f"{self.verdict} as published (version {self.number})"


class PublishedStudy(StudyRecord):
    """A study as its pair's last published version shows it; its id is the draft
    study's, so links to a study keep working across publications."""

    id = models.BigIntegerField(primary_key=True)
    version = models.ForeignKey(
        VerdictVersion, on_delete=models.PROTECT, related_name="published_studies"
    )
    verdict = models.ForeignKey(Verdict, on_delete=models.CASCADE, related_name="published_studies")
    reference = models.ForeignKey(
        "references.Reference", on_delete=models.PROTECT, related_name="published_studies"
    )
    therapy = models.ForeignKey(
        "therapies.Therapy", on_delete=models.PROTECT, related_name="published_studies"
    )
    condition = models.ForeignKey(
        Condition, on_delete=models.PROTECT, related_name="published_studies"
    )
    extraction_reference = models.ForeignKey(
        "references.Reference",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["condition", "therapy", "id"]
        verbose_name_plural = "published studies"
        indexes = [
            *pair_indexes("pstudy"),
            models.Index(fields=["reference"], name="pstudy_reference_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_design_display()}: {self.reference} (published)"
