"""Admin for references: search by identifier or title, retraction filters, locked fields."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Reference, ReferenceNotice, ReferenceSourceRecord


class ReferenceNoticeInline(admin.TabularInline):
    model = ReferenceNotice
    extra = 0
    fields = ["type", "doi", "pmid", "date", "source", "note"]


class ReferenceSourceRecordInline(admin.TabularInline):
    model = ReferenceSourceRecord
    extra = 0
    fields = ["source", "content_type", "fetched_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Reference)
class ReferenceAdmin(SimpleHistoryAdmin):
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


@admin.register(ReferenceNotice)
class ReferenceNoticeAdmin(admin.ModelAdmin):
    list_display = ["reference", "type", "doi", "pmid", "date", "source"]
    list_filter = ["type", "source"]
    search_fields = ["reference__title", "doi", "pmid", "reference__doi", "reference__pmid"]
    autocomplete_fields = ["reference"]
    list_select_related = ["reference"]
