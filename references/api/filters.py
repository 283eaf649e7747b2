"""Query-string filters for /references/: identifiers, retraction, year range, search."""

import json
from collections.abc import Callable

from django import forms
from django.db.models import Q, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field

from references.identifiers import (
    InvalidIdentifier,
    normalise_doi,
    normalise_pmcid,
    normalise_pmid,
)
from references.models import Reference, RetractionStatus

MAX_SEARCH_TERMS = 10


class IdentifierField(forms.CharField):
    """Normalises a DOI / PMID / PMCID; a malformed one is a form error naming it."""

    def __init__(self, *, normalise: Callable[[str], str], **kwargs):
        self.normalise = normalise
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        try:
            return self.normalise(value)
        except InvalidIdentifier as exc:
            raise forms.ValidationError(str(exc), code="invalid") from exc


class IdentifierFilter(filters.CharFilter):
    field_class = IdentifierField


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": 9999})
class YearFilter(filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 9999)
        super().__init__(*args, **kwargs)


class StrictBooleanField(forms.NullBooleanField):
    """true / false (or 1 / 0); anything else is an error rather than silently ignored."""

    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        try:
            return self.VALUES[str(value).lower()]
        except KeyError:
            raise forms.ValidationError("Use true or false.", code="invalid") from None

    def validate(self, value):
        pass


class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField


def search_terms(value: str) -> list[str]:
    return value.split()[:MAX_SEARCH_TERMS]


class ReferenceFilter(filters.FilterSet):
    doi = IdentifierFilter(
        normalise=normalise_doi,
        max_length=300,
        help_text="A DOI in any common form (10.1000/x, doi:..., https://doi.org/...).",
    )
    pmid = IdentifierFilter(
        normalise=normalise_pmid, max_length=100, help_text="A PubMed ID (digits, or PMID:...)."
    )
    pmcid = IdentifierFilter(
        normalise=normalise_pmcid,
        max_length=100,
        help_text="A PubMed Central ID (PMC123, or its digits).",
    )
    retracted = StrictBooleanFilter(
        method="filter_retracted",
        help_text="true: only retracted works; false: leave retracted works out.",
    )
    year_min = YearFilter(field_name="year", lookup_expr="gte", help_text="Published in or after.")
    year_max = YearFilter(field_name="year", lookup_expr="lte", help_text="Published in or before.")
    search = filters.CharFilter(
        method="filter_search",
        max_length=200,
        help_text=(
            "Words that must all appear (case-insensitively) in the title, abstract, "
            f"journal or author names; at most {MAX_SEARCH_TERMS} words."
        ),
    )

    class Meta:
        model = Reference
        fields = ["doi", "pmid", "pmcid", "retracted", "year_min", "year_max", "search"]

    def filter_retracted(self, queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
        if value is None:
            return queryset
        retracted = Q(retraction_status=RetractionStatus.RETRACTED)
        return queryset.filter(retracted) if value else queryset.exclude(retracted)

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # icontains works on SQLite and PostgreSQL alike; at this corpus size (thousands of
        # references) a scan is fast enough, and it matches inside author JSON too.
        for term in search_terms(value):
            match = (
                Q(title__icontains=term)
                | Q(abstract__icontains=term)
                | Q(journal__icontains=term)
                | Q(authors__icontains=term)
            )
            if not term.isascii():  # SQLite keeps JSON with \uXXXX escapes
                match |= Q(authors__icontains=json.dumps(term)[1:-1])
            queryset = queryset.filter(match)
        return queryset
