"""Admin for the library: search by author, year, title or identifier, retraction
filters, locked fields, duplicates and their merge, refresh from upstream."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from config.admin import ModelAdmin, SimpleHistoryAdmin, TabularInline
from config.admin_lists import ListFieldsMixin

from ..forms import ReferenceAdminForm
from ..models import Reference, ReferenceNotice, ReferenceSourceRecord
from ..selectors import reference_duplicate_groups, reference_search_q
from ..services.combine import reference_merge
from ..services.jobs import refresh_job_create
from ..tasks import QueueUnavailable, broker_check, enqueue_import_job


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
class ReferenceAdmin(ListFieldsMixin, SimpleHistoryAdmin):
    form = ReferenceAdminForm
    list_fields = ("publication_types",)
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
    # What the search box and the autocomplete of every reference field match is the
    # selector's (author, year, title, journal, DOI, PMID, PMCID): get_search_results.
    search_fields = ["title", "doi", "pmid", "pmcid", "journal"]
    search_help_text = "Author, year, words of the title, journal, DOI, PMID or PMCID."
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

    def get_search_results(self, request, queryset, search_term):
        if not search_term.strip():
            return queryset, False
        return queryset.filter(reference_search_q(search_term)), False

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
