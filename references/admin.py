"""Admin for references: search by identifier or title, retraction filters, locked fields."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from config.admin import ModelAdmin, SimpleHistoryAdmin, TabularInline

from .forms import ImportCitationsForm, ReferenceAdminForm
from .models import ImportJob, ImportJobItem, Reference, ReferenceNotice, ReferenceSourceRecord
from .selectors import reference_duplicate_groups
from .services.combine import reference_merge
from .services.jobs import (
    ImportRejected,
    import_job_create_for_file,
    import_job_create_for_identifiers,
    refresh_job_create,
)
from .tasks import (
    QUEUE_RETRY_AFTER_SECONDS,
    QueueUnavailable,
    broker_check,
    enqueue_import_job,
    enqueue_import_jobs,
)


class MergeReferencesForm(forms.Form):
    survivor = forms.ModelChoiceField(queryset=Reference.objects.none(), label="keep")
    duplicate = forms.ModelChoiceField(queryset=Reference.objects.none(), label="merge into it")

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["survivor"].queryset = queryset
        self.fields["duplicate"].queryset = queryset

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("survivor") and cleaned.get("survivor") == cleaned.get("duplicate"):
            raise forms.ValidationError("Choose two different references.")
        return cleaned


class ReferenceNoticeInline(TabularInline):
    model = ReferenceNotice
    extra = 0
    fields = ["type", "doi", "pmid", "date", "source", "note"]


class ReferenceSourceRecordInline(TabularInline):
    model = ReferenceSourceRecord
    extra = 0
    fields = ["source", "content_type", "fetched_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Reference)
class ReferenceAdmin(SimpleHistoryAdmin):
    form = ReferenceAdminForm
    list_display = [
        "__str__",
        "doi",
        "pmid",
        "year",
        "journal",
        "retraction_status",
        "last_refreshed",
    ]
    list_filter = ["retraction_status", "year", "last_refreshed"]
    search_fields = ["title", "doi", "pmid", "pmcid", "journal"]
    readonly_fields = ["last_refreshed", "sources", "created_at", "updated_at"]
    inlines = [ReferenceNoticeInline, ReferenceSourceRecordInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["refresh_from_upstream"]
    fieldsets = [
        (None, {"fields": ["title", "authors", "journal", "journal_abbreviation"]}),
        ("Identifiers", {"fields": ["doi", "pmid", "pmcid", "url"]}),
        (
            "Publication",
            {
                "fields": [
                    "year",
                    "publication_date",
                    "volume",
                    "issue",
                    "pages",
                    "publication_types",
                ]
            },
        ),
        ("Abstract", {"fields": ["abstract"], "classes": ["collapse"]}),
        ("Status", {"fields": ["retraction_status", "locked_fields"]}),
        ("Provenance", {"fields": ["sources", "last_refreshed", "created_at", "updated_at"]}),
    ]

    change_list_template = "admin/references/reference/change_list.html"

    def get_urls(self):
        urls = [
            path(
                "duplicates/",
                self.admin_site.admin_view(self.duplicates_view),
                name="references_reference_duplicates",
            )
        ]
        return urls + super().get_urls()

    def duplicates_view(self, request):
        """Likely duplicates across the library; a POST merges two of them."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            return self._merge(request)
        context = {
            **self.admin_site.each_context(request),
            "title": "Likely duplicate references",
            "opts": self.model._meta,
            "groups": reference_duplicate_groups(),
            "can_merge": self.has_delete_permission(request),
        }
        return TemplateResponse(request, "admin/references/reference/duplicates.html", context)

    def _merge(self, request):
        # Merging deletes a reference: the door asks for both rights before reading the
        # form; the service asks the object rule about the two references themselves.
        if not self.has_delete_permission(request):
            raise PermissionDenied
        here = reverse("admin:references_reference_duplicates")
        form = MergeReferencesForm(request.POST, queryset=self.get_queryset(request))
        if not form.is_valid():
            errors = "; ".join(e for errors in form.errors.values() for e in errors)
            self.message_user(request, f"Nothing merged: {errors}", messages.ERROR)
            return redirect(here)
        survivor, duplicate = form.cleaned_data["survivor"], form.cleaned_data["duplicate"]
        result = reference_merge(survivor=survivor, duplicate=duplicate, user=request.user)
        moved = sum(result.moved.values())
        self.message_user(
            request,
            format_html(
                'Reference #{} merged into <a href="{}">{}</a>: {} citing row(s) moved, {} '
                "dropped as already present.",
                result.duplicate_id,
                reverse("admin:references_reference_change", args=[survivor.pk]),
                survivor,
                moved,
                sum(result.dropped.values()),
            ),
        )
        return redirect(here)

    @admin.action(description="Refresh from PubMed/Crossref", permissions=["change"])
    def refresh_from_upstream(self, request, queryset):
        try:
            job = self._start_refresh(request, queryset)
        except QueueUnavailable as exc:
            self.message_user(request, str(exc), messages.ERROR)
            return None
        if job is None:
            return None
        url = reverse("admin:references_importjob_change", args=[job.pk])
        self.message_user(
            request,
            format_html(
                'Refresh started for {} reference(s): <a href="{}">job #{}</a>.',
                job.total,
                url,
                job.pk,
            ),
        )
        return None

    def _start_refresh(self, request, queryset):
        broker_check()
        with transaction.atomic():
            job = refresh_job_create(
                reference_ids=list(queryset.values_list("pk", flat=True)), user=request.user
            )
            if job is None:
                self.message_user(
                    request,
                    "None of the selected references has a DOI, PMID or PMCID.",
                    messages.WARNING,
                )
                return None
            enqueue_import_job(job.pk)
        return job


@admin.register(ReferenceNotice)
class ReferenceNoticeAdmin(ModelAdmin):
    list_display = ["reference", "type", "doi", "pmid", "date", "source"]
    list_filter = ["type", "source"]
    search_fields = ["reference__title", "doi", "pmid", "reference__doi", "reference__pmid"]
    autocomplete_fields = ["reference"]
    list_select_related = ["reference"]


class FailedItemInline(TabularInline):
    model = ImportJobItem
    verbose_name = "failed item"
    verbose_name_plural = "failed items (line and reason)"
    fields = ["line", "raw", "message"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status=ImportJobItem.Status.FAILED)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (
            obj is None or obj.is_visible_to(request.user)
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class VisibleJobsMixin:
    """Pages of a job the user may not see are a 404, as for a job that does not exist,
    so an id reveals nothing; Django's own answer for a missing object (a redirect)
    would tell them apart. Which jobs a user sees is the object rule's (config.admin
    lists only those; ImportJob.objects.visible_to is the ownership fact it asks).
    """

    def _visible_or_404(self, request, object_id) -> None:
        try:
            visible = self.get_queryset(request).filter(pk=object_id).exists()
        except (ValueError, TypeError):
            visible = False
        if not visible:
            raise Http404(f"No {self.model._meta.verbose_name} matches the given query.")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._visible_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._visible_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._visible_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)


@admin.register(ImportJob)
class ImportJobAdmin(VisibleJobsMixin, ModelAdmin):
    """Jobs are started from the "Import citations" page (this model's add page)."""

    list_display = [
        "__str__",
        "kind",
        "status",
        "progress",
        "created_count",
        "updated_count",
        "unchanged_count",
        "failed_count",
        "created_by",
        "created_at",
    ]
    list_filter = ["kind", "status"]
    list_select_related = ["created_by"]
    readonly_fields = [
        "kind",
        "status",
        "progress",
        "created_by",
        "filename",
        "file_format",
        "total",
        "processed",
        "created_count",
        "updated_count",
        "unchanged_count",
        "failed_count",
        "error",
        "attempts",
        "created_at",
        "started_at",
        "finished_at",
        "all_items",
    ]
    exclude = ["upload"]
    inlines = [FailedItemInline]
    change_form_template = "admin/references/importjob/change_form.html"

    @admin.display(description="progress")
    def progress(self, job):
        if job.status in (ImportJob.Status.PENDING, ImportJob.Status.PARSING) and (
            job.kind == ImportJob.Kind.FILE
        ):
            return f"reading the file: {job.total} record(s) so far"
        return f"{job.processed} / {job.total} ({job.progress_percent}%)"

    @admin.display(description="items")
    def all_items(self, job):
        url = reverse("admin:references_importjobitem_changelist") + f"?job__id__exact={job.pk}"
        return format_html('<a href="{}">All {} items</a>', url, job.total)

    def has_change_permission(self, request, obj=None):
        return False

    def add_view(self, request, form_url="", extra_context=None):
        # This page replaces ModelAdmin's add view, and with it that view's permission check.
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportCitationsForm(request.POST or None, request.FILES or None)
        status = 200
        if request.method == "POST" and form.is_valid():
            try:
                broker_check()
                job = self._start_jobs(request, form)
            except ImportRejected as exc:
                form.add_error(None, str(exc))
            except QueueUnavailable as exc:
                # Nothing was stored (see enqueue_import_jobs): say so, keep the input.
                form.add_error(None, str(exc))
                status = 503
            else:
                self.message_user(
                    request,
                    f"Import queued as job #{job.pk}. This page shows its progress"
                    + (
                        "; the file is read by the worker, and any line it cannot use is "
                        "listed here."
                        if job.kind == ImportJob.Kind.FILE
                        else "."
                    ),
                    messages.SUCCESS,
                )
                return redirect("admin:references_importjob_change", job.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": "Import citations",
            "form": form,
            "opts": self.model._meta,
            "has_view_permission": self.has_view_permission(request),
            **(extra_context or {}),
        }
        response = TemplateResponse(
            request, "admin/references/importjob/import.html", context, status=status
        )
        if status == 503:
            response["Retry-After"] = str(QUEUE_RETRY_AFTER_SECONDS)
        return response

    @transaction.atomic
    def _start_jobs(self, request, form) -> ImportJob:
        jobs = []
        text = form.cleaned_data.get("identifiers", "")
        if text.strip():
            job, errors = import_job_create_for_identifiers(text=text, user=request.user)
            jobs.append(job)
            for error in errors:
                self.message_user(
                    request, f"line {error.line} ({error.raw}): {error.message}", messages.WARNING
                )
        upload = form.cleaned_data.get("file")
        if upload:
            jobs.append(
                import_job_create_for_file(data=upload, filename=upload.name, user=request.user)
            )
        enqueue_import_jobs([job.pk for job in jobs])
        return jobs[-1]


@admin.register(ImportJobItem)
class ImportJobItemAdmin(VisibleJobsMixin, ModelAdmin):
    list_display = ["job", "position", "line", "raw", "status", "message", "reference"]
    list_filter = ["status", "job__kind"]
    search_fields = ["raw", "value", "message"]
    list_select_related = ["job", "reference"]
    readonly_fields = [f.name for f in ImportJobItem._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
