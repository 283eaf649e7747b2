"""Query-string filters for /verdicts/ and /studies/."""

from django_filters import rest_framework as filters

from evidence.models import Design, Direction, PublishedStudy, Verdict
from references.api.filters import StrictBooleanFilter, YearFilter


class VerdictFilter(filters.FilterSet):
    therapy = filters.CharFilter(field_name="therapy__slug", help_text="A therapy's slug.")
    condition = filters.CharFilter(field_name="condition__slug", help_text="A condition's slug.")
    status = filters.ChoiceFilter(choices=Verdict.Status.choices)
    certainty = filters.ChoiceFilter(choices=Verdict.Certainty.choices)
    needs_review = StrictBooleanFilter(help_text="Put up for review (e.g. after a retraction).")

    class Meta:
        model = Verdict
        fields = ["therapy", "condition", "status", "certainty", "needs_review"]


class StudyFilter(filters.FilterSet):
    therapy = filters.CharFilter(field_name="therapy__slug", help_text="A therapy's slug.")
    condition = filters.CharFilter(field_name="condition__slug", help_text="A condition's slug.")
    design = filters.ChoiceFilter(choices=Design.choices)
    direction = filters.ChoiceFilter(choices=Direction.choices)
    species = filters.CharFilter(lookup_expr="iexact", max_length=100, help_text='e.g. "human".')
    year_min = YearFilter(
        field_name="reference__year",
        lookup_expr="gte",
        help_text="The reference was published in or after this year.",
    )
    year_max = YearFilter(
        field_name="reference__year",
        lookup_expr="lte",
        help_text="The reference was published in or before this year.",
    )

    class Meta:
        model = PublishedStudy  # the list reads studies as published
        fields = ["therapy", "condition", "design", "direction", "species", "year_min", "year_max"]
