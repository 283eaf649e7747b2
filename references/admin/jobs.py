"""Admin for import jobs: the "Import citations" page (the job's add page), a job's
progress, what failed and why, what was already in the library, and Retry."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from config.admin import ModelAdmin, TabularInline

from ..forms import ImportCitationsForm
from ..models import ImportJob, ImportJobItem
from ..services.jobs import (
    ALREADY_IN_LIBRARY,
    ImportRejected,
    import_job_can_retry,
    import_job_create_for_file,
    import_job_create_for_identifiers,
    import_job_retry,
)
from ..tasks import (
    QUEUE_RETRY_AFTER_SECONDS,
    QueueUnavailable,
    broker_check,
    enqueue_import_job,
    enqueue_import_jobs,
)


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


class AlreadyInLibraryInline(TabularInline):
    """Identifiers the library held already: each links to the reference it names."""

    model = ImportJobItem
    verbose_name = "identifier already in the library"
    verbose_name_plural = "already in the library (nothing to import; open the reference)"
    fields = ["line", "raw", "existing_reference"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(message=ALREADY_IN_LIBRARY, reference__isnull=False)
            .select_related("reference")
        )

    @admin.display(description="reference")
    def existing_reference(self, item):
        url = reverse("admin:references_reference_change", args=[item.reference_id])
        return format_html('<a href="{}">{}</a>', url, item.reference)

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
    inlines = [FailedItemInline, AlreadyInLibraryInline]
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

    def get_urls(self):
        retry = path(
            "<path:object_id>/retry/",
            self.admin_site.admin_view(self.retry_view),
            name="references_importjob_retry",
        )
        return [retry, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._visible_or_404(request, object_id)
        job = self.get_queryset(request).get(pk=object_id)
        extra_context = {
            **(extra_context or {}),
            "can_retry": self.has_add_permission(request)
            and request.user.has_perm("references.add_importjob", job)
            and import_job_can_retry(job=job),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def retry_view(self, request, object_id):
        """POST: the job's failed identifiers are asked again (services.jobs.retry)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        self._visible_or_404(request, object_id)
        if not self.has_add_permission(request):
            raise PermissionDenied
        try:
            broker_check()
            with transaction.atomic():
                job = import_job_retry(job_id=int(object_id), user=request.user)
                enqueue_import_job(job.pk)
        except (ImportRejected, QueueUnavailable) as exc:
            self.message_user(request, str(exc), messages.ERROR)
        else:
            self.message_user(
                request,
                f"Retrying job #{job.pk}: its failed identifiers are being asked again.",
                messages.SUCCESS,
            )
        return redirect("admin:references_importjob_change", object_id)

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
