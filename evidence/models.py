"""Conditions and the evidence about therapies for them: studies, guideline positions, verdicts."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from references.models import RetractionStatus

from .editorial import rules

# How much of a reference's title Study keeps to sort by: titles that agree this far are
# ordered by outcome and id instead, and the page index's entries stay small.
SORT_TITLE_LENGTH = 255


class Condition(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    synonyms = models.JSONField(default=list, blank=True)
    description = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    prevalence_note = models.TextField(blank=True)
    prevalence_reference = models.ForeignKey(
        "references.Reference",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(parent__isnull=True) | ~Q(parent=F("pk")),
                name="condition_not_own_parent",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("evidence:condition-detail", args=[self.slug])


class Design(models.TextChoices):
    RCT = "rct", "Randomised controlled trial"
    NON_RANDOMISED = "non_randomised_trial", "Non-randomised controlled trial"
    COHORT = "cohort", "Cohort study"
    CASE_CONTROL = "case_control", "Case-control study"
    CASE_SERIES = "case_series", "Case series"
    CASE_REPORT = "case_report", "Case report"
    ANIMAL = "animal", "Animal study"
    IN_VITRO = "in_vitro", "In-vitro / mechanistic study"
    SYSTEMATIC_REVIEW = "systematic_review", "Systematic review"
    META_ANALYSIS = "meta_analysis", "Meta-analysis"
    NARRATIVE_REVIEW = "narrative_review", "Narrative review"
    GUIDELINE = "guideline", "Guideline"


class Direction(models.TextChoices):
    BENEFIT = "benefit", "Benefit"
    NO_BENEFIT = "no_benefit", "No benefit"
    MIXED = "mixed", "Mixed"
    HARM = "harm", "Harm"
    UNCLEAR = "unclear", "Unclear"


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

    def get_absolute_url(self) -> str:
        return reverse("evidence:pair-detail", args=[self.condition.slug, self.therapy.slug])

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

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["verdict", "reference"], name="verdict_reference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.verdict_id} cites {self.reference_id}"


class Study(models.Model):
    class RiskOfBias(models.TextChoices):
        LOW = "low", "Low"
        SOME_CONCERNS = "some_concerns", "Some concerns"
        HIGH = "high", "High"
        UNCLEAR = "unclear", "Unclear"

    class EffectMeasure(models.TextChoices):
        RR = "RR", "Risk ratio"
        OR = "OR", "Odds ratio"
        HR = "HR", "Hazard ratio"
        RD = "RD", "Risk difference"
        MD = "MD", "Mean difference"
        SMD = "SMD", "Standardised mean difference"

    reference = models.ForeignKey(
        "references.Reference", on_delete=models.PROTECT, related_name="studies"
    )
    therapy = models.ForeignKey(
        "therapies.Therapy", on_delete=models.PROTECT, related_name="studies"
    )
    condition = models.ForeignKey(Condition, on_delete=models.PROTECT, related_name="studies")
    # The verdict of the same therapy x condition pair, when one exists; kept in step by
    # evidence.services so that editors can curate studies inline under a verdict.
    verdict = models.ForeignKey(
        Verdict, on_delete=models.SET_NULL, null=True, blank=True, related_name="studies"
    )
    design = models.CharField(max_length=24, choices=Design.choices)
    species = models.CharField(max_length=100, default="human")
    participants = models.IntegerField(null=True, blank=True)
    population = models.CharField(max_length=500, blank=True)
    dose_regimen = models.CharField("dose and regimen", max_length=500, blank=True)
    comparator = models.CharField(max_length=300, blank=True)
    follow_up = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(
        max_length=200, blank=True, help_text="The outcome the effect size measures."
    )
    outcome_summary = models.TextField()
    direction = models.CharField(max_length=12, choices=Direction.choices)
    risk_of_bias = models.CharField(
        max_length=16, choices=RiskOfBias.choices, default=RiskOfBias.UNCLEAR
    )
    effect_measure = models.CharField(max_length=4, choices=EffectMeasure.choices, blank=True)
    effect_size = models.FloatField(null=True, blank=True)
    ci_lower = models.FloatField("95% CI lower", null=True, blank=True)
    ci_upper = models.FloatField("95% CI upper", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Copies of the cited reference's year, title (a prefix) and retraction status, so
    # that a pair of 10,000 studies is paged and its flagged studies counted from an
    # index of this table instead of a join sorted whole. Kept by evidence.services
    # (study writes, and every change of a reference: evidence/receivers.py).
    reference_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    reference_sort_title = models.CharField(
        max_length=SORT_TITLE_LENGTH, blank=True, editable=False
    )
    reference_status = models.CharField(
        max_length=24,
        choices=RetractionStatus.choices,
        default=RetractionStatus.NONE,
        editable=False,
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["condition", "therapy", "id"]
        verbose_name_plural = "studies"
        constraints = [
            models.CheckConstraint(
                condition=Q(participants__isnull=True) | Q(participants__gte=0),
                name="study_participants_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(effect_size__isnull=True) | ~Q(effect_measure=""),
                name="study_effect_has_measure",
            ),
            models.CheckConstraint(
                condition=Q(ci_lower__isnull=True)
                | Q(ci_upper__isnull=True)
                | Q(ci_lower__lte=F("ci_upper")),
                name="study_ci_ordered",
            ),
            models.UniqueConstraint(
                fields=["reference", "therapy", "condition", "outcome"],
                name="study_unique_per_reference_pair_outcome",
            ),
        ]
        indexes = [
            models.Index(fields=["therapy", "condition", "direction"], name="study_pair_idx"),
            models.Index(fields=["condition", "direction"], name="study_condition_idx"),
            models.Index(fields=["design"], name="study_design_idx"),
            # The pair page: a page of 50 in STUDY_ORDER, and its flagged studies.
            models.Index(
                fields=[
                    "condition",
                    "therapy",
                    "reference_year",
                    "reference_sort_title",
                    "outcome",
                    "id",
                ],
                name="study_pair_order_idx",
            ),
            models.Index(
                fields=["condition", "therapy", "reference_year", "reference_sort_title"],
                condition=~Q(reference_status=RetractionStatus.NONE),
                name="study_pair_flagged_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_design_display()}: {self.reference}"


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


class SavedSearch(models.Model):
    """A PubMed query kept for a therapy x condition pair, run periodically for new studies."""

    verdict = models.ForeignKey(Verdict, on_delete=models.CASCADE, related_name="saved_searches")
    query = models.TextField()
    is_active = models.BooleanField(default=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_run_found = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, help_text="Why the last run failed, if it did.")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["verdict", "id"]
        verbose_name_plural = "saved searches"
        constraints = [
            models.UniqueConstraint(fields=["verdict", "query"], name="saved_search_unique_query")
        ]

    def __str__(self) -> str:
        return f"{self.verdict}: {self.query[:60]}"


class Candidate(models.Model):
    """A record a saved search found, waiting for an editor to include or exclude it.

    One row per verdict and reference, kept after the decision, so an excluded record
    never comes back.
    """

    class Status(models.TextChoices):
        UNTRIAGED = "untriaged", "Untriaged"
        INCLUDED = "included", "Included"
        EXCLUDED = "excluded", "Excluded"

    class ExclusionReason(models.TextChoices):
        NOT_RELEVANT = "not_relevant", "Not relevant to this therapy and condition"
        WRONG_POPULATION = "wrong_population", "Wrong population"
        WRONG_INTERVENTION = "wrong_intervention", "Wrong intervention"
        WRONG_DESIGN = "wrong_design", "Design not eligible"
        DUPLICATE = "duplicate", "Duplicate of an included study"
        NO_DATA = "no_data", "No usable outcome data"
        OTHER = "other", "Other"

    verdict = models.ForeignKey(Verdict, on_delete=models.CASCADE, related_name="candidates")
    reference = models.ForeignKey(
        "references.Reference", on_delete=models.PROTECT, related_name="candidates"
    )
    saved_search = models.ForeignKey(
        SavedSearch, on_delete=models.SET_NULL, null=True, blank=True, related_name="candidates"
    )
    suggested_design = models.CharField(max_length=24, choices=Design.choices, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UNTRIAGED)
    exclusion_reason = models.CharField(max_length=24, choices=ExclusionReason.choices, blank=True)
    note = models.TextField(blank=True)
    study = models.OneToOneField(
        Study, on_delete=models.SET_NULL, null=True, blank=True, related_name="candidate"
    )
    found_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["verdict", "-found_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["verdict", "reference"], name="candidate_once_per_pair"
            ),
            models.CheckConstraint(
                condition=~Q(status="excluded") | ~Q(exclusion_reason=""),
                name="candidate_exclusion_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["verdict", "status"], name="candidate_queue_idx")]

    def __str__(self) -> str:
        return f"{self.reference} for {self.verdict} ({self.get_status_display()})"


class DigestLog(models.Model):
    """One run of the reviewers' daily digest: when it ran and what it reported.

    ``review_state`` is what needed review at that moment, so that the next digest
    reports only what is new since; a run with nothing new is logged but sends nothing.
    """

    ran_at = models.DateTimeField(default=timezone.now, db_index=True)
    recipients = models.PositiveIntegerField(default=0)
    verdict_count = models.PositiveIntegerField("verdicts reported", default=0)
    candidate_count = models.PositiveIntegerField("new candidates reported", default=0)
    # ["<verdict id>|<reason code>|<reason message>", ...]
    review_state = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-ran_at", "-id"]
        get_latest_by = ["ran_at", "id"]

    def __str__(self) -> str:
        return f"Review digest of {self.ran_at:%Y-%m-%d %H:%M} ({self.recipients} recipients)"


class EditorScope(models.Model):
    """Limits an editor to some conditions (and their sub-conditions).

    An editor with no scope rows keeps global rights; with rows, they may change or delete
    only the verdicts, studies, guideline positions and outcome findings of those
    conditions. The rule itself lives in evidence.permissions.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="editor_scopes"
    )
    condition = models.ForeignKey(Condition, on_delete=models.CASCADE, related_name="editor_scopes")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "condition"], name="editor_scope_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} edits {self.condition}"
