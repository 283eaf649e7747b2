"""Studies: one cited paper's result for a therapy in a condition, with the vocabularies
of design and direction of effect."""

from django.db import models
from django.db.models import Case, F, Q, Value, When
from simple_history.models import HistoricalRecords

from references.models import RetractionStatus

from .conditions import Condition
from .verdicts import Verdict

# How much of a reference's title Study keeps to sort by: titles that agree this far are
# ordered by outcome and id instead, and the page index's entries stay small.
SORT_TITLE_LENGTH = 255


class Design(models.TextChoices):
    RCT = "rct", "Randomised controlled trial"
    NON_RANDOMISED = "non_randomised_trial", "Non-randomised controlled trial"
    COHORT = "cohort", "Cohort study"
    CASE_CONTROL = "case_control", "Case-control study"
    CASE_SERIES = "case_series", "Case series"
    CASE_REPORT = "case_report", "Case report"
    # A study of patients whose report does not say how it was designed.
    CLINICAL_STUDY = "clinical_study", "Clinical study (design not reported)"
    ANIMAL = "animal", "Animal study"
    IN_VITRO = "in_vitro", "In-vitro / mechanistic study"
    SYSTEMATIC_REVIEW = "systematic_review", "Systematic review"
    META_ANALYSIS = "meta_analysis", "Meta-analysis"
    NARRATIVE_REVIEW = "narrative_review", "Narrative review"
    GUIDELINE = "guideline", "Guideline"


class EvidenceGroup(models.TextChoices):
    """What kind of evidence a design gives: the headline counts are the human studies;
    reviews summarise other studies and preclinical work is not about patients."""

    HUMAN = "human", "Human studies"
    REVIEWS = "reviews", "Reviews and guidelines"
    PRECLINICAL = "preclinical", "Preclinical studies"


REVIEW_DESIGNS = (
    Design.SYSTEMATIC_REVIEW,
    Design.META_ANALYSIS,
    Design.NARRATIVE_REVIEW,
    Design.GUIDELINE,
)
PRECLINICAL_DESIGNS = (Design.ANIMAL, Design.IN_VITRO)


def evidence_group_of(design: str) -> str:
    if design in REVIEW_DESIGNS:
        return EvidenceGroup.REVIEWS
    if design in PRECLINICAL_DESIGNS:
        return EvidenceGroup.PRECLINICAL
    return EvidenceGroup.HUMAN


class Direction(models.TextChoices):
    BENEFIT = "benefit", "Benefit"
    NO_BENEFIT = "no_benefit", "No benefit"
    MIXED = "mixed", "Mixed"
    HARM = "harm", "Harm"
    UNCLEAR = "unclear", "Unclear"


class ExtractionSource(models.TextChoices):
    """Where a study's details (size, dose, comparator, result) were read."""

    SEED_ARTICLE = "seed_article", "the article that cites it"
    ABSTRACT = "abstract", "its abstract"
    FULL_TEXT = "full_text", "its full text"
    EDITOR = "editor", "the editor's reading"


def study_flagged(*, through_reference: bool = False) -> Q:
    """The one definition of a flagged study: its reference is retracted, corrected or
    under an expression of concern.

    By default it reads Study's copy of the status (``reference_status``), which an index
    of this table answers without a join; ``through_reference`` reads the reference's own
    status instead, for the queries that join it anyway and must not trust a copy that a
    write around the services could have left behind.
    """
    field = "reference__retraction_status" if through_reference else "reference_status"
    return ~Q(**{field: RetractionStatus.NONE})


def pair_indexes(prefix: str) -> list[models.Index]:
    """The indexes a table of studies needs for counts by pair and condition, and for the
    pair page (a page of 50 in evidence.selectors.pair.STUDY_ORDER, and its flagged
    studies); names begin with ``prefix``."""
    page_order = ["condition", "therapy", "reference_year", "reference_sort_title"]
    return [
        models.Index(fields=["therapy", "condition", "direction"], name=f"{prefix}_pair_idx"),
        models.Index(fields=["condition", "direction"], name=f"{prefix}_condition_idx"),
        models.Index(
            fields=[
                "condition",
                "therapy",
                "reference_year",
                "reference_sort_title",
                "outcome",
                "id",
            ],
            name=f"{prefix}_pair_order_idx",
        ),
        models.Index(
            fields=page_order, condition=study_flagged(), name=f"{prefix}_pair_flagged_idx"
        ),
    ]


class StudyQuerySet(models.QuerySet):
    def flagged(self, *, through_reference: bool = False) -> "StudyQuerySet":
        return self.filter(study_flagged(through_reference=through_reference))


# What an editor extracts from a study's report, in reading order: the fields the API
# writes and the synthetic corpus fills, besides the study's place (reference, pair).
STUDY_EXTRACTED_FIELDS = (
    "design",
    "species",
    "participants",
    "population",
    "dose_regimen",
    "comparator",
    "follow_up",
    "outcome",
    "outcome_summary",
    "direction",
    "risk_of_bias",
    "effect_measure",
    "effect_size",
    "ci_lower",
    "ci_upper",
    "extraction_source",
    "extraction_note",
)


class StudyRecord(models.Model):
    """What a study reports, shared by the draft (Study) and its published copy
    (PublishedStudy): the extracted details and the copies of its reference. Foreign keys
    live on each concrete model, which names its own reverse relations."""

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

    design = models.CharField(max_length=24, choices=Design.choices)
    # Kept by the database from the design, so every count can group on it without
    # repeating the mapping, and no writer can get it wrong.
    evidence_group = models.GeneratedField(
        expression=Case(
            When(design__in=[str(d) for d in REVIEW_DESIGNS], then=Value("reviews")),
            When(design__in=[str(d) for d in PRECLINICAL_DESIGNS], then=Value("preclinical")),
            default=Value("human"),
        ),
        output_field=models.CharField(max_length=12, choices=EvidenceGroup.choices),
        db_persist=True,
    )
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
    extraction_source = models.CharField(
        max_length=16,
        choices=ExtractionSource.choices,
        default=ExtractionSource.EDITOR,
        help_text="Where the details above were read.",
    )
    extraction_note = models.CharField(max_length=300, blank=True)
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

    objects = StudyQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_flagged(self) -> bool:
        """Whether the cited reference is flagged (see study_flagged): from the reference
        when it is loaded, its own status beating the copy, else from the copy."""
        if type(self).reference.is_cached(self):
            return self.reference.retraction_status != RetractionStatus.NONE
        return self.reference_status != RetractionStatus.NONE


class Study(StudyRecord):
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
    extraction_reference = models.ForeignKey(
        "references.Reference",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="extracted_studies",
        help_text="The article the details were read in, when it is not the study's own report.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

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
            models.CheckConstraint(
                condition=~Q(extraction_source="seed_article")
                | Q(extraction_reference__isnull=False),
                name="study_seed_article_named",
                violation_error_message=(
                    "extraction_reference: name the article the details were read in when "
                    "extraction_source is seed_article."
                ),
            ),
            models.UniqueConstraint(
                fields=["reference", "therapy", "condition", "outcome"],
                name="study_unique_per_reference_pair_outcome",
            ),
        ]
        indexes = [
            *pair_indexes("study"),
            models.Index(fields=["design"], name="study_design_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_design_display()}: {self.reference}"
