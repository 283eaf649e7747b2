"""Therapies and what is known about their formulations and safety."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from simple_history.models import HistoricalRecords


class Therapy(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=200, unique=True)
    drug_class = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    aliases = models.JSONField(
        default=list,
        blank=True,
        help_text="Other names, e.g. IVIG, IVIg, intravenous immunoglobulin.",
    )
    cost_and_supply_note = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "therapies"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("therapies:therapy-detail", args=[self.slug])


class Formulation(models.Model):
    class Stabiliser(models.TextChoices):
        SUCROSE = "sucrose", "Sucrose"
        SORBITOL = "sorbitol", "Sorbitol"
        GLYCINE = "glycine", "Glycine"
        PROLINE = "proline", "Proline"
        MALTOSE = "maltose", "Maltose"
        GLUCOSE = "glucose", "Glucose"
        ALBUMIN = "albumin", "Albumin"
        OTHER = "other", "Other"
        NONE = "none", "None"

    class Route(models.TextChoices):
        INTRAVENOUS = "intravenous", "Intravenous"
        SUBCUTANEOUS = "subcutaneous", "Subcutaneous"

    therapy = models.ForeignKey(Therapy, on_delete=models.CASCADE, related_name="formulations")
    # Blank when a source names a kind of product (e.g. "sucrose-stabilised") but no brand.
    brand = models.CharField(max_length=200, blank=True)
    manufacturer = models.CharField(max_length=200, blank=True)
    stabiliser = models.CharField(max_length=16, choices=Stabiliser.choices, blank=True)
    iga_content = models.CharField(
        "IgA content", max_length=100, blank=True, help_text="As labelled, e.g. '< 2 µg/mL'."
    )
    route = models.CharField(max_length=16, choices=Route.choices, default=Route.INTRAVENOUS)
    notes = models.TextField(blank=True)
    references = models.ManyToManyField(
        "references.Reference",
        through="FormulationReference",
        blank=True,
        related_name="formulations",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["therapy", "brand", "stabiliser"]
        constraints = [
            models.UniqueConstraint(
                fields=["therapy", "brand"],
                condition=~Q(brand=""),
                name="formulation_unique_brand",
            ),
            models.UniqueConstraint(
                fields=["therapy", "stabiliser", "route"],
                condition=Q(brand=""),
                name="formulation_unique_unbranded_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.therapy})"

    @property
    def label(self) -> str:
        """The brand, or the kind of product when the source names no brand."""
        if self.brand:
            return self.brand
        if self.stabiliser and self.stabiliser != self.Stabiliser.NONE:
            return f"{self.get_stabiliser_display()}-stabilised products"
        return "Unbranded product"


class FormulationReference(models.Model):
    formulation = models.ForeignKey(Formulation, on_delete=models.CASCADE)
    reference = models.ForeignKey("references.Reference", on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["formulation", "reference"], name="formulation_reference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.formulation_id} cites {self.reference_id}"


class AdverseEffect(models.Model):
    class Frequency(models.TextChoices):
        VERY_COMMON = "very_common", "Very common (≥1/10)"
        COMMON = "common", "Common (1/100 to 1/10)"
        UNCOMMON = "uncommon", "Uncommon (1/1,000 to 1/100)"
        RARE = "rare", "Rare (1/10,000 to 1/1,000)"
        VERY_RARE = "very_rare", "Very rare (<1/10,000)"
        UNKNOWN = "unknown", "Unknown"

    class Severity(models.TextChoices):
        # First, so that it sorts after every known severity (most severe first).
        UNKNOWN = "unknown", "Not reported"
        MILD = "mild", "Mild"
        MODERATE = "moderate", "Moderate"
        SERIOUS = "serious", "Serious"
        LIFE_THREATENING = "life_threatening", "Life-threatening"

    therapy = models.ForeignKey(Therapy, on_delete=models.CASCADE, related_name="adverse_effects")
    name = models.CharField(max_length=200)
    frequency = models.CharField(
        max_length=16, choices=Frequency.choices, default=Frequency.UNKNOWN
    )
    frequency_note = models.CharField(max_length=300, blank=True)
    severity = models.CharField(max_length=16, choices=Severity.choices, default=Severity.MODERATE)
    risk_factors = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True)
    references = models.ManyToManyField(
        "references.Reference",
        through="AdverseEffectReference",
        blank=True,
        related_name="adverse_effects",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["therapy", "name"]
        constraints = [
            models.UniqueConstraint(fields=["therapy", "name"], name="adverse_effect_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.therapy})"


class AdverseEffectReference(models.Model):
    adverse_effect = models.ForeignKey(AdverseEffect, on_delete=models.CASCADE)
    # PROTECT: a reference that backs a safety fact cannot be deleted.
    reference = models.ForeignKey("references.Reference", on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["adverse_effect", "reference"], name="adverse_effect_reference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.adverse_effect_id} cites {self.reference_id}"


class Contraindication(models.Model):
    class Kind(models.TextChoices):
        ABSOLUTE = "absolute", "Absolute"
        RELATIVE = "relative", "Relative (use with caution)"

    therapy = models.ForeignKey(Therapy, on_delete=models.CASCADE, related_name="contraindications")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.ABSOLUTE)
    reason = models.TextField()
    references = models.ManyToManyField(
        "references.Reference",
        through="ContraindicationReference",
        blank=True,
        related_name="contraindications",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["therapy", "name"]
        constraints = [
            models.UniqueConstraint(fields=["therapy", "name"], name="contraindication_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.therapy})"


class ContraindicationReference(models.Model):
    contraindication = models.ForeignKey(Contraindication, on_delete=models.CASCADE)
    reference = models.ForeignKey("references.Reference", on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contraindication", "reference"], name="contraindication_reference_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.contraindication_id} cites {self.reference_id}"


class RegulatoryStatus(models.Model):
    class Agency(models.TextChoices):
        FDA = "FDA", "FDA (United States)"
        EMA = "EMA", "EMA (European Union)"
        TGA = "TGA", "TGA (Australia)"
        MHRA = "MHRA", "MHRA (United Kingdom)"
        HEALTH_CANADA = "HC", "Health Canada"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        APPROVED = "approved", "Approved"
        OFF_LABEL = "off_label", "Off-label"
        NOT_APPROVED = "not_approved", "Not approved"

    therapy = models.ForeignKey(
        Therapy, on_delete=models.CASCADE, related_name="regulatory_statuses"
    )
    # Referenced by label so that this app never imports evidence (the layer above).
    condition = models.ForeignKey(
        "evidence.Condition", on_delete=models.CASCADE, related_name="regulatory_statuses"
    )
    agency = models.CharField(max_length=8, choices=Agency.choices)
    status = models.CharField(max_length=16, choices=Status.choices)
    date = models.DateField(null=True, blank=True)
    notes = models.CharField(max_length=500, blank=True)
    # Required by the services and the admin; nullable only for rows older than the rule.
    reference = models.ForeignKey(
        "references.Reference",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="regulatory_statuses",
        help_text="The source that states this status.",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["therapy", "condition", "agency"]
        verbose_name_plural = "regulatory statuses"
        constraints = [
            models.UniqueConstraint(
                fields=["therapy", "condition", "agency"], name="regulatory_status_unique"
            ),
            models.CheckConstraint(
                condition=Q(date__isnull=True) | Q(date__gte="1900-01-01"),
                name="regulatory_status_date_sane",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.therapy} for {self.condition}: {self.get_status_display()} ({self.agency})"
