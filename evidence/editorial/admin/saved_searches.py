"""Saved searches (run on a schedule or at once) and the log of the digests sent."""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.db.models import Count, Q
from django.utils.html import format_html

from config.admin import ModelAdmin, SimpleHistoryAdmin
from evidence.models import DigestLog, SavedSearch

from .common import UNTRIAGED, VerdictFilter, triage_url


@admin.register(SavedSearch)
class SavedSearchAdmin(SimpleHistoryAdmin):
    list_display = [
        "verdict",
        "query",
        "is_active",
        "last_run_at",
        "last_run_found",
        "untriaged_candidates",
        "has_error",
    ]
    list_filter = ["is_active", ("verdict", VerdictFilter)]
    search_fields = ["query", "verdict__therapy__name", "verdict__condition__name"]
    list_select_related = ["verdict__therapy", "verdict__condition"]
    autocomplete_fields = ["verdict"]
    readonly_fields = ["last_run_at", "last_run_found", "last_error", "created_at"]
    actions = ["run_selected"]

    def get_queryset(self, request):
        untriaged = Count(
            "verdict__candidates", filter=Q(verdict__candidates__status=UNTRIAGED), distinct=True
        )
        return super().get_queryset(request).annotate(untriaged=untriaged)

    @admin.display(description="untriaged", ordering="untriaged")
    def untriaged_candidates(self, search):
        return format_html('<a href="{}">{}</a>', triage_url(search.verdict_id), search.untriaged)

    @admin.display(description="failed", boolean=True)
    def has_error(self, search):
        return bool(search.last_error)

    @admin.action(description="Run selected searches now", permissions=["change"])
    def run_selected(self, request, queryset):
        from evidence.tasks import run_saved_searches

        ids = list(queryset.values_list("pk", flat=True))
        transaction.on_commit(lambda: run_saved_searches.delay(saved_search_ids=ids))
        self.message_user(
            request,
            format_html(
                '{} search(es) queued to run; new records will appear in <a href="{}">triage</a>.',
                len(ids),
                triage_url(),
            ),
        )


@admin.register(DigestLog)
class DigestLogAdmin(ModelAdmin):
    list_display = ["ran_at", "recipients", "verdict_count", "candidate_count"]
    readonly_fields = ["ran_at", "recipients", "verdict_count", "candidate_count", "review_state"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
