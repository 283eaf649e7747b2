"""drf-spectacular's settings for the API's OpenAPI schema, imported by base.py.

A settings part of its own: a fixed description of the schema, read from no environment
variable, that would otherwise make base.py the longest module of the project package.
"""

SPECTACULAR_SETTINGS = {
    "TITLE": "Evidentia API",
    "DESCRIPTION": (
        "Structured, sourced evidence about therapies for conditions. Reads are open to "
        "anyone (rate-limited); writes need a token (POST /api/v1/auth/token/) of an editor "
        "with the model permission. Errors are JSON: "
        '{"error": {"code", "message", "fields"}}. See docs/api.md.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "status" / "kind" / "type" vocabulary; name each enum.
    "ENUM_NAME_OVERRIDES": {
        "VerdictStatusEnum": "evidence.models.Verdict.Status",
        "VerdictCertaintyEnum": "evidence.models.Verdict.Certainty",
        "RiskOfBiasEnum": "evidence.models.Study.RiskOfBias",
        "RetractionStatusEnum": "references.models.RetractionStatus",
        "NoticeTypeEnum": "references.models.ReferenceNotice.Type",
        "ImportJobStatusEnum": "references.models.ImportJob.Status",
        "ImportJobKindEnum": "references.models.ImportJob.Kind",
        "ImportItemStatusEnum": "references.models.ImportJobItem.Status",
        "RegulatoryStatusEnum": "therapies.models.RegulatoryStatus.Status",
        "ContraindicationKindEnum": "therapies.models.Contraindication.Kind",
        "GuidelinePositionEnum": "evidence.models.GuidelinePosition.Position",
        "DesignEnum": "evidence.models.Design",
        "CandidateStatusEnum": "evidence.models.Candidate.Status",
        "ExclusionReasonEnum": "evidence.models.Candidate.ExclusionReason",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.schema.add_error_responses",
    ],
}
