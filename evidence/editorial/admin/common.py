"""What the editorial admin pages share: the link to the triage queue and a filter by verdict."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse

from evidence.models import Candidate, Verdict

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
