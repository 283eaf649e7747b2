"""The review cycle on the verdict admin pages: sign-off, the "Needs review" queue and
the editorial overview. evidence/admin.py mixes VerdictReviewAdminMixin into its VerdictAdmin."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from evidence import permissions
from evidence.models import Verdict

from .. import review, selectors
from .common import UNTRIAGED, triage_url


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
