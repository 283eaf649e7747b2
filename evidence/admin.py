"""Admin for conditions, studies, guideline positions and verdicts.

Studies are curated inline under their verdict; the inline takes its therapy and
condition from the verdict so the two can never disagree.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from config.admin import ModelAdmin, SimpleHistoryAdmin, StackedInline, TabularInline
from config.admin_lists import LIST_OVERRIDES

from . import grade, services
from .editorial.admin import VerdictPublicationAdminMixin, VerdictReviewAdminMixin
from .models import (
    Condition,
    EditorScope,
    GuidelinePosition,
    OutcomeFinding,
    Study,
    Verdict,
    VerdictReference,
)


@admin.register(Condition)
class ConditionAdmin(SimpleHistoryAdmin):
    """Limited editors see the conditions of their scope; they change and add only
    below its root (evidence.permissions, rule 4a)."""

    list_display = ["name", "slug", "parent"]
    list_filter = [("parent", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "slug", "synonyms", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent", "prevalence_reference"]
    list_select_related = ["parent"]
    formfield_overrides = LIST_OVERRIDES  # synonyms, one field per synonym


@admin.register(EditorScope)
class EditorScopeAdmin(ModelAdmin):
    """Who is limited to which conditions (see evidence.permissions)."""

    list_display = ["user", "condition"]
    list_filter = [("condition", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__username", "condition__name"]
    autocomplete_fields = ["condition"]
    list_select_related = ["user", "condition"]


class StudyInlineForm(forms.ModelForm):
    """A study under a verdict is of the verdict's pair: placed before it is validated,
    so its constraints and the editor's rights are checked where it will be saved."""

    def _post_clean(self):
        # A stored study keeps its verdict (the inline's key), so only a new one is placed.
        if self.instance.pk is None and self.instance.verdict_id is not None:
            verdict = self.instance.verdict
            self.instance.therapy_id = verdict.therapy_id
            self.instance.condition_id = verdict.condition_id
        super()._post_clean()


# The verdict page opens with its sections folded (classes "collapse"): a verdict with a
# few dozen studies would otherwise be a page 10,000 px tall.
COLLAPSED = ["collapse"]


class StudyInline(StackedInline):
    model = Study
    form = StudyInlineForm
    fk_name = "verdict"
    extra = 0
    autocomplete_fields = ["reference", "extraction_reference"]
    show_change_link = True
    classes = COLLAPSED
    fieldsets = [
        (
            None,
            {"fields": ["reference", ("design", "participants"), "direction", "outcome_summary"]},
        ),
        (
            "Population, dose and outcome",
            {
                "fields": [
                    "species",
                    "population",
                    ("dose_regimen", "comparator"),
                    ("outcome", "follow_up"),
                ],
                "classes": COLLAPSED,
            },
        ),
        (
            "Effect and risk of bias",
            {
                "fields": [
                    ("effect_measure", "effect_size"),
                    ("ci_lower", "ci_upper"),
                    "risk_of_bias",
                ],
                "classes": COLLAPSED,
            },
        ),
        (
            "Where the figures come from",
            {
                "fields": ["extraction_source", "extraction_reference", "extraction_note"],
                "classes": COLLAPSED,
            },
        ),
    ]


class VerdictReferenceInline(TabularInline):
    model = VerdictReference
    extra = 0
    autocomplete_fields = ["reference"]
    classes = COLLAPSED


class VerdictForm(forms.ModelForm):
    """The verdict's change form; GRADE's certainty rule is checked by the findings
    inline (OutcomeFindingFormSet), which alone knows the findings as they will be saved."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The inline formsets share this form's instance: this is how the findings
        # formset puts its certainty error on this form's field.
        self.instance._verdict_form = self


class OutcomeFindingFormSet(forms.BaseInlineFormSet):
    """Refuses a verdict whose certainty, after the inline's changes, is above the lowest
    among its critical outcomes unless the verdict's override reason is filled
    (evidence.grade)."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        verdict = self.instance
        findings: list[grade.Finding] = []
        in_formset = set()
        for form in self.forms:
            if form.instance.pk is not None:
                in_formset.add(form.instance.pk)
            if self.can_delete and self._should_delete_form(form):
                continue
            if form.instance.pk is None and not form.has_changed():
                continue
            findings.append(form.instance)
        if verdict.pk is not None:
            # Rows the inline does not show still count.
            findings += OutcomeFinding.objects.filter(verdict=verdict).exclude(pk__in=in_formset)
        if not verdict.certainty:
            return
        problem = grade.certainty_problem(
            verdict.certainty, findings, verdict.certainty_override_reason
        )
        if problem is None:
            return
        verdict_form = getattr(verdict, "_verdict_form", None)
        if verdict_form is not None and "certainty" in verdict_form.fields:
            verdict_form.add_error("certainty", problem)
        raise ValidationError(problem, code="certainty_above_critical_outcomes")


class OutcomeFindingInline(StackedInline):
    """The verdict's GRADE summary of findings, one outcome per row."""

    model = OutcomeFinding
    formset = OutcomeFindingFormSet
    extra = 0
    classes = COLLAPSED
    fieldsets = [
        (None, {"fields": [("outcome", "importance", "position")]}),
        (
            "Evidence and effect",
            {"fields": [("studies_count", "participants"), "relative_effect", "absolute_effect"]},
        ),
        (
            "Certainty, and the reasons it was rated down",
            {
                "fields": [
                    "certainty",
                    ("risk_of_bias", "inconsistency", "indirectness"),
                    ("imprecision", "publication_bias"),
                    "comment",
                ]
            },
        ),
    ]


@admin.register(Verdict)
class VerdictAdmin(VerdictPublicationAdminMixin, VerdictReviewAdminMixin, SimpleHistoryAdmin):
    form = VerdictForm
    list_display = [
        "__str__",
        "status",
        "certainty",
        "needs_review",
        "reviewed_on",
        "condition",
        "therapy",
    ]
    list_filter = ["needs_review", "status", "certainty", "condition", "therapy"]
    search_fields = ["therapy__name", "condition__name", "summary"]
    autocomplete_fields = ["therapy", "condition"]
    list_select_related = ["therapy", "condition"]
    readonly_fields = ["updated_at"]
    inlines = [VerdictReferenceInline, StudyInline, OutcomeFindingInline]
    formfield_overrides = LIST_OVERRIDES  # key takeaways, one field per takeaway
    # The review fields are read-only (VerdictReviewAdminMixin): signed off, not typed.
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("therapy", "condition"),
                    ("status", "certainty"),
                    "certainty_override_reason",
                    "summary",
                    "key_takeaways",
                ]
            },
        ),
        (
            "Limitations and mechanism",
            {"fields": ["limitations", "mechanism_notes"], "classes": COLLAPSED},
        ),
        (
            "Review record",
            {
                "fields": [
                    "review_interval_months",
                    ("needs_review", "reviewed_on", "reviewed_by"),
                    "review_reasons_list",
                    "review_note",
                    "updated_at",
                ],
                "classes": COLLAPSED,
            },
        ),
    ]

    def save_formset(self, request, form, formset, change):
        if formset.model is Study:
            for study in formset.save(commit=False):
                is_new = study.pk is None
                study.save()
                if is_new:
                    services.verdict_flag_new_study(study=study)
            for obj in formset.deleted_objects:
                obj.delete()
            formset.save_m2m()
            return
        super().save_formset(request, form, formset, change)


@admin.register(Study)
class StudyAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "therapy", "condition", "design", "participants", "direction"]
    list_filter = ["design", "direction", "risk_of_bias", "therapy", "condition"]
    search_fields = ["reference__title", "reference__doi", "reference__pmid", "outcome_summary"]
    autocomplete_fields = ["reference", "therapy", "condition", "extraction_reference"]
    readonly_fields = ["verdict"]
    list_select_related = ["reference", "therapy", "condition"]

    def save_model(self, request, obj, form, change):
        # The study belongs to its pair's verdict, whichever pair the editor chose.
        obj.verdict = Verdict.objects.filter(
            therapy_id=obj.therapy_id, condition_id=obj.condition_id
        ).first()
        super().save_model(request, obj, form, change)
        if not change:
            services.verdict_flag_new_study(study=obj)


@admin.register(GuidelinePosition)
class GuidelinePositionAdmin(SimpleHistoryAdmin):
    list_display = ["issuing_body", "document", "year", "position", "therapy", "condition"]
    list_filter = ["position", "therapy", "condition"]
    search_fields = ["issuing_body", "document", "summary"]
    autocomplete_fields = ["therapy", "condition", "reference"]
    required_foreign_keys = ("reference",)
    list_select_related = ["therapy", "condition"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change or {"position", "year"} & set(form.changed_data):
            services.verdict_flag_guideline_change(
                position=obj, previous_position=form.initial.get("position") if change else None
            )
