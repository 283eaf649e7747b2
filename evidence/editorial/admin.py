"""Admin of the editorial workflow: the triage queue, saved searches, the digest log, and
the review cycle on the verdict pages (sign-off, "Needs review" queue, overview).

evidence/admin.py mixes VerdictReviewAdminMixin into its VerdictAdmin; the other admin
classes are registered here. Every write goes through evidence.editorial services.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from config.admin import ModelAdmin, SimpleHistoryAdmin
from evidence import permissions
from evidence.models import Candidate, Design, DigestLog, SavedSearch, Verdict

from . import review, selectors, triage

UNTRIAGED = Candidate.Status.UNTRIAGED


def triage_url(verdict_id: int | None = None) -> str:
    url = reverse("admin:evidence_candidate_changelist") + f"?status__exact={UNTRIAGED}"
    return url + (f"&verdict__id__exact={verdict_id}" if verdict_id else "")


class VerdictFilter(admin.RelatedOnlyFieldListFilter):
    """By verdict, naming each verdict in one query (its therapy and condition joined)."""

    def field_choices(self, field, request, model_admin):
        ids = model_admin.model._default_manager.values(self.field_path)
        verdicts = Verdict.objects.filter(pk__in=ids).select_related("therapy", "condition")
        return [(verdict.pk, str(verdict)) for verdict in verdicts]


def _message_outcome(modeladmin, request, outcome: triage.TriageOutcome, verb: str) -> None:
    if outcome.done:
        modeladmin.message_user(request, f"{len(outcome.done)} candidate(s) {verb}.")
    for candidate, reason in outcome.skipped:
        modeladmin.message_user(
            request, f"Not {verb}: {candidate.reference}: {reason}", messages.WARNING
        )


# --- Verdicts: the review cycle -----------------------------------------------------------


class SignOffForm(forms.Form):
    note = forms.CharField(
        label="Reviewer's note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="What you checked; kept with the verdict (not shown on the public page).",
    )


class VerdictReviewAdminMixin:
    """For VerdictAdmin: review columns, sign-off, the queue and the one-page overview.

    Review fields are read-only in the form: a verdict is signed off through the
    sign-off button or action (reviewers only), never by editing the date by hand.
    """

    change_form_template = "admin/evidence/verdict/change_form.html"
    actions = ["sign_off_selected", "request_review_selected"]
    review_readonly_fields = [
        "needs_review",
        "review_reasons_list",
        "reviewed_on",
        "reviewed_by",
        "review_note",
    ]

    class Media:
        # The review column's classes; the CSP allows no inline style attributes.
        css = {"all": ["css/admin-extra.css"]}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(untriaged=Count("candidates", filter=Q(candidates__status=UNTRIAGED)))
        )

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or []), "review_reasons"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + [name for name in self.review_readonly_fields if name not in fields]

    def get_list_display(self, request):
        return [*super().get_list_display(request), "review_state", "untriaged_candidates"]

    def get_urls(self):
        urls = [
            path(
                "needs-review/",
                self.admin_site.admin_view(self.needs_review_view),
                name="evidence_verdict_needs_review",
            ),
            path(
                "<path:object_id>/sign-off/",
                self.admin_site.admin_view(require_POST(self.sign_off_view)),
                name="evidence_verdict_sign_off",
            ),
        ]
        return urls + super().get_urls()

    def has_signoff_permission(self, request, obj=None) -> bool:
        return review.can_sign_off(request.user, obj)

    # -- columns and read-only fields -------------------------------------------------
    @admin.display(description="review")
    def review_state(self, verdict):
        if verdict.is_review_overdue:
            return format_html('<strong class="overdue">{}</strong>', "Overdue")
        if verdict.needs_review:
            count = len(verdict.review_reasons)
            return format_html("<strong>Needs review</strong> ({})", count)
        return "Reviewed"

    @admin.display(description="untriaged candidates", ordering="untriaged")
    def untriaged_candidates(self, verdict):
        count = getattr(verdict, "untriaged", 0)
        if not count:
            return 0
        return format_html('<a href="{}">{}</a>', triage_url(verdict.pk), count)

    @admin.display(description="review reasons")
    def review_reasons_list(self, verdict):
        if not verdict.review_reasons:
            return "—"
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} <small>({}, {})</small></li>",
                (
                    (r.get("message", ""), r.get("code", ""), r.get("at", ""))
                    for r in verdict.review_reasons
                    if isinstance(r, dict)
                ),
            ),
        )

    # -- actions ------------------------------------------------------------------------
    @admin.action(description="Sign off the review of selected verdicts", permissions=["signoff"])
    def sign_off_selected(self, request, queryset):
        verdicts = list(queryset)
        if not all(self.has_signoff_permission(request, verdict) for verdict in verdicts):
            raise PermissionDenied
        with transaction.atomic():
            for verdict in verdicts:
                review.verdict_sign_off(verdict=verdict, user=request.user)
        self.message_user(request, f"{len(verdicts)} verdict(s) signed off.")

    @admin.action(description="Put selected verdicts up for review", permissions=["change"])
    def request_review_selected(self, request, queryset):
        for verdict in queryset:
            review.verdict_request_review(verdict=verdict)
        self.message_user(request, f"{queryset.count()} verdict(s) put up for review.")

    # -- views --------------------------------------------------------------------------
    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        verdict = self.get_object(request, object_id)
        if verdict is not None:
            extra_context["overview"] = selectors.verdict_overview(verdict=verdict)
            extra_context["can_sign_off"] = self.has_signoff_permission(request, verdict)
            extra_context["sign_off_form"] = SignOffForm()
            extra_context["triage_url"] = triage_url(verdict.pk)
        return super().change_view(request, object_id, form_url, extra_context)

    def sign_off_view(self, request, object_id):
        verdict = self.get_object(request, object_id)
        if verdict is None:
            raise Http404("No such verdict, or not one of yours.")
        if not self.has_signoff_permission(request, verdict):
            raise PermissionDenied
        form = SignOffForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        review.verdict_sign_off(verdict=verdict, user=request.user, note=note)
        self.message_user(
            request, f"Review of {verdict} signed off on {verdict.reviewed_on:%d %B %Y}."
        )
        return HttpResponseRedirect(reverse("admin:evidence_verdict_change", args=[verdict.pk]))

    def needs_review_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Needs review, most urgent first",
            "opts": self.model._meta,
            "rows": selectors.review_queue(
                verdicts=permissions.scoped_queryset(Verdict.objects.all(), request.user)
            ),
            "can_sign_off": self.has_signoff_permission(request),
        }
        return TemplateResponse(request, "admin/evidence/verdict/needs_review.html", context)


# --- Candidates: the triage queue ---------------------------------------------------------


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


# --- Saved searches and the digest log ----------------------------------------------------


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
