"""Representations of references and import jobs.

List serializers carry less than detail serializers: a list row has no abstract, sources
or publication types, so a page of 200 stays small and its query needs fewer columns.
"""

from rest_framework import serializers

from references.fields import (
    BRIEF_FIELDS,
    DETAIL_DESCRIPTION_FIELDS,
    EXPORT_FIELDS,
    IDENTIFIER_FIELDS,
    LIST_DESCRIPTION_FIELDS,
    LIST_FIELDS,
)
from references.models import ImportJob, ImportJobItem, Reference, ReferenceNotice, RetractionStatus
from references.services.jobs import MAX_IDENTIFIERS

AUTHOR_KEYS = ("family", "given", "initials", "suffix", "orcid", "collective")

REFERENCE_LIST_FIELDS = LIST_FIELDS
REFERENCE_EXPORT_FIELDS = EXPORT_FIELDS


class AuthorSerializer(serializers.Serializer):
    """One author; keys absent from the stored record are given as ""."""

    family = serializers.CharField()
    given = serializers.CharField()
    initials = serializers.CharField()
    suffix = serializers.CharField()
    orcid = serializers.CharField()
    collective = serializers.CharField(help_text="A group author's name; family is then empty.")

    def to_representation(self, instance):
        if not isinstance(instance, dict):
            instance = {"collective": instance}
        return {key: str(instance.get(key) or "") for key in AUTHOR_KEYS}


class NoticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReferenceNotice
        fields = ["type", "doi", "pmid", "date", "source"]


class RetractionSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        source="retraction_status",
        choices=RetractionStatus.choices,
        help_text="The most serious notice in force: retracted > expression of concern > "
        "corrected > none.",
    )
    notices = NoticeSerializer(many=True, help_text="Retraction, correction and concern notices.")


class ReferenceBriefSerializer(serializers.ModelSerializer):
    """A reference as cited from elsewhere (a study, a verdict, a safety fact)."""

    url = serializers.HyperlinkedIdentityField(view_name="api:references:reference-detail")
    retraction_status = serializers.ChoiceField(choices=RetractionStatus.choices)

    class Meta:
        model = Reference
        fields = ["id", "url", *(name for name in BRIEF_FIELDS if name != "id")]


class ReferenceListSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:references:reference-detail")
    authors = AuthorSerializer(many=True)
    retraction = RetractionSerializer(source="*")

    class Meta:
        model = Reference
        # "url" is this resource's address (the work's own is the detail's "web_url") and
        # "retraction" carries the status with its notices.
        fields = [
            "id",
            "url",
            *IDENTIFIER_FIELDS,
            *LIST_DESCRIPTION_FIELDS,
            "retraction",
            "last_refreshed",
        ]


class ReferenceDetailSerializer(ReferenceListSerializer):
    publication_types = serializers.ListField(child=serializers.CharField())
    web_url = serializers.CharField(source="url", help_text="The work's landing page, if known.")
    sources = serializers.DictField(
        child=serializers.CharField(),
        help_text='Which upstream supplied each field, e.g. {"title": "pubmed"}.',
    )

    class Meta(ReferenceListSerializer.Meta):
        fields = [
            *ReferenceListSerializer.Meta.fields,
            *("web_url" if name == "url" else name for name in DETAIL_DESCRIPTION_FIELDS),
            "sources",
            "created_at",
            "updated_at",
        ]


# --- import jobs --------------------------------------------------------------------------


class ImportIdentifiersSerializer(serializers.Serializer):
    identifiers = serializers.ListField(
        child=serializers.CharField(max_length=1000, allow_blank=True, trim_whitespace=False),
        allow_empty=False,
        max_length=MAX_IDENTIFIERS,
        help_text=f"DOIs, PMIDs or PMCIDs in any common form; at most {MAX_IDENTIFIERS}.",
    )


class ImportFileSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A reference-manager export: RIS, BibTeX, MEDLINE (.nbib) or CSL-JSON."
    )


class ImportJobItemSerializer(serializers.ModelSerializer):
    status = serializers.ChoiceField(choices=ImportJobItem.Status.choices)
    reference_id = serializers.IntegerField(allow_null=True)

    class Meta:
        model = ImportJobItem
        fields = ["position", "raw", "kind", "value", "line", "status", "message", "reference_id"]


class ImportProgressSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    processed = serializers.IntegerField()
    percent = serializers.IntegerField(source="progress_percent")


class ImportCountsSerializer(serializers.Serializer):
    created = serializers.IntegerField(source="created_count")
    updated = serializers.IntegerField(source="updated_count")
    unchanged = serializers.IntegerField(source="unchanged_count")
    failed = serializers.IntegerField(source="failed_count")


class ImportJobSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:references:importjob-detail")
    kind = serializers.ChoiceField(choices=ImportJob.Kind.choices)
    status = serializers.ChoiceField(choices=ImportJob.Status.choices)
    is_finished = serializers.BooleanField()
    progress = ImportProgressSerializer(source="*")
    counts = ImportCountsSerializer(source="*")
    items = ImportJobItemSerializer(
        many=True,
        help_text="What became of each identifier or file record (a file's records "
        "appear once the worker has read it).",
    )

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "url",
            "kind",
            "status",
            "is_finished",
            "progress",
            "counts",
            "error",
            "filename",
            "file_format",
            "created_at",
            "started_at",
            "finished_at",
            "items",
        ]
