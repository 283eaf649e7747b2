"""The editorial workflow's rows: saved searches and the candidates they find, the review
digest's log, and the conditions an editor is limited to."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from .conditions import Condition
from .studies import Design, Study
from .verdicts import Verdict


class SavedSearch(models.Model):
    """A PubMed query kept for a therapy x condition pair, run periodically for new studies."""

    verdict = models.ForeignKey(Verdict, on_delete=models.CASCADE, related_name="saved_searches")
    query = models.TextField()
    is_active = models.BooleanField(default=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_run_found = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True, help_text="Why the last run failed, if it did.")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["verdict", "id"]
        verbose_name_plural = "saved searches"
        constraints = [
            models.UniqueConstraint(fields=["verdict", "query"], name="saved_search_unique_query")
        ]

    def __str__(self) -> str:
        return f"{self.verdict}: {self.query[:60]}"


class Candidate(models.Model):
    """A record a saved search found, waiting for an editor to include or exclude it.

    One row per verdict and reference, kept after the decision, so an excluded record
    never comes back.
    """

    class Status(models.TextChoices):
        UNTRIAGED = "untriaged", "Untriaged"
        INCLUDED = "included", "Included"
        EXCLUDED = "excluded", "Excluded"

    class ExclusionReason(models.TextChoices):
        NOT_RELEVANT = "not_relevant", "Not relevant to this therapy and condition"
        WRONG_POPULATION = "wrong_population", "Wrong population"
        WRONG_INTERVENTION = "wrong_intervention", "Wrong intervention"
        WRONG_DESIGN = "wrong_design", "Design not eligible"
        DUPLICATE = "duplicate", "Duplicate of an included study"
        NO_DATA = "no_data", "No usable outcome data"
        OTHER = "other", "Other"

    verdict = models.ForeignKey(Verdict, on_delete=models.CASCADE, related_name="candidates")
    reference = models.ForeignKey(
        "references.Reference", on_delete=models.PROTECT, related_name="candidates"
    )
    saved_search = models.ForeignKey(
        SavedSearch, on_delete=models.SET_NULL, null=True, blank=True, related_name="candidates"
    )
    suggested_design = models.CharField(max_length=24, choices=Design.choices, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UNTRIAGED)
    exclusion_reason = models.CharField(max_length=24, choices=ExclusionReason.choices, blank=True)
    note = models.TextField(blank=True)
    study = models.OneToOneField(
        Study, on_delete=models.SET_NULL, null=True, blank=True, related_name="candidate"
    )
    found_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["verdict", "-found_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["verdict", "reference"], name="candidate_once_per_pair"
            ),
            models.CheckConstraint(
                condition=~Q(status="excluded") | ~Q(exclusion_reason=""),
                name="candidate_exclusion_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["verdict", "status"], name="candidate_queue_idx")]

    def __str__(self) -> str:
        return f"{self.reference} for {self.verdict} ({self.get_status_display()})"


class DigestLog(models.Model):
    """One run of the reviewers' daily digest: when it ran and what it reported.

    ``review_state`` is what needed review at that moment, so that the next digest
    reports only what is new since; a run with nothing new is logged but sends nothing.
    """

    ran_at = models.DateTimeField(default=timezone.now, db_index=True)
    recipients = models.PositiveIntegerField(default=0)
    verdict_count = models.PositiveIntegerField("verdicts reported", default=0)
    candidate_count = models.PositiveIntegerField("new candidates reported", default=0)
    # ["<verdict id>|<reason code>|<reason message>", ...]
    review_state = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-ran_at", "-id"]
        get_latest_by = ["ran_at", "id"]

    def __str__(self) -> str:
        return f"Review digest of {self.ran_at:%Y-%m-%d %H:%M} ({self.recipients} recipients)"


class EditorScope(models.Model):
    """Limits an editor to some conditions (and their sub-conditions).

    An editor with no scope rows keeps global rights; with rows, they may change or delete
    only the verdicts, studies, guideline positions and outcome findings of those
    conditions. The rule itself lives in evidence.permissions.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="editor_scopes"
    )
    condition = models.ForeignKey(Condition, on_delete=models.CASCADE, related_name="editor_scopes")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "condition"], name="editor_scope_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} edits {self.condition}"
