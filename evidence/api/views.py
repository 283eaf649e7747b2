"""API views for conditions (with the evidence summary), verdicts (with history) and studies."""

from django.db.models import F, Prefetch, Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.conditional import conditional_response, latest
from config.api.schema import CONDITIONAL_PARAMETERS, NOT_MODIFIED
from evidence import cache as page_cache
from evidence import selectors
from evidence.editorial.selectors import with_author_roles
from evidence.models import Condition, GuidelinePosition, Study, Verdict, VerdictReference
from evidence.permissions import with_changes
from references.api import renderers
from references.api.serializers import ReferenceBriefSerializer
from references.api.views import (
    FORMAT_PARAMETER,
    bibliography_responses,
    export_response,
    ordered_references,
)
from references.models import Reference
from therapies.api.views import SLUG_PATTERN

from . import services
from .filters import StudyFilter, VerdictFilter
from .history import verdict_versions
from .permissions import ObjectRulePermissions, require_may_save
from .serializers import (
    ConditionDetailSerializer,
    ConditionListSerializer,
    ConditionSummarySerializer,
    StudyDetailSerializer,
    StudyListSerializer,
    StudyWriteSerializer,
    VerdictDetailSerializer,
    VerdictListSerializer,
    VerdictVersionSerializer,
)

BRIEF_REFERENCE_FIELDS = ("id", "doi", "pmid", "title", "journal", "year", "retraction_status")
STUDY_ORDER = (F("reference__year").asc(nulls_last=True), "reference__title", "outcome", "id")


def paginated_references(view, references) -> Response:
    page = view.paginate_queryset(references)
    data = ReferenceBriefSerializer(page, many=True, context=view.get_serializer_context()).data
    return view.get_paginated_response(data)


# --- conditions ---------------------------------------------------------------------------


def condition_references(condition: Condition) -> QuerySet:
    """Everything the condition's evidence cites: studies, verdicts' background sources,
    guideline positions and the prevalence source."""
    # One IN over a UNION of the citing tables: PostgreSQL turns it into index lookups,
    # where an OR of three IN (subquery) conditions scans every reference.
    # (Each part unordered: SQLite refuses ORDER BY inside a compound statement.)
    cited = (
        Study.objects.filter(condition=condition)
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
        [verdict.updated_at for sub in summary.sub_conditions for verdict in sub.verdicts.all()],
        Condition.history.filter(Q(id=condition.pk) | Q(parent_id=condition.pk)).values(
            "history_date"
        ),
        Study.history.filter(condition_id=condition.pk).values("history_date"),
        GuidelinePosition.history.filter(condition_id=condition.pk).values("history_date"),
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
            cached = page_cache.cached_summary(self, request, kwargs.get("slug", ""))
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


# --- verdicts -----------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List verdicts"),
    retrieve=extend_schema(
        summary="One verdict",
        description="With every study of its therapy for its condition and its background "
        "references.",
        parameters=CONDITIONAL_PARAMETERS,
        responses={200: VerdictDetailSerializer, 304: NOT_MODIFIED},
    ),
)
class VerdictViewSet(viewsets.ReadOnlyModelViewSet):
    filterset_class = VerdictFilter

    def get_queryset(self) -> QuerySet:
        queryset = Verdict.objects.select_related("therapy", "condition").order_by(
            "condition__name", "therapy__name", "id"
        )
        if self.action == "retrieve":
            background = Prefetch(
                "references",
                queryset=Reference.objects.order_by(
                    "verdictreference__position", "verdictreference__id"
                ),
                to_attr="background_references",
            )
            return queryset.prefetch_related(background)
        if self.action == "list":
            return queryset.only(
                "id",
                "therapy",
                "condition",
                "therapy__slug",
                "therapy__name",
                "condition__slug",
                "condition__name",
                "status",
                "certainty",
                "needs_review",
                "reviewed_on",
                "updated_at",
            )
        return queryset

    def get_serializer_class(self):
        return VerdictDetailSerializer if self.action == "retrieve" else VerdictListSerializer

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        verdict = self.get_object()
        verdict.pair_studies = list(
            Study.objects.filter(therapy_id=verdict.therapy_id, condition_id=verdict.condition_id)
            .select_related("reference", "therapy", "condition")
            .order_by(*STUDY_ORDER)
        )
        data = self.get_serializer(verdict).data
        last_modified = latest(
            verdict.updated_at,
            [reference.updated_at for reference in verdict.background_references],
            [study.reference.updated_at for study in verdict.pair_studies],
            Study.history.filter(
                therapy_id=verdict.therapy_id, condition_id=verdict.condition_id
            ).values("history_date"),
        )
        return conditional_response(request, data, last_modified=last_modified)

    @extend_schema(
        summary="The verdict's past versions",
        description="Every saved version, newest first: when, by which role (and, for "
        "signed-in staff who may view verdicts, which account), and each field that "
        "changed with its old and new value.",
        responses=VerdictVersionSerializer(many=True),
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request: Request, pk: str) -> Response:
        verdict = get_object_or_404(Verdict, pk=pk)
        records = with_author_roles(verdict.history.select_related("history_user")).order_by(
            "-history_date", "-history_id"
        )
        page = self.paginate_queryset(records)
        user = request.user
        show_names = user.is_staff and user.has_perm("evidence.view_verdict", verdict)
        versions = verdict_versions(page, all_records=records, show_names=show_names)
        data = VerdictVersionSerializer(versions, many=True)
        return self.get_paginated_response(data.data)

    @extend_schema(
        summary="The verdict's references",
        description="Every reference the therapy-for-condition page cites, numbered in the "
        "order the page first cites them (background, studies, guideline positions, "
        "safety). JSON is paginated; RIS / BibTeX / CSL-JSON export them all.",
        parameters=[FORMAT_PARAMETER],
        responses=bibliography_responses(ReferenceBriefSerializer(many=True)),
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        renderer_classes=renderers.BIBLIOGRAPHY_RENDERERS,
    )
    def references(self, request: Request, pk: str) -> Response:
        verdict = get_object_or_404(Verdict.objects.select_related("therapy", "condition"), pk=pk)
        numbered = selectors.pair_references(
            condition_slug=verdict.condition.slug, therapy_slug=verdict.therapy.slug
        )
        references = [item.reference for item in numbered]
        renderer = renderers.export_renderer(request)
        if renderer:
            limit = renderers.export_max_references()
            if len(references) > limit:
                raise renderers.ExportTooLarge(
                    f"This verdict cites {len(references)} references; exports are limited "
                    f"to {limit}."
                )
            return Response(
                renderers.export_text(renderer, references),
                headers=renderers.attachment_headers(renderer, f"verdict-{verdict.pk}-references"),
            )
        return paginated_references(self, references)


# --- studies ------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(summary="List studies"),
    retrieve=extend_schema(
        summary="One study",
        parameters=CONDITIONAL_PARAMETERS,
        responses={200: StudyDetailSerializer, 304: NOT_MODIFIED},
    ),
    create=extend_schema(
        summary="Add a study",
        description="Needs evidence.add_study. The study is attached to the verdict of its "
        "therapy and condition, if there is one.",
        request=StudyWriteSerializer,
        responses={201: StudyDetailSerializer},
        parameters=[
            OpenApiParameter(
                "Location",
                OpenApiTypes.URI,
                OpenApiParameter.HEADER,
                response=[201],
                description="The new study.",
            )
        ],
    ),
    partial_update=extend_schema(
        summary="Change a study",
        description="Needs evidence.change_study. Moving it to another therapy or condition "
        "re-attaches it to that pair's verdict.",
        request=StudyWriteSerializer,
        responses={200: StudyDetailSerializer},
    ),
    destroy=extend_schema(summary="Delete a study", description="Needs evidence.delete_study."),
)
class StudyViewSet(viewsets.ModelViewSet):
    filterset_class = StudyFilter
    permission_classes = [ObjectRulePermissions]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet:
        queryset = Study.objects.select_related("reference", "therapy", "condition")
        if self.action == "list":
            return queryset.only(
                "id",
                "reference",
                "therapy",
                "condition",
                "verdict",
                "design",
                "species",
                "participants",
                "outcome",
                "direction",
                "risk_of_bias",
                "therapy__slug",
                "condition__slug",
                *(f"reference__{name}" for name in BRIEF_REFERENCE_FIELDS),
            ).order_by("condition__name", "therapy__name", *STUDY_ORDER)
        return queryset.order_by("id")

    def get_serializer_class(self):
        # The browsable API builds its forms with the request's method, not the action.
        if self.action in {"create", "partial_update"} or self.request.method in {"POST", "PATCH"}:
            return StudyWriteSerializer
        return StudyDetailSerializer if self.action == "retrieve" else StudyListSerializer

    def _detail(self, study: Study, **kwargs) -> Response:
        study = self.get_queryset().get(pk=study.pk)
        context = self.get_serializer_context()
        return Response(StudyDetailSerializer(study, context=context).data, **kwargs)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        study = self.get_object()
        data = self.get_serializer(study).data
        last_modified = latest(
            study.reference.updated_at,
            Study.history.filter(id=study.pk).values("history_date"),
        )
        return conditional_response(request, data, last_modified=last_modified)

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        require_may_save(request.user, Study(**serializer.validated_data))
        study = services.study_create(**serializer.validated_data)
        response = self._detail(study, status=status.HTTP_201_CREATED)
        response["Location"] = str(response.data["url"])
        return response

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        study = self.get_object()
        serializer = self.get_serializer(study, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changed = with_changes(study, serializer.validated_data)
        require_may_save(request.user, changed, original=study)
        study = services.study_update(study=study, **serializer.validated_data)
        return self._detail(study)

    def destroy(self, request: Request, *args, **kwargs) -> Response:
        services.study_delete(study=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
