"""The triage queue: each candidate record of a saved search, included as a study or
excluded."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from config.admin import ModelAdmin
from evidence.models import Candidate, Design

from .. import triage
from .common import UNTRIAGED, VerdictFilter, triage_url


def _message_outcome(modeladmin, request, outcome: triage.TriageOutcome, verb: str) -> None:
    if outcome.done:
        modeladmin.message_user(request, f"{len(outcome.done)} candidate(s) {verb}.")
    for candidate, reason in outcome.skipped:
        modeladmin.message_user(
            request, f"Not {verb}: {candidate.reference}: {reason}", messages.WARNING
        )


class CandidateForm(forms.ModelForm):
    class Meta:
        model = Candidate
        fields = ["suggested_design", "note"]


@admin.register(Candidate)
class CandidateAdmin(ModelAdmin):
    """The triage queue: read a record, then include it as a study or exclude it."""

    form = CandidateForm
    list_display = ["title", "pair", "year", "suggested_design", "state", "decide"]
    list_editable = ["suggested_design"]
    list_filter = [
        "status",
        ("verdict", VerdictFilter),
        "suggested_design",
        "exclusion_reason",
    ]
    search_fields = ["reference__title", "reference__pmid", "reference__doi", "note"]
    list_select_related = ["reference", "verdict__therapy", "verdict__condition"]
    list_per_page = 50
    ordering = ["-found_at", "id"]
    fields = [
        "verdict",
        "reference_details",
        "suggested_design",
        "note",
        "status",
        "exclusion_reason",
        "study",
        "saved_search",
        "found_at",
        "decided_at",
        "decided_by",
    ]
    readonly_fields = [
        "verdict",
        "reference_details",
        "status",
        "exclusion_reason",
        "study",
        "saved_search",
        "found_at",
        "decided_at",
        "decided_by",
    ]
    change_form_template = "admin/evidence/candidate/change_form.html"
    actions = ["include_selected"]

    def has_add_permission(self, request):
        return False  # saved searches add candidates

    def get_list_display(self, request):
        columns = super().get_list_display(request)
        if self.has_change_permission(request):
            return columns
        return [column for column in columns if column != "decide"]

    def has_delete_permission(self, request, obj=None):
        return False  # a deleted candidate could be queued again

    def get_urls(self):
        return [
            path(
                "<path:object_id>/include/",
                self.admin_site.admin_view(require_POST(self.include_view)),
                name="evidence_candidate_include",
            ),
            path(
                "<path:object_id>/exclude/",
                self.admin_site.admin_view(require_POST(self.exclude_view)),
                name="evidence_candidate_exclude",
            ),
            *super().get_urls(),
        ]

    def get_actions(self, request):
        actions = super().get_actions(request)
        if self.has_change_permission(request):
            for value, label in Candidate.ExclusionReason.choices:
                name = f"exclude_{value}"
                actions[name] = (self._exclude_action(value), name, f"Exclude: {label.lower()}")
        return actions

    @staticmethod
    def _exclude_action(reason: str):
        def action(modeladmin, request, queryset):
            outcome = triage.candidates_exclude(
                candidates=list(queryset), reason=reason, user=request.user
            )
            _message_outcome(modeladmin, request, outcome, "excluded")

        return action

    @admin.action(
        description="Include selected candidates as studies (with their suggested design)",
        permissions=["change"],
    )
    def include_selected(self, request, queryset):
        outcome = triage.candidates_include(candidates=list(queryset), user=request.user)
        _message_outcome(self, request, outcome, "included")

    # -- columns ------------------------------------------------------------------------
    @admin.display(description="record", ordering="reference__title")
    def title(self, candidate):
        reference = candidate.reference
        return format_html(
            '<a href="{}">{}</a>{}',
            reverse("admin:evidence_candidate_change", args=[candidate.pk]),
            reference.title[:160],
            format_html(" <small>PMID {}</small>", reference.pmid) if reference.pmid else "",
        )

    @admin.display(description="year", ordering="reference__year")
    def year(self, candidate):
        return candidate.reference.year or "—"

    @admin.display(description="for", ordering="verdict__condition__name")
    def pair(self, candidate):
        verdict = candidate.verdict
        return f"{verdict.condition.name} ({verdict.therapy.slug})"

    @admin.display(description="status", ordering="status")
    def state(self, candidate):
        if candidate.status == Candidate.Status.EXCLUDED:
            return f"Excluded: {candidate.exclusion_reason.replace('_', ' ')}"
        return candidate.get_status_display()

    @admin.display(description="decide")
    def decide(self, candidate):
        if candidate.status != UNTRIAGED:
            return (
                format_html(
                    '<a href="{}">study</a>',
                    reverse("admin:evidence_study_change", args=[candidate.study_id]),
                )
                if candidate.study_id
                else "—"
            )
        include = reverse("admin:evidence_candidate_include", args=[candidate.pk])
        exclude = reverse("admin:evidence_candidate_exclude", args=[candidate.pk])
        options = format_html_join(
            "",
            '<option value="{}" title="{}">{}</option>',
            (
                (value, label, value.replace("_", " "))
                for value, label in Candidate.ExclusionReason.choices
            ),
        )
        # Buttons of the changelist's own form, sent to the row's include / exclude URL.
        return format_html(
            '<button type="submit" class="button" formaction="{}" formmethod="post" '
            'name="candidate" value="{}">Include</button> '
            '<select name="reason_{}" aria-label="Reason to exclude">{}</select> '
            '<button type="submit" class="button" formaction="{}" formmethod="post" '
            'name="candidate" value="{}">Exclude</button>',
            include,
            candidate.pk,
            candidate.pk,
            options,
            exclude,
            candidate.pk,
        )

    @admin.display(description="record")
    def reference_details(self, candidate):
        reference = candidate.reference
        links = []
        if reference.pubmed_url:
            links.append(
                format_html('<a href="{}">PubMed {}</a>', reference.pubmed_url, reference.pmid)
            )
        if reference.doi_url:
            links.append(format_html('<a href="{}">doi:{}</a>', reference.doi_url, reference.doi))
        return format_html(
            "<p><strong>{}</strong></p><p>{} {}{}</p><p>Publication types: {}</p>"
            '<p>{}</p><div class="abstract">{}</div>',
            reference.title,
            reference.journal,
            reference.year or "",
            f" · {reference.get_retraction_status_display()}"
            if reference.retraction_status != "none"
            else "",
            ", ".join(reference.publication_types or []) or "none given",
            format_html_join(" · ", "{}", ((link,) for link in links)),
            reference.abstract or "No abstract.",
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "design_choices": Design.choices,
            "exclusion_reasons": Candidate.ExclusionReason.choices,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    # -- one-click views ---------------------------------------------------------------
    def _decide(self, request, object_id, decide):
        candidate = self.get_object(request, object_id)
        if candidate is None:
            raise Http404("No such candidate, or not one of yours.")
        if not self.has_change_permission(request, candidate):
            raise PermissionDenied
        try:
            decide(candidate)
        except (ValidationError, triage.CandidateAlreadyDecided) as exc:
            text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            self.message_user(request, f"{candidate.reference}: {text}", messages.ERROR)
        back = request.POST.get("next") or request.META.get("HTTP_REFERER", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = triage_url(candidate.verdict_id)
        return HttpResponseRedirect(back)

    def include_view(self, request, object_id):
        def decide(candidate):
            design = request.POST.get("design", "")
            done = triage.candidate_include(candidate=candidate, user=request.user, design=design)
            self.message_user(
                request,
                format_html(
                    'Included as a study: <a href="{}">{}</a>. {} now needs review.',
                    reverse("admin:evidence_study_change", args=[done.study_id]),
                    done.study,
                    done.verdict,
                ),
            )

        return self._decide(request, object_id, decide)

    def exclude_view(self, request, object_id):
        def decide(candidate):
            reason = request.POST.get(f"reason_{candidate.pk}") or request.POST.get("reason", "")
            triage.candidate_exclude(
                candidate=candidate,
                reason=reason,
                user=request.user,
                note=request.POST.get("exclusion_note", ""),
            )
            self.message_user(request, f"Excluded: {candidate.reference}.")

        return self._decide(request, object_id, decide)
