"""/api/v1/conditions/: conditions, each one's evidence summary and the references it cites."""

from django.db.models import Prefetch, Q, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from config import page_cache
from config.api.conditional import conditional_response, latest
from config.api.lookups import SLUG_PATTERN
from config.api.schema import CONDITIONAL_PARAMETERS, NOT_MODIFIED
from evidence import selectors
from evidence.models import Condition, GuidelinePosition, PublishedStudy, VerdictReference
from references.api import renderers
from references.api.bibliography import (
    FORMAT_PARAMETER,
    bibliography_responses,
    export_response,
    ordered_references,
)
from references.api.serializers import ReferenceBriefSerializer
from references.models import Reference

from .pagination import paginated_references
from .serializers import (
    ConditionDetailSerializer,
    ConditionListSerializer,
    ConditionSummarySerializer,
)
from .summary_cache import cached_summary


def condition_references(condition: Condition) -> QuerySet:
    """Everything the condition's evidence cites: studies, verdicts' background sources,
    guideline positions and the prevalence source."""
    # One IN over a UNION of the citing tables: PostgreSQL turns it into index lookups,
    # where an OR of three IN (subquery) conditions scans every reference.
    # (Each part unordered: SQLite refuses ORDER BY inside a compound statement.)
    cited = (
        PublishedStudy.objects.filter(condition=condition)
        .order_by()
        .values("reference_id")
        .union(
            VerdictReference.objects.filter(verdict__condition=condition)
            .order_by()
            .values("reference_id"),
            GuidelinePosition.objects.filter(condition=condition, reference__isnull=False)
            .order_by()
            .values("reference_id"),
            Condition.objects.filter(pk=condition.pk, prevalence_reference__isnull=False)
            .order_by()
            .values("prevalence_reference_id"),
        )
    )
    return ordered_references(Reference.objects.filter(pk__in=cited))


def summary_last_modified(summary: selectors.ConditionSummary):
    condition = summary.condition
    return latest(
        [item.verdict.updated_at for item in summary.verdicts],
        [item.verdict.published_at for item in summary.verdicts],
        [verdict.updated_at for sub in summary.sub_conditions for verdict in sub.verdicts.all()],
        [verdict.published_at for sub in summary.sub_conditions for verdict in sub.verdicts.all()],
        Condition.history.filter(Q(id=condition.pk) | Q(parent_id=condition.pk)).values(
            "history_date"
        ),
        condition_references(condition).values("updated_at"),
    )


@extend_schema_view(
    list=extend_schema(summary="List conditions"),
    retrieve=extend_schema(
        summary="One condition",
        parameters=CONDITIONAL_PARAMETERS,
        responses={200: ConditionDetailSerializer, 304: NOT_MODIFIED},
    ),
)
class ConditionViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN
    filter_backends: list = []

    def get_queryset(self) -> QuerySet:
        queryset = Condition.objects.select_related("parent").order_by("name", "id")
        if self.action == "retrieve":
            children = Prefetch("children", queryset=Condition.objects.order_by("name", "id"))
            return queryset.select_related("prevalence_reference").prefetch_related(children)
        return queryset

    def get_serializer_class(self):
        return ConditionDetailSerializer if self.action == "retrieve" else ConditionListSerializer

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        condition = self.get_object()
        data = self.get_serializer(condition).data
        reference = condition.prevalence_reference
        last_modified = latest(
            reference.updated_at if reference else None,
            Condition.history.filter(Q(id=condition.pk) | Q(parent_id=condition.pk)).values(
                "history_date"
            ),
        )
        return conditional_response(request, data, last_modified=last_modified)

    @extend_schema(
        summary="The condition's evidence summary",
        description="What the condition page shows: each therapy with a verdict, its status, "
        "certainty and summary, its studies counted by direction of effect, guideline "
        "positions, review date and retraction warnings; and the sub-conditions' verdicts.",
        parameters=CONDITIONAL_PARAMETERS,
        responses={200: ConditionSummarySerializer, 304: NOT_MODIFIED},
    )
    @action(detail=True, methods=["get"])
    def summary(self, request: Request, slug: str) -> Response:
        summary = selectors.condition_evidence_summary(slug=slug)
        data = ConditionSummarySerializer(summary, context=self.get_serializer_context()).data
        last_modified = summary_last_modified(summary)
        response = conditional_response(request, data, last_modified=last_modified)
        found = getattr(request, "summary_cache_lookup", None)
        if found is not None and response.status_code == status.HTTP_200_OK:
            body = JSONRenderer().render(data, "application/json")
            stamp = int(last_modified.timestamp()) if last_modified else None
            found.store(page_cache.Entry(body, response["ETag"], "application/json", stamp))
        return response

    def dispatch(self, request, *args, **kwargs):
        # A cached summary skips DRF's request wrapping, serializer and renderer; its
        # throttles still apply.
        if self.action_map.get(request.method.lower()) == "summary":
            cached = cached_summary(self, request, kwargs.get("slug", ""))
            if cached is not None:
                return cached
        return super().dispatch(request, *args, **kwargs)

    @extend_schema(
        summary="The condition's references",
        description="Every reference the condition's evidence cites (studies, verdicts' "
        "background sources, guideline positions, prevalence), newest first. JSON is "
        "paginated; RIS / BibTeX / CSL-JSON export them all.",
        parameters=[FORMAT_PARAMETER],
        responses=bibliography_responses(ReferenceBriefSerializer(many=True)),
    )
    @action(detail=True, methods=["get"], renderer_classes=renderers.BIBLIOGRAPHY_RENDERERS)
    def references(self, request: Request, slug: str) -> Response:
        condition = get_object_or_404(Condition, slug=slug)
        references = condition_references(condition)
        if renderers.export_renderer(request):
            return export_response(request, references, stem=f"{condition.slug}-references")
        return paginated_references(self, references)
