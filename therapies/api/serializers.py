"""Representations of therapies: a light list row, and the detail with safety facts."""

from rest_framework import serializers

from references.api.serializers import ReferenceBriefSerializer
from therapies.models import (
    AdverseEffect,
    Contraindication,
    Formulation,
    RegulatoryStatus,
    Therapy,
)


class TherapyBriefSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(
        view_name="api:therapies:therapy-detail", lookup_field="slug"
    )

    class Meta:
        model = Therapy
        fields = ["slug", "name", "url"]


class TherapyListSerializer(TherapyBriefSerializer):
    aliases = serializers.ListField(child=serializers.CharField())

    class Meta(TherapyBriefSerializer.Meta):
        fields = [*TherapyBriefSerializer.Meta.fields, "drug_class", "aliases"]


class FormulationSerializer(serializers.ModelSerializer):
    label = serializers.CharField(
        read_only=True, help_text="The brand, or the kind of product when no brand is reported."
    )
    references = ReferenceBriefSerializer(many=True)

    class Meta:
        model = Formulation
        fields = [
            "label",
            "brand",
            "manufacturer",
            "stabiliser",
            "iga_content",
            "route",
            "notes",
            "references",
        ]


class AdverseEffectSerializer(serializers.ModelSerializer):
    references = ReferenceBriefSerializer(many=True)

    class Meta:
        model = AdverseEffect
        fields = [
            "name",
            "frequency",
            "frequency_note",
            "severity",
            "risk_factors",
            "notes",
            "references",
        ]


class ContraindicationSerializer(serializers.ModelSerializer):
    references = ReferenceBriefSerializer(many=True)

    class Meta:
        model = Contraindication
        fields = ["name", "kind", "reason", "references"]


class RegulatoryStatusSerializer(serializers.ModelSerializer):
    condition = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    condition_name = serializers.CharField(source="condition.name")
    reference = ReferenceBriefSerializer(allow_null=True)

    class Meta:
        model = RegulatoryStatus
        fields = ["condition", "condition_name", "agency", "status", "date", "notes", "reference"]


class TherapyDetailSerializer(TherapyListSerializer):
    """Built from therapies.selectors.therapy_safety plus the regulatory statuses."""

    formulations = FormulationSerializer(many=True, source="safety.formulations")
    adverse_effects = AdverseEffectSerializer(
        many=True,
        source="safety.adverse_effects",
        help_text="Most severe first.",
    )
    contraindications = ContraindicationSerializer(many=True, source="safety.contraindications")
    regulatory_statuses = RegulatoryStatusSerializer(many=True)

    class Meta(TherapyListSerializer.Meta):
        fields = [
            *TherapyListSerializer.Meta.fields,
            "description",
            "cost_and_supply_note",
            "formulations",
            "adverse_effects",
            "contraindications",
            "regulatory_statuses",
        ]
