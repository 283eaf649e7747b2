"""Guideline positions: what an issuing body recommends about a therapy for a condition."""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .conditions import Condition


class GuidelinePosition(models.Model):
    class Position(models.TextChoices):
        RECOMMENDED = "recommended", "Recommended"
        CONDITIONAL = "conditional", "Conditional"
        NOT_SUPPORTED = "not_supported", "Not supported"
        NO_POSITION = "no_position", "No position"

    therapy = models.ForeignKey(
        "therapies.Therapy", on_delete=models.PROTECT, related_name="guideline_positions"
    )
    condition = models.ForeignKey(
        Condition, on_delete=models.PROTECT, related_name="guideline_positions"
    )
    issuing_body = models.CharField(max_length=300)
    document = models.CharField(max_length=500)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    position = models.CharField(max_length=16, choices=Position.choices)
    summary = models.TextField(blank=True)
    reference = models.ForeignKey(
        "references.Reference",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="guideline_positions",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["condition", "therapy", "-year"]
        constraints = [
            models.UniqueConstraint(
                fields=["therapy", "condition", "issuing_body", "document"],
                name="guideline_position_unique",
            ),
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=1900, year__lte=2100),
                name="guideline_year_sane",
            ),
        ]

    def __str__(self) -> str:
        position = self.get_position_display()
        return f"{self.issuing_body}: {position} ({self.therapy} for {self.condition})"
