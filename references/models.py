"""Bibliographic references (DOI / PMID / PMCID) and the notices that amend them."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower, Upper
from django.urls import reverse
from simple_history.models import HistoricalRecords

from references import stored_citations
from references.fingerprints import FINGERPRINT_MAX_LENGTH, fingerprint

# The fields a fingerprint is computed from (references.fingerprints).
FINGERPRINT_SOURCE_FIELDS = frozenset({"title", "year", "authors"})


class RetractionStatus(models.TextChoices):
    NONE = "none", "None"
    CORRECTED = "corrected", "Corrected"
    EXPRESSION_OF_CONCERN = "expression_of_concern", "Expression of concern"
    RETRACTED = "retracted", "Retracted"


def _shortened(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters between words, marked with an
    ellipsis: a title in a list or a heading never ends mid-word."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" ,;:.-") + "…"


class Reference(models.Model):
    """One published work. Identifiers are stored normalised (see references.identifiers)."""

    class Source(models.TextChoices):
        PUBMED = "pubmed", "PubMed"
        CROSSREF = "crossref", "Crossref"
        FILE = "file", "Imported file"
        MANUAL = "manual", "Entered by an editor"

    doi = models.CharField("DOI", max_length=255, unique=True, null=True, blank=True)
    pmid = models.CharField("PMID", max_length=12, unique=True, null=True, blank=True)
    pmcid = models.CharField("PMCID", max_length=16, unique=True, null=True, blank=True)
    title = models.TextField()
    # [{"family", "given", "initials", "suffix", "orcid", "collective"}] in author order.
    authors = models.JSONField(default=list, blank=True)
    journal = models.CharField(max_length=500, blank=True)
    journal_abbreviation = models.CharField(max_length=255, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    publication_date = models.CharField(
        max_length=40, blank=True, help_text="As precise as the source gives it, e.g. 1995-05."
    )
    volume = models.CharField(max_length=50, blank=True)
    issue = models.CharField(max_length=50, blank=True)
    pages = models.CharField(max_length=50, blank=True)
    abstract = models.TextField(blank=True)
    publication_types = models.JSONField(default=list, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    retraction_status = models.CharField(
        max_length=24, choices=RetractionStatus.choices, default=RetractionStatus.NONE
    )
    last_refreshed = models.DateTimeField(null=True, blank=True)
    # Which source supplied each field: {"title": "pubmed", "pages": "crossref", ...}.
    sources = models.JSONField(default=dict, blank=True)
    locked_fields = models.JSONField(
        default=list,
        blank=True,
        help_text="Fields an editor fixed; refreshes never overwrite them.",
    )
    # Title, year and first author normalised (references.fingerprints): how a record
    # without identifiers is recognised on its next import, and how duplicates are found.
    fingerprint = models.CharField(
        max_length=FINGERPRINT_MAX_LENGTH, blank=True, default="", editable=False
    )
    needs_enrichment = models.BooleanField(
        "waiting for enrichment",
        default=False,
        help_text=(
            "Stored from an imported file while PubMed or Crossref could not be reached; "
            "the next refresh fetches it."
        ),
    )
    # The citation in every offered style, {style key: HTML}, and a hash of what it was
    # made from (references.stored_citations): pages read it, no request runs citeproc.
    formatted = models.JSONField(default=dict, blank=True, editable=False)
    formatted_key = models.CharField(max_length=40, blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The stored citations are derived from the fields history keeps.
    history = HistoricalRecords(excluded_fields=list(stored_citations.FIELDS))

    class Meta:
        ordering = ["-year", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=1600, year__lte=2100),
                name="reference_year_sane",
            ),
            models.CheckConstraint(
                condition=Q(doi__isnull=True) | (~Q(doi="") & Q(doi=Lower("doi"))),
                name="reference_doi_normalised",
            ),
            models.CheckConstraint(
                condition=Q(pmid__isnull=True) | ~Q(pmid=""), name="reference_pmid_not_blank"
            ),
            models.CheckConstraint(
                condition=Q(pmcid__isnull=True) | (~Q(pmcid="") & Q(pmcid=Upper("pmcid"))),
                name="reference_pmcid_normalised",
            ),
        ]
        indexes = [
            models.Index(fields=["retraction_status"], name="reference_retraction_idx"),
            models.Index(fields=["last_refreshed"], name="reference_refreshed_idx"),
            models.Index(fields=["fingerprint"], name="reference_fingerprint_idx"),
            models.Index(
                fields=["needs_enrichment"],
                condition=Q(needs_enrichment=True),
                name="reference_enrichment_idx",
            ),
            # The citations left for references_format_pending (references.services.formatting).
            models.Index(
                fields=["id"], condition=Q(formatted_key=""), name="reference_unformatted_idx"
            ),
        ]

    def __str__(self) -> str:
        first = self.first_author_label
        year = f" {self.year}" if self.year else ""
        return (
            f"{first}{year}: {_shortened(self.title, 80)}" if first else _shortened(self.title, 100)
        )

    def save(self, *args, **kwargs):
        # Derived columns (the fingerprint, the stored citations), kept right by every path
        # that saves one reference (admin, history revert, merge); the bulk writers set them
        # with the same functions.
        self.fingerprint = self.computed_fingerprint()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and FINGERPRINT_SOURCE_FIELDS & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "fingerprint"}
        if update_fields is None:
            stored_citations.refresh_formatting(self)
        elif stored_citations.CITED_FIELDS & set(update_fields):
            if stored_citations.refresh_formatting(self):
                kwargs["update_fields"] = {*kwargs["update_fields"], *stored_citations.FIELDS}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("admin:references_reference_change", args=[self.pk])

    @property
    def first_author_label(self) -> str:
        if not self.authors:
            return ""
        first = self.authors[0]
        return first.get("collective") or first.get("family") or ""

    def computed_fingerprint(self) -> str:
        return fingerprint(title=self.title, year=self.year, authors=self.authors or [])

    @property
    def doi_url(self) -> str:
        return f"https://doi.org/{self.doi}" if self.doi else ""

    @property
    def pubmed_url(self) -> str:
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/" if self.pmid else ""

    @property
    def is_retracted(self) -> bool:
        return self.retraction_status == RetractionStatus.RETRACTED


class ReferenceNotice(models.Model):
    """A retraction, correction or expression of concern attached to a Reference.

    Notices are only ever added by refreshes, so a later answer that omits one never
    erases it.
    """

    class Type(models.TextChoices):
        RETRACTION = "retraction", "Retraction"
        CORRECTION = "correction", "Correction / erratum"
        EXPRESSION_OF_CONCERN = "expression_of_concern", "Expression of concern"
        RETRACTED_AND_REPUBLISHED = "retracted_and_republished", "Retracted and republished"
        UPDATE = "update", "Update"

    reference = models.ForeignKey(Reference, on_delete=models.CASCADE, related_name="notices")
    type = models.CharField(max_length=32, choices=Type.choices)
    doi = models.CharField("notice DOI", max_length=255, blank=True)
    pmid = models.CharField("notice PMID", max_length=12, blank=True)
    date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=64)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reference", "date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference", "type", "doi", "pmid"], name="notice_unique_per_reference"
            )
        ]

    def __str__(self) -> str:
        ident = self.doi or (f"PMID {self.pmid}" if self.pmid else "")
        return f"{self.get_type_display()} {ident}".strip()


class ReferenceSourceRecord(models.Model):
    """The raw upstream record behind a Reference, kept compressed for re-parsing."""

    reference = models.ForeignKey(
        Reference, on_delete=models.CASCADE, related_name="source_records"
    )
    source = models.CharField(max_length=16, choices=Reference.Source.choices)
    content_type = models.CharField(max_length=64)
    raw_gzip = models.BinaryField()
    # SHA-256 of the uncompressed record (raw_digest()): a refresh recognises an unchanged
    # record by comparing digests, without compressing the new one or reading the old one.
    raw_digest = models.CharField(max_length=64, blank=True, default="", editable=False)
    fetched_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reference", "source"], name="one_raw_record_per_source"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} record for reference {self.reference_id}"


def raw_digest(raw: bytes) -> str:
    """The digest ReferenceSourceRecord.raw_digest keeps of an uncompressed record."""
    return hashlib.sha256(raw).hexdigest()


# Held by no role by default; superusers have it as they have every permission.
VIEW_ALL_IMPORT_JOBS = "references.view_all_importjobs"


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user) -> models.QuerySet:
        """The jobs ``user`` may see: their own, or every job with the right to see all.

        The one ownership rule for import jobs, asked by the admin, the API and
        ImportJob.is_visible_to. Jobs the system started (created_by NULL, the periodic
        refresh) are seen only with the right.
        """
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.has_perm(VIEW_ALL_IMPORT_JOBS):
            return self
        return self.filter(created_by_id=user.pk)


class ImportJobItemQuerySet(models.QuerySet):
    def visible_to(self, user) -> models.QuerySet:
        """Items of the jobs ``user`` may see (ImportJobQuerySet.visible_to)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.has_perm(VIEW_ALL_IMPORT_JOBS):
            return self
        return self.filter(job__created_by_id=user.pk)


class ImportJob(models.Model):
    """A visible record of one import or refresh: what was asked, what happened to each.

    A file job is created with the upload and no items; the worker parses the file into
    items (status PARSING, ``total`` growing as they are written), then imports them.
    """

    class Kind(models.TextChoices):
        IDENTIFIERS = "identifiers", "Identifiers"
        FILE = "file", "File upload"
        REFRESH = "refresh", "Refresh"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PARSING = "parsing", "Reading the file"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        PARTIAL = "partial", "Finished with failures"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    filename = models.CharField(max_length=255, blank=True)
    file_format = models.CharField(max_length=16, blank=True)
    upload = models.BinaryField(blank=True, default=b"", editable=False)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    failed_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, help_text="Why the job as a whole failed, if it did.")
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        permissions = [("view_all_importjobs", "Can see every import job")]
        constraints = [
            models.CheckConstraint(
                condition=Q(processed__lte=F("total")), name="import_job_progress_bounded"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} job #{self.pk} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        return 100 if not self.total else round(100 * self.processed / self.total)

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.PARTIAL, self.Status.FAILED}

    def is_visible_to(self, user) -> bool:
        """May ``user`` see this job? The rule of ImportJobQuerySet.visible_to, for one job."""
        if not getattr(user, "is_authenticated", False):
            return False
        if self.created_by_id is not None and self.created_by_id == user.pk:
            return True
        return user.has_perm(VIEW_ALL_IMPORT_JOBS)


class ImportJobItem(models.Model):
    """One identifier (or one file record) of an ImportJob and what became of it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        CREATED = "created", "Created"
        UPDATED = "updated", "Updated"
        UNCHANGED = "unchanged", "Unchanged"
        FAILED = "failed", "Failed"

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    raw = models.CharField(max_length=1000, help_text="The identifier or record as given.")
    kind = models.CharField(max_length=8, blank=True)
    value = models.CharField(max_length=255, blank=True, help_text="Normalised identifier.")
    line = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    message = models.TextField(blank=True)
    reference = models.ForeignKey(
        Reference, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ImportJobItemQuerySet.as_manager()

    class Meta:
        ordering = ["job", "position"]
        constraints = [
            models.UniqueConstraint(fields=["job", "position"], name="import_item_position_unique")
        ]
        indexes = [models.Index(fields=["job", "status"], name="import_item_status_idx")]

    def __str__(self) -> str:
        return f"{self.raw}: {self.get_status_display()}"

    @property
    def summary(self) -> str:
        """What became of the item, said once: 'line 12 ("Effect of …" / Smith): reason'."""
        where = f"line {self.line}" if self.line else ""
        head = f"{where} ({self.raw})" if where and self.raw else (where or self.raw)
        if not self.message:
            return head
        return f"{head}: {self.message}" if head else self.message

    def is_visible_to(self, user) -> bool:
        """Items are seen with their job."""
        return self.job.is_visible_to(user)
