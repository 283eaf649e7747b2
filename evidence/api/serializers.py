"""Representations of conditions, verdicts, studies and the condition evidence summary.

List serializers are lighter than detail ones; nested therapies, conditions and
references are brief forms with a link to their own detail.
"""

from rest_framework import serializers

from evidence.editorial.rules import ReasonCode
from evidence.models import STUDY_EXTRACTED_FIELDS, Condition, GuidelinePosition, Study, Verdict
from evidence.services.verdicts import DRAFT_FIELDS
from references.api.serializers import ReferenceBriefSerializer
from references.models import Reference
from therapies.api.serializers import TherapyBriefSerializer
from therapies.models import Therapy


class ConditionBriefSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:evidence:condition-detail", lookup_field="slug"
    )

    class Meta:
        model = Condition
        fields = ["slug", "name", "url"]


class ConditionListSerializer(ConditionBriefSerializer):
    synonyms = serializers.ListField(child=serializers.CharField())
    parent = ConditionBriefSerializer(
        allow_null=True, help_text="The broader condition this one is part of, if any."
    )

    class Meta(ConditionBriefSerializer.Meta):
        fields = [*ConditionBriefSerializer.Meta.fields, "synonyms", "parent"]


class ConditionHeaderSerializer(ConditionListSerializer):
    prevalence_reference = ReferenceBriefSerializer(allow_null=True)

    class Meta(ConditionListSerializer.Meta):
        fields = [
            *ConditionListSerializer.Meta.fields,
            "description",
            "prevalence_note",
            "prevalence_reference",
        ]


class ConditionDetailSerializer(ConditionHeaderSerializer):
    sub_conditions = ConditionBriefSerializer(many=True, source="children")
    summary_url = serializers.HyperlinkedIdentityField(
        view_name="api:evidence:condition-summary", lookup_field="slug"
    )
    references_url = serializers.HyperlinkedIdentityField(
        view_name="api:evidence:condition-references", lookup_field="slug"
    )

    class Meta(ConditionHeaderSerializer.Meta):
        fields = [
            *ConditionHeaderSerializer.Meta.fields,
            "sub_conditions",
            "summary_url",
            "references_url",
        ]


# --- studies ------------------------------------------------------------------------------


class StudyListSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:evidence:study-detail")
    therapy = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    condition = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    verdict = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="The verdict of the study's therapy and condition, if any."
    )
    reference = ReferenceBriefSerializer()

    class Meta:
        model = Study
        fields = [
            "id",
            "url",
            "therapy",
            "condition",
            "verdict",
            "reference",
            "design",
            "species",
            "participants",
            "outcome",
            "direction",
            "risk_of_bias",
            "extraction_source",
        ]
        extra_kwargs = {
            "extraction_source": {
                "help_text": "Where the study's details were read: seed_article (an article "
                "citing the study, named in extraction_reference), abstract, full_text, or "
                "editor (the editor's own reading)."
            }
        }


class StudyDetailSerializer(StudyListSerializer):
    therapy = TherapyBriefSerializer()
    condition = ConditionBriefSerializer()
    extraction_reference = ReferenceBriefSerializer(
        allow_null=True, help_text="The citing article the details come from, if any."
    )

    class Meta(StudyListSerializer.Meta):
        fields = [
            *StudyListSerializer.Meta.fields,
            "population",
            "dose_regimen",
            "comparator",
            "follow_up",
            "outcome_summary",
            "extraction_reference",
            "extraction_note",
            "effect_measure",
            "effect_size",
            "ci_lower",
            "ci_upper",
            "created_at",
        ]


class StudyWriteSerializer(serializers.ModelSerializer):
    """Input for POST and PATCH; the verdict is derived from (therapy, condition)."""

    reference = serializers.PrimaryKeyRelatedField(
        queryset=Reference.objects.all(), help_text="The id of the study's reference."
    )
    therapy = serializers.SlugRelatedField(slug_field="slug", queryset=Therapy.objects.all())
    condition = serializers.SlugRelatedField(slug_field="slug", queryset=Condition.objects.all())
    participants = serializers.IntegerField(min_value=0, allow_null=True, required=False)
    extraction_reference = serializers.PrimaryKeyRelatedField(
        queryset=Reference.objects.all(),
        allow_null=True,
        required=False,
        help_text="The id of the citing article the details were read in; required when "
        "extraction_source is seed_article.",
    )

    class Meta:
        model = Study
        fields = [
            "reference",
            "therapy",
            "condition",
            *STUDY_EXTRACTED_FIELDS,
            "extraction_reference",
        ]
        # Uniqueness and the check constraints are validated once, by the service.
        validators: list = []


# --- verdicts -----------------------------------------------------------------------------


class VerdictListSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:evidence:verdict-detail")
    version = serializers.IntegerField(
        source="published_number",
        default=None,
        read_only=True,
        help_text="The published version shown; null for a draft never published.",
    )
    published_at = serializers.DateTimeField(
        default=None, read_only=True, help_text="When the version shown was published."
    )
    therapy = TherapyBriefSerializer()
    condition = ConditionBriefSerializer()

    class Meta:
        model = Verdict
        fields = [
            "id",
            "url",
            "therapy",
            "condition",
            "status",
            "certainty",
            "certainty_override_reason",
            "needs_review",
            "reviewed_on",
            "updated_at",
            "version",
            "published_at",
        ]
        extra_kwargs = {
            "certainty_override_reason": {
                "help_text": (
                    "Why the certainty is above the lowest certainty among the verdict's "
                    "critical outcomes (GRADE); empty when it is not."
                )
            }
        }


class ReviewReasonSerializer(serializers.Serializer):
    """Why a verdict needs review (evidence.editorial.rules)."""

    code = serializers.ChoiceField(choices=ReasonCode.choices)
    message = serializers.CharField()
    at = serializers.DateField(help_text="The day the reason was raised.")


class VerdictDetailSerializer(VerdictListSerializer):
    key_takeaways = serializers.ListField(child=serializers.CharField())
    review_reasons = ReviewReasonSerializer(many=True)
    studies = StudyListSerializer(
        many=True,
        source="pair_studies",
        help_text="Every study of this therapy for this condition, oldest first.",
    )
    references = ReferenceBriefSerializer(
        many=True,
        source="background_references",
        help_text="Sources the verdict rests on besides its studies, in the editors' order.",
    )
    history_url = serializers.HyperlinkedIdentityField(view_name="api:evidence:verdict-history")
    references_url = serializers.HyperlinkedIdentityField(
        view_name="api:evidence:verdict-references"
    )

    class Meta(VerdictListSerializer.Meta):
        fields = [
            *VerdictListSerializer.Meta.fields,
            "summary",
            "key_takeaways",
            "limitations",
            "mechanism_notes",
            "review_interval_months",
            "review_reasons",
            "studies",
            "references",
            "history_url",
            "references_url",
        ]


class VerdictDraftSerializer(serializers.ModelSerializer):
    """What an editor may change of a verdict's draft (PATCH)."""

    key_takeaways = serializers.ListField(
        child=serializers.CharField(max_length=500), max_length=20, required=False
    )

    class Meta:
        model = Verdict
        fields = list(DRAFT_FIELDS)


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class VerdictVersionSerializer(serializers.Serializer):
    history_id = serializers.IntegerField()
    date = serializers.DateTimeField()
    role = serializers.CharField(
        help_text="Who saved it, as a role: Editor, Reviewer, or Editors / Automatic check "
        "for changes saved by no one signed in."
    )
    user = serializers.CharField(
        allow_null=True,
        help_text="The account that saved it: only for signed-in staff who may view "
        "verdicts; null for everyone else.",
    )
    type = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    change_reason = serializers.CharField(allow_null=True)
    changes = FieldChangeSerializer(
        many=True,
        help_text="Against the previous version; for the first, every field (old is null). "
        "Foreign keys are given as ids.",
    )


# --- the condition evidence summary (evidence.selectors.condition_evidence_summary) -------


class DirectionCountsSerializer(serializers.Serializer):
    benefit = serializers.IntegerField()
    no_benefit = serializers.IntegerField()
    mixed = serializers.IntegerField()
    harm = serializers.IntegerField()
    unclear = serializers.IntegerField()
    total = serializers.IntegerField()


class GroupedCountsSerializer(serializers.Serializer):
    """Reports (a reference's outcomes counted once) by kind of evidence and direction."""

    human = DirectionCountsSerializer(help_text="Human clinical studies: the headline.")
    reviews = DirectionCountsSerializer(
        help_text="Systematic and narrative reviews, meta-analyses and guidelines."
    )
    preclinical = DirectionCountsSerializer(help_text="Animal and in-vitro / mechanistic work.")


class GuidelinePositionSerializer(serializers.ModelSerializer):
    reference = ReferenceBriefSerializer(allow_null=True)

    class Meta:
        model = GuidelinePosition
        fields = ["issuing_body", "document", "year", "position", "summary", "reference"]


class RetractionWarningsSerializer(serializers.Serializer):
    cites_flagged_reference = serializers.BooleanField(
        help_text="True when a study's or background reference is retracted, corrected or "
        "under an expression of concern."
    )
    flagged_study_count = serializers.IntegerField()
    flagged_reference_count = serializers.IntegerField(
        help_text="Flagged background references of the verdict."
    )


class VerdictSummarySerializer(serializers.Serializer):
    verdict_id = serializers.IntegerField(source="verdict.id")
    verdict_url = serializers.HyperlinkedRelatedField(
        source="verdict", view_name="api:evidence:verdict-detail", read_only=True
    )
    therapy = TherapyBriefSerializer(source="verdict.therapy")
    status = serializers.ChoiceField(source="verdict.status", choices=Verdict.Status.choices)
    certainty = serializers.ChoiceField(
        source="verdict.certainty", choices=Verdict.Certainty.choices
    )
    certainty_override_reason = serializers.CharField(
        source="verdict.certainty_override_reason",
        help_text="Why the certainty is above the lowest among the critical outcomes; empty "
        "when it is not.",
    )
    summary = serializers.CharField(source="verdict.summary")
    reviewed_on = serializers.DateField(source="verdict.reviewed_on", allow_null=True)
    needs_review = serializers.BooleanField(source="verdict.needs_review")
    study_counts = DirectionCountsSerializer(
        source="direction_counts",
        help_text="Human clinical studies of this pair by direction of effect; a study "
        "reporting several outcomes counts once. Reviews and preclinical work are in "
        "study_counts_by_group.",
    )
    study_counts_by_group = GroupedCountsSerializer(source="grouped_counts")
    guideline_positions = GuidelinePositionSerializer(many=True)
    retraction_warnings = RetractionWarningsSerializer(source="*")


class SubConditionVerdictSerializer(serializers.ModelSerializer):
    therapy = TherapyBriefSerializer()
    study_counts_by_group = GroupedCountsSerializer(source="grouped_counts", read_only=True)

    class Meta:
        model = Verdict
        fields = ["id", "therapy", "status", "certainty", "study_counts_by_group"]


class SubConditionSerializer(ConditionBriefSerializer):
    verdicts = SubConditionVerdictSerializer(many=True)

    class Meta(ConditionBriefSerializer.Meta):
        fields = [*ConditionBriefSerializer.Meta.fields, "verdicts"]


class ConditionSummarySerializer(serializers.Serializer):
    condition = ConditionHeaderSerializer()
    last_reviewed_on = serializers.DateField(allow_null=True)
    therapies = VerdictSummarySerializer(many=True, source="verdicts")
    sub_conditions = SubConditionSerializer(many=True)
