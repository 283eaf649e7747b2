"""/api/v1/studies/: studies, read by anyone and written by editors through the study services."""

from django.db.models import F, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.conditional import conditional_response, latest
from config.api.schema import CONDITIONAL_PARAMETERS, NOT_MODIFIED
from evidence import services
from evidence.models import PublishedStudy, Study, VerdictVersion
from evidence.permissions import with_changes

from .filters import StudyFilter
from .permissions import ObjectRulePermissions, require_may_save
from .publication import DRAFT, VERSION_PARAMETER, version_number
from .serializers import StudyDetailSerializer, StudyListSerializer, StudyWriteSerializer


def _study_in_version(pk: str, number: int) -> dict:
    """The study as version ``number`` of its pair held it: that version's row, whole."""
    if not (pk.isascii() and pk.isdigit() and len(pk) <= 18):
        raise NotFound("No such study.")
    verdict_id = (
        PublishedStudy.objects.filter(pk=pk).values_list("verdict_id", flat=True).first()
        or Study.objects.filter(pk=pk).values_list("verdict_id", flat=True).first()
    )
    version = VerdictVersion.objects.filter(verdict_id=verdict_id, number=number).first()
    row = next(
        (row for row in (version.content["studies"] if version else []) if row["id"] == int(pk)),
        None,
    )
    if row is None:
        raise NotFound(f"Version {number} of this study's pair does not hold it.")
    return {"version": number, "published_at": version.published_at, "study": row}


BRIEF_REFERENCE_FIELDS = ("id", "doi", "pmid", "title", "journal", "year", "retraction_status")
STUDY_ORDER = (F("reference__year").asc(nulls_last=True), "reference__title", "outcome", "id")


@extend_schema_view(
    list=extend_schema(summary="List studies"),
    retrieve=extend_schema(
        summary="One study",
        description="As its pair's last published version shows it; `?version=n`: as "
        "version n of its pair held it (`version`, `published_at` and the `study` row); "
        "`?version=draft`: the draft, for editors of its condition.",
        parameters=[*CONDITIONAL_PARAMETERS, VERSION_PARAMETER],
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
        # Reads give studies as last published; writes change the draft.
        model = PublishedStudy if self.request.method in SAFE_METHODS else Study
        queryset = model.objects.select_related("reference", "therapy", "condition")
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
                "extraction_source",
                "therapy__slug",
                "condition__slug",
                *(f"reference__{name}" for name in BRIEF_REFERENCE_FIELDS),
            ).order_by("condition__name", "therapy__name", *STUDY_ORDER)
        return queryset.select_related("extraction_reference").order_by("id")

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # The filters are the published list's; a write looks its draft study up by id.
        if self.request.method not in SAFE_METHODS:
            return queryset
        return super().filter_queryset(queryset)

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
        wanted = request.query_params.get("version")
        if wanted == DRAFT:
            return Response(self._draft(request, kwargs["pk"]))
        if wanted not in (None, ""):
            return Response(_study_in_version(kwargs["pk"], version_number(wanted)))
        study = self.get_object()
        data = self.get_serializer(study).data
        last_modified = latest(
            study.reference.updated_at,
            VerdictVersion.objects.filter(pk=study.version_id).values("published_at"),
        )
        return conditional_response(request, data, last_modified=last_modified)

    def _draft(self, request: Request, pk: str) -> dict:
        """The draft study, for those who may change it (404 for anyone else)."""
        study = (
            Study.objects.select_related(
                "reference", "therapy", "condition", "extraction_reference"
            )
            .filter(pk=pk if pk.isascii() and pk.isdigit() and len(pk) <= 18 else None)
            .first()
        )
        if study is None or not request.user.has_perm("evidence.change_study", study):
            raise NotFound("Only editors of the study's condition may read its draft.")
        return StudyDetailSerializer(study, context=self.get_serializer_context()).data

    def create(self, request: Request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        require_may_save(request.user, Study(**serializer.validated_data))
        study = services.study_create(**serializer.validated_data)
        response = self._detail(study, status=status.HTTP_201_CREATED)
        # The new study is the pair's draft until a reviewer publishes it: its address
        # reads the draft, for the editor who wrote it.
        response["Location"] = f"{response.data['url']}?version={DRAFT}"
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
