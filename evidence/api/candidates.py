"""/api/v1/candidates/: the living-evidence triage queue, for editors.

Reading needs ``evidence.view_candidate``, deciding needs ``evidence.change_candidate``
(the Editor and Reviewer roles have both; the Viewer role may read): anonymous callers
get a 401. POST ``{id}/include/`` makes the record a study of the pair (and puts the
verdict up for review); POST ``{id}/exclude/`` with ``{"reason": ...}`` excludes it for
good. Both answer with the candidate as it now is.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from config.api.schema import ErrorSerializer
from evidence.editorial import triage
from evidence.models import Candidate, Design, Verdict
from evidence.permissions import scoped_queryset
from references.api.serializers import ReferenceBriefSerializer
from therapies.api.serializers import TherapyBriefSerializer

from .permissions import EditorialObjectPermissions
from .serializers import ConditionBriefSerializer


class AlreadyDecided(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "The candidate was decided the other way already."


# --- serializers --------------------------------------------------------------------------


class CandidateVerdictSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:evidence:verdict-detail")
    therapy = TherapyBriefSerializer()
    condition = ConditionBriefSerializer()

    class Meta:
        model = Verdict
        fields = ["id", "url", "therapy", "condition"]


class CandidateSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:evidence:candidate-detail")
    verdict = CandidateVerdictSerializer()
    reference = ReferenceBriefSerializer()
    abstract = serializers.CharField(source="reference.abstract")
    publication_types = serializers.ListField(
        source="reference.publication_types",
        child=serializers.CharField(),
        help_text="PubMed's publication types, from which suggested_design is derived.",
    )
    status = serializers.ChoiceField(choices=Candidate.Status.choices)
    suggested_design = serializers.ChoiceField(
        choices=Design.choices, allow_blank=True, help_text="Blank when PubMed suggests none."
    )
    exclusion_reason = serializers.ChoiceField(
        choices=Candidate.ExclusionReason.choices, allow_blank=True
    )
    study = serializers.HyperlinkedRelatedField(
        view_name="api:evidence:study-detail",
        read_only=True,
        allow_null=True,
        help_text="The study the candidate became, once included.",
    )

    class Meta:
        model = Candidate
        fields = [
            "id",
            "url",
            "verdict",
            "reference",
            "abstract",
            "publication_types",
            "suggested_design",
            "status",
            "exclusion_reason",
            "note",
            "study",
            "found_at",
            "decided_at",
        ]


class IncludeSerializer(serializers.Serializer):
    design = serializers.ChoiceField(
        choices=Design.choices,
        required=False,
        help_text="The study's design; defaults to suggested_design (needed when blank).",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ExcludeSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Candidate.ExclusionReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class CandidateFilter(filters.FilterSet):
    # An integer with bounds, so "-1.6e202" or 10**30 is a 400 rather than an overflow.
    verdict = filters.NumberFilter(
        field_name="verdict_id",
        help_text="A verdict's id.",
        min_value=1,
        max_value=2**63 - 1,
        decimal_places=0,
    )
    status = filters.ChoiceFilter(choices=Candidate.Status.choices)
    therapy = filters.CharFilter(field_name="verdict__therapy__slug", help_text="A therapy's slug.")
    condition = filters.CharFilter(
        field_name="verdict__condition__slug", help_text="A condition's slug."
    )

    class Meta:
        model = Candidate
        fields = ["verdict", "status", "therapy", "condition"]


# --- views --------------------------------------------------------------------------------

NEEDS_EDITOR = {
    401: OpenApiResponse(ErrorSerializer, description="Not authenticated."),
    403: OpenApiResponse(ErrorSerializer, description="Without evidence.view_candidate."),
}
DECIDED = OpenApiResponse(
    ErrorSerializer, description="Decided the other way already (code 'conflict')."
)


@extend_schema_view(
    list=extend_schema(
        summary="The triage queue",
        description="Records saved searches found for each verdict, newest first. Filter by "
        "verdict (id), status, therapy or condition (slugs). Needs evidence.view_candidate.",
        responses={200: CandidateSerializer(many=True), **NEEDS_EDITOR},
    ),
    retrieve=extend_schema(
        summary="One candidate", responses={200: CandidateSerializer, **NEEDS_EDITOR}
    ),
)
class CandidateViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CandidateSerializer
    filterset_class = CandidateFilter
    # Reading needs view_candidate, include / exclude (the only POSTs) change_candidate,
    # each on the candidate too: a limited editor sees and decides only their scope's.
    permission_classes = [EditorialObjectPermissions]
    queryset = Candidate.objects.all()

    def get_queryset(self) -> QuerySet:
        candidates = Candidate.objects.select_related(
            "reference", "verdict__therapy", "verdict__condition"
        ).order_by("-found_at", "-id")
        return scoped_queryset(candidates, self.request.user)

    def _answer(self, candidate: Candidate) -> Response:
        candidate = self.get_queryset().get(pk=candidate.pk)
        return Response(self.get_serializer(candidate).data)

    @extend_schema(
        summary="Include a candidate as a study",
        description="Creates a study of the verdict's pair for the record, with the given "
        "design (else the suggested one) and direction 'unclear' until an editor extracts "
        "its results, and puts the verdict up for review (reason new_study). Including an "
        "included candidate changes nothing. Needs evidence.change_candidate.",
        request=IncludeSerializer,
        responses={200: CandidateSerializer, 409: DECIDED},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def include(self, request: Request, pk: str) -> Response:
        candidate = self.get_object()
        body = IncludeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            candidate = triage.candidate_include(
                candidate=candidate,
                user=request.user,
                design=body.validated_data.get("design", ""),
                note=body.validated_data.get("note", ""),
            )
        except triage.CandidateAlreadyDecided as exc:
            raise AlreadyDecided(str(exc)) from exc
        except DjangoValidationError as exc:
            raise exceptions.ValidationError(exc.message_dict) from exc
        return self._answer(candidate)

    @extend_schema(
        summary="Exclude a candidate",
        description="Excludes the record for a reason; it is never queued again for this "
        "verdict. Needs evidence.change_candidate.",
        request=ExcludeSerializer,
        responses={200: CandidateSerializer, 409: DECIDED},
    )
    @action(detail=True, methods=["post"], filter_backends=[])
    def exclude(self, request: Request, pk: str) -> Response:
        candidate = self.get_object()
        body = ExcludeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            candidate = triage.candidate_exclude(
                candidate=candidate,
                user=request.user,
                reason=body.validated_data["reason"],
                note=body.validated_data.get("note", ""),
            )
        except triage.CandidateAlreadyDecided as exc:
            raise AlreadyDecided(str(exc)) from exc
        return self._answer(candidate)
