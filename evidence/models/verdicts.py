"""Verdicts: the project's judgement on a therapy for a condition, its background
references, and the rows of its summary of findings."""

from django.conf import settings
from django.db import models
from django.db.models.query import ModelIterable
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ..editorial import rules
from .conditions import Condition

# What a publication copies of a verdict; the rest (its review state) is read live.
PUBLISHED_VERDICT_FIELDS = (
    "status",
    "certainty",
    "certainty_override_reason",
    "summary",
    "key_takeaways",
    "limitations",
    "mechanism_notes",
)


class PublishedVerdictIterable(ModelIterable):
    """Verdicts as the public reads them: each with its published fields in place of the
    draft's (Verdict.as_published)."""

    def __iter__(self):
        for verdict in super().__iter__():
            yield verdict.as_published()


class VerdictQuerySet(models.QuerySet):
    def published(self) -> "VerdictQuerySet":
        """Only verdicts with a published version, each read as published (no extra
        query: the published row comes in the same join)."""
        queryset = self.filter(published__isnull=False).select_related("published")
        queryset._iterable_class = PublishedVerdictIterable
        return queryset


class Verdict(models.Model):
    """The project's judgement on one therapy for one condition."""

    class Status(models.TextChoices):
        ESTABLISHED = "established", "Established"
        SUPPORTED = "supported", "Supported"
        INVESTIGATIONAL = "investigational", "Investigational"
        NOT_SUPPORTED = "not_supported", "Not supported"
        CONTRAINDICATED = "contraindicated", "Contraindicated"

    class Certainty(models.TextChoices):
        HIGH = "high", "High"
        MODERATE = "moderate", "Moderate"
        LOW = "low", "Low"
        VERY_LOW = "very_low", "Very low"

    therapy = models.ForeignKey(
        "therapies.Therapy", on_delete=models.PROTECT, related_name="verdicts"
    )
    condition = models.ForeignKey(Condition, on_delete=models.PROTECT, related_name="verdicts")
    status = models.CharField(max_length=20, choices=Status.choices)
    certainty = models.CharField(max_length=10, choices=Certainty.choices)
    certainty_override_reason = models.TextField(
        blank=True,
        help_text=(
            "Why the certainty is higher than the lowest certainty among the critical "
            "outcomes (GRADE). Required for such an override; shown beside the certainty."
        ),
    )
    summary = models.TextField(help_text="One paragraph a clinician can read in a minute.")
    key_takeaways = models.JSONField(default=list, blank=True)
    limitations = models.TextField(blank=True)
    mechanism_notes = models.TextField(blank=True)
    reviewed_on = models.DateField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    review_interval_months = models.PositiveSmallIntegerField(default=12)
    needs_review = models.BooleanField(default=False)
    review_reasons = models.JSONField(default=list, blank=True)
    review_note = models.TextField(blank=True, help_text="The reviewer's note at sign-off.")
    references = models.ManyToManyField(
        "references.Reference", through="VerdictReference", blank=True, related_name="verdicts"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = VerdictQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["condition", "therapy"]
        constraints = [
            models.UniqueConstraint(fields=["therapy", "condition"], name="one_verdict_per_pair")
        ]
        indexes = [models.Index(fields=["needs_review", "status"], name="verdict_review_idx")]
        permissions = [("signoff_verdict", "Can sign off a verdict's review")]

    def __str__(self) -> str:
        return f"{self.therapy} for {self.condition}"

    def save(self, *args, **kwargs):
        if getattr(self, "_is_published_copy", False):
            raise ValueError("A verdict read as published is not the draft: it is never saved.")
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("evidence:pair-detail", args=[self.condition.slug, self.therapy.slug])

    def as_published(self) -> "Verdict":
        """This verdict with its last published fields in place of the draft's, and
        ``published_number`` / ``published_at``; for reading only, never saved."""
        published = self.published
        loaded = set(PUBLISHED_VERDICT_FIELDS) - published.get_deferred_fields()
        for name in loaded:
            setattr(self, name, getattr(published, name))
        self.published_number = published.number
        self.published_at = published.published_at
        self._is_published_copy = True
        return self

    @property
    def review_due_on(self):
        """The day the next review falls due; None if the verdict was never reviewed."""
        return rules.review_due_on(
            reviewed_on=self.reviewed_on, interval_months=self.review_interval_months
        )

    @property
    def is_review_overdue(self) -> bool:
        return rules.is_overdue(
            reviewed_on=self.reviewed_on,
            interval_months=self.review_interval_months,
            today=timezone.localdate(),
        )


class VerdictReference(models.Model):
    """A source the verdict rests on besides its studies (background, prevalence, reviews)."""

    verdict = models.ForeignKey(Verdict, on_delete=models.CASCADE)
    reference = models.ForeignKey("references.Reference", on_delete=models.PROTECT)
    position = models.PositiveSmallIntegerField(default=0)
    claim = models.CharField(
        max_length=500, blank=True, help_text="What the verdict takes from this source."
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["verdict", "reference"], name="verdict_reference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.verdict_id} cites {self.reference_id}"


class OutcomeFinding(models.Model):
    """One row of a GRADE summary-of-findings table for a verdict, filled in by an editor."""

    class Importance(models.TextChoices):
        CRITICAL = "critical", "Critical"
        IMPORTANT = "important", "Important"
        NOT_IMPORTANT = "not_important", "Not important"

    class Concern(models.TextChoices):
        NOT_SERIOUS = "not_serious", "Not serious"
        SERIOUS = "serious", "Serious (−1)"
        VERY_SERIOUS = "very_serious", "Very serious (−2)"

    verdict = models.ForeignKey(Verdict, on_delete=models.CASCADE, related_name="findings")
    outcome = models.CharField(max_length=200)
    importance = models.CharField(
        max_length=16, choices=Importance.choices, default=Importance.CRITICAL
    )
    position = models.PositiveSmallIntegerField(default=0)
    studies_count = models.PositiveIntegerField("number of studies", default=0)
    participants = models.PositiveIntegerField(null=True, blank=True)
    relative_effect = models.CharField(
        max_length=200, blank=True, help_text="e.g. 'RR 0.80 (95% CI 0.62 to 1.03)'."
    )
    absolute_effect = models.CharField(
        max_length=300, blank=True, help_text="e.g. '40 fewer per 1,000 (from 76 fewer to 6 more)'."
    )
    certainty = models.CharField(max_length=10, choices=Verdict.Certainty.choices)
    risk_of_bias = models.CharField(
        max_length=16, choices=Concern.choices, default=Concern.NOT_SERIOUS
    )
    inconsistency = models.CharField(
        max_length=16, choices=Concern.choices, default=Concern.NOT_SERIOUS
    )
    indirectness = models.CharField(
        max_length=16, choices=Concern.choices, default=Concern.NOT_SERIOUS
    )
    imprecision = models.CharField(
        max_length=16, choices=Concern.choices, default=Concern.NOT_SERIOUS
    )
    publication_bias = models.CharField(
        max_length=16, choices=Concern.choices, default=Concern.NOT_SERIOUS
    )
    comment = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["verdict", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["verdict", "outcome"], name="finding_unique_outcome")
        ]

    def __str__(self) -> str:
        return f"{self.outcome} ({self.verdict})"
