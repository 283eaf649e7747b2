"""/api/v1/verdicts/: verdicts, each one's past versions and the references its page cites."""

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.conditional import conditional_response, latest
from config.api.schema import CONDITIONAL_PARAMETERS, NOT_MODIFIED
from evidence import selectors
from evidence.editorial.selectors import with_author_roles
from evidence.models import Study, Verdict
from references.api import renderers
from references.api.bibliography import FORMAT_PARAMETER, bibliography_responses
from references.api.serializers import ReferenceBriefSerializer
from references.models import Reference

from .filters import VerdictFilter
from .history import verdict_versions
from .pagination import paginated_references
from .publication import VerdictPublicationMixin
from .serializers import VerdictDetailSerializer, VerdictListSerializer, VerdictVersionSerializer
from .studies import STUDY_ORDER


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
class VerdictViewSet(VerdictPublicationMixin, viewsets.ReadOnlyModelViewSet):
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
                "certainty_override_reason",
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
