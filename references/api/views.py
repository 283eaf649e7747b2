"""API views for references (read, filter, export) and import jobs (start, follow)."""

import logging

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.conditional import conditional_response, latest
from config.api.schema import CONDITIONAL_PARAMETERS, NOT_MODIFIED, ErrorSerializer
from config.middleware.unavailable import ServiceUnavailable
from references.identifiers import InvalidIdentifier, parse_identifier
from references.models import ImportJob, ImportJobItem, Reference, ReferenceNotice
from references.services.jobs import (
    ImportRejected,
    import_job_create_for_file,
    import_job_create_for_identifiers,
)
from references.tasks import (
    QUEUE_RETRY_AFTER_SECONDS,
    QueueUnavailable,
    broker_check,
    enqueue_import_job,
)

from . import renderers
from .bibliography import (
    FORMAT_PARAMETER,
    bibliography_responses,
    export_response,
    ordered_references,
)
from .filters import ReferenceFilter
from .serializers import (
    REFERENCE_LIST_FIELDS,
    ImportFileSerializer,
    ImportIdentifiersSerializer,
    ImportJobSerializer,
    ReferenceDetailSerializer,
    ReferenceListSerializer,
)

logger = logging.getLogger(__name__)


def reference_last_modified(reference: Reference):
    notices = reference.notices.all()
    return latest(reference.updated_at, (notice.created_at for notice in notices))


@extend_schema_view(
    list=extend_schema(
        summary="List references",
        description="Filtered, paginated references. With Accept (or ?format=) asking for RIS, "
        "BibTeX or CSL-JSON, every matching reference (not one page) is exported, up to "
        "API_EXPORT_MAX_REFERENCES (default 5000); past that the answer is a 400.",
        parameters=[FORMAT_PARAMETER],
        responses=bibliography_responses(ReferenceListSerializer(many=True)),
    ),
    retrieve=extend_schema(
        summary="One reference",
        parameters=[FORMAT_PARAMETER, *CONDITIONAL_PARAMETERS],
        responses=bibliography_responses(ReferenceDetailSerializer, conditional=True),
    ),
)
class ReferenceViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Reference.objects.all()
    filterset_class = ReferenceFilter
    renderer_classes = renderers.BIBLIOGRAPHY_RENDERERS

    def get_queryset(self) -> QuerySet:
        notices = Prefetch("notices", queryset=ReferenceNotice.objects.order_by("date", "id"))
        queryset = ordered_references(Reference.objects.all())
        if self.action == "list" and not renderers.export_renderer(self.request):
            return queryset.only(*REFERENCE_LIST_FIELDS).prefetch_related(notices)
        if self.action == "retrieve":
            return queryset.prefetch_related(notices)
        return queryset

    def get_serializer_class(self):
        return ReferenceListSerializer if self.action == "list" else ReferenceDetailSerializer

    def list(self, request: Request, *args, **kwargs) -> Response:
        if renderers.export_renderer(request):
            queryset = self.filter_queryset(self.get_queryset())
            return export_response(request, queryset, stem="references")
        return super().list(request, *args, **kwargs)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        reference = self.get_object()
        renderer = renderers.export_renderer(request)
        if renderer:
            data = renderers.export_text(renderer, [reference])
            headers = renderers.attachment_headers(renderer, f"reference-{reference.pk}")
        else:
            data = self.get_serializer(reference).data
            headers = None
        return conditional_response(
            request, data, last_modified=reference_last_modified(reference), headers=headers
        )


# --- import jobs --------------------------------------------------------------------------


class ImportJobPermissions(permissions.DjangoModelPermissions):
    """Starting a job needs references.add_importjob; reading one, view_importjob.

    Which jobs a reader sees at all is the model's rule (ImportJob.objects.visible_to):
    their own, or every job with references.view_all_importjobs; any other is a 404.
    """

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
    }


@extend_schema_view(
    create=extend_schema(
        summary="Start an import",
        description='Import references by identifier (JSON: {"identifiers": [...]}) or from '
        "a reference-manager file (multipart, field 'file'). Every identifier is checked "
        "first: if any is malformed the answer is a 400 naming each one, and no job is "
        "created. Otherwise the job is queued and the answer is 202 with its Location. "
        "A file is only stored by the request (an empty file, one over "
        "IMPORT_MAX_UPLOAD_BYTES, or one that is plainly not a reference export is a 400); "
        "the worker parses it (job status 'parsing', progress.total growing as records "
        "are read), records each bad record as a failed item with its line, and fails the "
        "job with an 'error' if the file cannot be read, holds no records or more than "
        "IMPORT_MAX_RECORDS.",
        request={
            "application/json": ImportIdentifiersSerializer,
            "multipart/form-data": ImportFileSerializer,
        },
        responses={
            202: OpenApiResponse(ImportJobSerializer, description="Queued; see Location."),
            400: OpenApiResponse(
                ErrorSerializer,
                description="Malformed identifiers (each named in error.fields, e.g. "
                "'identifiers.2'), an empty list, or a file that is empty, too large, or "
                "not a reference export.",
            ),
            503: OpenApiResponse(
                ErrorSerializer,
                description="The task queue is unavailable (code queue_unavailable): "
                "nothing was stored; try again after Retry-After seconds.",
            ),
        },
        parameters=[
            OpenApiParameter(
                "Location",
                OpenApiTypes.URI,
                OpenApiParameter.HEADER,
                response=[202],
                description="The job: imports/{id}/.",
            )
        ],
    ),
    retrieve=extend_schema(
        summary="Follow an import",
        description="Status, progress, counts and what became of each identifier. Only "
        "the job's creator, and users with references.view_all_importjobs, see a job; "
        "for anyone else it is a 404.",
        parameters=CONDITIONAL_PARAMETERS,
        responses={200: ImportJobSerializer, 304: NOT_MODIFIED},
    ),
)
class ImportJobViewSet(mixins.CreateModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = ImportJob.objects.all()
    serializer_class = ImportJobSerializer
    permission_classes = [ImportJobPermissions]
    parser_classes = [JSONParser, MultiPartParser]
    filter_backends: list = []

    def get_queryset(self) -> QuerySet:
        items = Prefetch("items", queryset=ImportJobItem.objects.order_by("position"))
        return ImportJob.objects.visible_to(self.request.user).prefetch_related(items)

    def create(self, request: Request, *args, **kwargs) -> Response:
        is_file = request.content_type.startswith("multipart/")
        serializer_class = ImportFileSerializer if is_file else ImportIdentifiersSerializer
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = None
        try:
            # Refused before anything is written when the queue is down; a publish that
            # fails anyway (the broker died meanwhile) deletes the job it was for.
            broker_check()
            with transaction.atomic():
                job = self._create_job(serializer.validated_data, is_file=is_file)
                enqueue_import_job(job.pk)
        except ImportRejected as exc:
            raise ValidationError({"file" if is_file else "identifiers": [str(exc)]}) from exc
        except QueueUnavailable as exc:
            raise ServiceUnavailable(
                str(exc), code="queue_unavailable", wait=QUEUE_RETRY_AFTER_SECONDS
            ) from exc
        except Exception:
            # Raised after the commit, by the hook that starts the task (with eager Celery
            # it runs the job in this request): the job exists and records its state.
            if job is None or not ImportJob.objects.filter(pk=job.pk).exists():
                raise
            logger.exception("import job %s was created but its task failed to start", job.pk)
        job = get_object_or_404(self.get_queryset(), pk=job.pk)
        data = self.get_serializer(job).data
        # str(): the serializer's url is a DRF Hyperlink, which wsgiref refuses as a header.
        headers = {"Location": str(data["url"])}
        return Response(data, status=status.HTTP_202_ACCEPTED, headers=headers)

    def retrieve(self, request: Request, *args, **kwargs) -> Response:
        job = self.get_object()
        data = self.get_serializer(job).data
        return conditional_response(request, data, last_modified=job.finished_at)

    def _create_job(self, data: dict, *, is_file: bool) -> ImportJob:
        user = self.request.user
        if is_file:
            upload = data["file"]
            return import_job_create_for_file(
                data=upload, filename=upload.name or "upload", user=user
            )
        _check_identifiers(data["identifiers"])
        job, _errors = import_job_create_for_identifiers(identifiers=data["identifiers"], user=user)
        return job


def _check_identifiers(identifiers: list[str]) -> None:
    """All or nothing: the API creates no job while any identifier is malformed."""
    errors = {}
    for index, raw in enumerate(identifiers):
        try:
            parse_identifier(raw)
        except InvalidIdentifier as exc:
            errors[str(index)] = [str(exc)]
    if errors:
        raise ValidationError({"identifiers": errors})
