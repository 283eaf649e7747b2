"""/api/v1/verdicts/: verdicts, each one's past versions and the references its page cites."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.conditional import conditional_response, latest
from config.api.schema import CONDITIONAL_PARAMETERS, NOT_MODIFIED
from evidence import selectors
from evidence.editorial.selectors import with_author_roles
from evidence.models import PublishedStudy, Study, Verdict
from evidence.services.verdicts import verdict_draft_update
from references.api import renderers
from references.api.bibliography import FORMAT_PARAMETER, bibliography_responses
from references.api.serializers import ReferenceBriefSerializer
from references.models import Reference

from .filters import VerdictFilter
from .history import verdict_versions
from .pagination import paginated_references
from .permissions import ObjectRulePermissions
from .publication import DRAFT, VERSION_PARAMETER, VerdictPublicationMixin, version_number
from .serializers import (
    VerdictDetailSerializer,
    VerdictDraftSerializer,
    VerdictListSerializer,
    VerdictVersionSerializer,
)
from .studies import STUDY_ORDER

DRAFT_BACKGROUND = Prefetch(
    "references",
    queryset=Reference.objects.order_by("verdictreference__position", "verdictreference__id"),
    to_attr="background_references",
)
VERDICT_LIST_FIELDS = (
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
    "published__number",
    "published__published_at",
    "published__status",
    "published__certainty",
    "published__certainty_override_reason",
)


@extend_schema_view(
    list=extend_schema(summary="List verdicts"),
    retrieve=extend_schema(
        summary="One verdict",
        description="With every study of its therapy for its condition and its background "
        "references.",
        parameters=[*CONDITIONAL_PARAMETERS, VERSION_PARAMETER],
        responses={200: VerdictDetailSerializer, 304: NOT_MODIFIED},
    ),
)
class VerdictViewSet(
    VerdictPublicationMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Reads give each verdict as last published (``?version=n`` an earlier one, whole;
    ``?version=draft`` the draft, to those who may change it); PATCH changes the draft."""

    filterset_class = VerdictFilter
    permission_classes = [ObjectRulePermissions]
    http_method_names = ["get", "patch", "post", "head", "options"]

    def get_queryset(self) -> QuerySet:
        if self.request.method == "PATCH" or self._wants_draft():
            queryset = Verdict.objects.all()
        else:
            queryset = Verdict.objects.published()
        queryset = queryset.select_related("therapy", "condition").order_by(
            "condition__name", "therapy__name", "id"
        )
        if self.action == "list":
            return queryset.only(*VERDICT_LIST_FIELDS)
        return queryset

    def _wants_draft(self) -> bool:
        return self.action == "retrieve" and self.request.query_params.get("version") == DRAFT

    def get_serializer_class(self):
        if self.request.method == "PATCH":
            return VerdictDraftSerializer
        return VerdictDetailSerializer if self.action == "retrieve" else VerdictListSerializer

    @extend_schema(
        summary="Change the verdict's draft",
        description="Editors of the verdict's condition. The public page and the read API "
        "keep showing the last published version until a reviewer publishes the draft.",
        request=VerdictDraftSerializer,
        responses={200: VerdictDetailSerializer},
    )
    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        verdict = self.get_object()
        serializer = VerdictDraftSerializer(verdict, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        try:
            verdict = verdict_draft_update(
                verdict=verdict, user=request.user, **serializer.validated_data
            )
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict) from error
        return Response(self._draft_detail(verdict))

    def _draft_detail(self, verdict: Verdict) -> dict:
        verdict = (
            Verdict.objects.select_related("therapy", "condition")
            .prefetch_related(DRAFT_BACKGROUND)
            .get(pk=verdict.pk)
        )
        verdict.pair_studies = list(
            Study.objects.filter(therapy_id=verdict.therapy_id, condition_id=verdict.condition_id)
            .select_related("reference", "therapy", "condition")
            .order_by(*STUDY_ORDER)
        )
        context = self.get_serializer_context()
        return VerdictDetailSerializer(verdict, context=context).data

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        wanted = request.query_params.get("version")
        if wanted == DRAFT:
            verdict = self.get_object()
            if not request.user.has_perm("evidence.change_verdict", verdict):
                raise NotFound("Only editors of the verdict's condition may read its draft.")
            return Response(self._draft_detail(verdict))
        if wanted not in (None, ""):
            return self._version_detail(request, kwargs["pk"], version_number(wanted))
        verdict = self.get_object()
        lists = selectors.published_lists(verdict)
        verdict.background_references = [link.reference for link in lists.background]
        verdict.pair_studies = list(
            PublishedStudy.objects.filter(
                therapy_id=verdict.therapy_id, condition_id=verdict.condition_id
            )
            .select_related("reference", "therapy", "condition")
            .order_by(*STUDY_ORDER)
        )
        data = self.get_serializer(verdict).data
        last_modified = latest(
            verdict.published_at,
            [reference.updated_at for reference in verdict.background_references],
            [study.reference.updated_at for study in verdict.pair_studies],
        )
        return conditional_response(request, data, last_modified=last_modified)

    @extend_schema(
        summary="The verdict's past versions",
        description="Every saved version, newest first: when, by which role (and, for "
        "signed-in staff who may view verdicts, which account), and each field that "
        "changed with its old and new value. Readers without that right see the saves up "
        "to the last publication (a draft's later edits are the editors'); a verdict never "
        "published is a 404 to them.",
        responses=VerdictVersionSerializer(many=True),
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request: Request, pk: str) -> Response:
        verdict = get_object_or_404(Verdict.objects.select_related("published"), pk=pk)
        records = with_author_roles(verdict.history.select_related("history_user")).order_by(
            "-history_date", "-history_id"
        )
        user = request.user
        show_names = user.is_staff and user.has_perm("evidence.view_verdict", verdict)
        if not show_names:
            # Readers see the saves up to the last publication; what came after is a draft.
            published = getattr(verdict, "published", None)
            if published is None:
                raise NotFound("This verdict has not been published.")
            records = records.filter(history_date__lte=published.published_at)
        page = self.paginate_queryset(records)
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
        verdict = get_object_or_404(
            Verdict.objects.published().select_related("therapy", "condition"), pk=pk
        )
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
