"""Drafts and publication on the verdict admin page: the "draft differs from published"
banner with the two side by side, and the reviewers' Publish button
(evidence.services.publication). evidence/admin.py mixes this into its VerdictAdmin."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from evidence.selectors.versions import draft_comparison
from evidence.services.publication import can_publish, verdict_publish


class PublishForm(forms.Form):
    note = forms.CharField(
        label="Publication note",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
        help_text="What this version changes and why, and how open review flags were "
        "handled. Readers see it with the version.",
    )


class VerdictPublicationAdminMixin:
    def get_urls(self):
        urls = [
            path(
                "<path:object_id>/publish/",
                self.admin_site.admin_view(require_POST(self.publish_view)),
                name="evidence_verdict_publish",
            ),
        ]
        return urls + super().get_urls()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        verdict = self.get_object(request, object_id)
        if verdict is not None:
            extra_context["draft"] = draft_comparison(verdict=verdict)
            extra_context["can_publish"] = can_publish(request.user, verdict)
            extra_context["publish_form"] = PublishForm()
        return super().change_view(request, object_id, form_url, extra_context)

    def publish_view(self, request, object_id):
        verdict = self.get_object(request, object_id)
        if verdict is None:
            raise Http404("No such verdict, or not one of yours.")
        if not can_publish(request.user, verdict):
            raise PermissionDenied
        form = PublishForm(request.POST)
        target = reverse("admin:evidence_verdict_change", args=[verdict.pk])
        if not form.is_valid():
            messages.error(request, "Not published: write a note saying what changed and why.")
            return HttpResponseRedirect(target)
        try:
            version = verdict_publish(
                verdict=verdict, user=request.user, note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            messages.error(request, f"Not published: {'; '.join(error.messages)}")
            return HttpResponseRedirect(target)
        self.message_user(
            request, f"{verdict}: version {version.number} published; readers now see it."
        )
        return HttpResponseRedirect(target)
