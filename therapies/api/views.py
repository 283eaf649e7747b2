"""API views for therapies: list, and one therapy with formulations and safety facts."""

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.conditional import conditional_response, latest
from config.api.lookups import SLUG_PATTERN
from config.api.schema import CONDITIONAL_PARAMETERS, NOT_MODIFIED
from therapies.models import (
    AdverseEffect,
    Contraindication,
    Formulation,
    RegulatoryStatus,
    Therapy,
)
from therapies.selectors import therapy_safety

from .serializers import TherapyDetailSerializer, TherapyListSerializer


def therapy_last_modified(therapy: Therapy):
    """Newest change to the therapy, its safety facts, statuses or their references."""
    safety = therapy.safety
    cited = [
        reference.updated_at
        for fact in (*safety.adverse_effects, *safety.contraindications, *safety.formulations)
        for reference in fact.references.all()
    ]
    cited += [
        status.reference.updated_at
        for status in therapy.regulatory_statuses.all()
        if status.reference is not None
    ]
    return latest(
        cited,
        Therapy.history.filter(id=therapy.pk).values("history_date"),
        Formulation.history.filter(therapy_id=therapy.pk).values("history_date"),
        AdverseEffect.history.filter(therapy_id=therapy.pk).values("history_date"),
        Contraindication.history.filter(therapy_id=therapy.pk).values("history_date"),
        RegulatoryStatus.history.filter(therapy_id=therapy.pk).values("history_date"),
    )


@extend_schema_view(
    list=extend_schema(summary="List therapies"),
    retrieve=extend_schema(
        summary="One therapy",
        description="Formulations, adverse effects (most severe first) and contraindications "
        "with the references behind them, and regulatory status per condition.",
        parameters=CONDITIONAL_PARAMETERS,
        responses={200: TherapyDetailSerializer, 304: NOT_MODIFIED},
    ),
)
class TherapyViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    filter_backends: list = []

    def get_queryset(self) -> QuerySet:
        if self.action == "retrieve":
            statuses = RegulatoryStatus.objects.select_related("condition", "reference").order_by(
                "condition__name", "agency"
            )
            return Therapy.objects.prefetch_related(
                Prefetch("regulatory_statuses", queryset=statuses)
            )
        return Therapy.objects.only("slug", "name", "drug_class", "aliases").order_by("name", "id")

    def get_serializer_class(self):
        return TherapyDetailSerializer if self.action == "retrieve" else TherapyListSerializer

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        therapy = self.get_object()
        therapy.safety = therapy_safety(therapy=therapy)
        data = self.get_serializer(therapy).data
        return conditional_response(request, data, last_modified=therapy_last_modified(therapy))
