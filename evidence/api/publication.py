"""/api/v1/verdicts/{id}/publish/ and /versions/: publishing a pair's draft and reading
its published versions (evidence.services.publication)."""

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.reverse import reverse

from evidence.models import Verdict, VerdictVersion
from evidence.services.publication import verdict_publish


class PublishSerializer(serializers.Serializer):
    note = serializers.CharField(
        help_text="What this version changes and why; how open review flags were handled.",
        trim_whitespace=True,
    )


class PublishedVersionSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = VerdictVersion
        fields = ["number", "url", "published_at", "note", "changes"]

    def get_url(self, version: VerdictVersion) -> str:
        return reverse(
            "api:evidence:verdict-version",
            args=[version.verdict_id, version.number],
            request=self.context.get("request"),
        )


class PublishedVersionDetailSerializer(PublishedVersionSerializer):
    class Meta(PublishedVersionSerializer.Meta):
        fields = [*PublishedVersionSerializer.Meta.fields, "handled_reasons", "content"]


def _versions(pk: str) -> QuerySet:
    verdict = get_object_or_404(Verdict.objects.only("id"), pk=pk)
    return VerdictVersion.objects.filter(verdict=verdict).defer("content")


DRAFT = "draft"
VERSION_PARAMETER = OpenApiParameter(
    "version",
    str,
    description="A published version's number (the record as that version held it), or "
    "`draft` for the draft (editors of its condition). Without it: the last published "
    "version.",
    required=False,
)


def version_number(value: str) -> int:
    """``?version=`` as a version number; a 400 naming the parameter otherwise."""
    if not value.isascii() or not value.isdigit() or len(value) > 9 or int(value) < 1:
        raise ValidationError(
            {"version": f"{value[:20]!r} is not a version: give a version number from 1."}
        )
    return int(value)


class VerdictPublicationMixin:
    """The publication actions of the verdicts' viewset."""

    def _version_detail(self, request: Request, pk: str, number: int) -> Response:
        # An id no row can have (not digits, or past a bigint) is simply not found.
        text = str(pk)
        version = (
            VerdictVersion.objects.filter(verdict_id=int(text), number=number).first()
            if text.isascii() and text.isdigit() and len(text) <= 18
            else None
        )
        if version is None:
            raise NotFound(f"This verdict has no published version {number}.")
        return Response(
            PublishedVersionDetailSerializer(version, context={"request": request}).data
        )

    @extend_schema(
        summary="Publish the verdict's draft",
        description="Reviewers of the verdict's condition only. The draft (the verdict, its "
        "studies, findings and guideline positions as they stand) becomes the next numbered "
        "version, and the verdict's review is signed off.",
        request=PublishSerializer,
        responses={201: PublishedVersionSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        filter_backends=[],
        permission_classes=[IsAuthenticated],
    )
    def publish(self, request: Request, pk: str) -> Response:
        verdict = get_object_or_404(Verdict, pk=pk)
        body = PublishSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        version = verdict_publish(
            verdict=verdict, user=request.user, note=body.validated_data["note"]
        )
        data = PublishedVersionSerializer(version, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED, headers={"Location": data["url"]})

    @extend_schema(
        summary="The verdict's published versions",
        description="Oldest first: number, date, the reviewer's note and what changed.",
        responses=PublishedVersionSerializer(many=True),
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def versions(self, request: Request, pk: str) -> Response:
        page = self.paginate_queryset(_versions(pk).order_by("number"))
        data = PublishedVersionSerializer(page, many=True, context={"request": request}).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="One published version, whole",
        description="The verdict, its background sources, findings, guideline positions "
        "and studies as they were published.",
        responses=PublishedVersionDetailSerializer,
    )
    @action(
        detail=True,
        methods=["get"],
        filter_backends=[],
        url_path=r"versions/(?P<number>[0-9]{1,9})",
        url_name="version",
    )
    def version(self, request: Request, pk: str, number: str) -> Response:
        return self._version_detail(request, pk, int(number))
