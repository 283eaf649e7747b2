"""A checksum of a synthetic corpus's content: what the seed decides, not the ids or the
timestamps the database assigns, so two runs with one seed compare equal."""

from __future__ import annotations

import hashlib
import json

from django.db.models import Q

from evidence.models import GuidelinePosition, Study, Verdict
from references.models import Reference, ReferenceNotice
from therapies.models import AdverseEffect, Formulation, Therapy

from .bibliography import DOI_PREFIX
from .catalog import SLUG_PREFIX

_SOURCES = [
    (
        Reference.objects.filter(doi__startswith=DOI_PREFIX),
        (
            "doi",
            "pmid",
            "pmcid",
            "title",
            "authors",
            "journal",
            "year",
            "abstract",
            "retraction_status",
        ),
        ("doi",),
    ),
    (
        ReferenceNotice.objects.filter(reference__doi__startswith=DOI_PREFIX),
        ("reference__doi", "type", "doi", "date"),
        ("doi",),
    ),
    (
        Therapy.objects.filter(slug__startswith=SLUG_PREFIX),
        ("slug", "name", "drug_class", "aliases", "description"),
        ("slug",),
    ),
    (
        Formulation.objects.filter(therapy__slug__startswith=SLUG_PREFIX),
        ("therapy__slug", "brand", "route"),
        ("therapy__slug", "brand"),
    ),
    (
        AdverseEffect.objects.filter(therapy__slug__startswith=SLUG_PREFIX),
        ("therapy__slug", "name", "severity"),
        ("therapy__slug", "name"),
    ),
    (
        Verdict.objects.filter(therapy__slug__startswith=SLUG_PREFIX),
        (
            "condition__slug",
            "therapy__slug",
            "status",
            "certainty",
            "summary",
            "reviewed_on",
            "needs_review",
        ),
        ("condition__slug", "therapy__slug"),
    ),
    (
        Study.objects.filter(reference__doi__startswith=DOI_PREFIX),
        (
            "reference__doi",
            "condition__slug",
            "therapy__slug",
            "outcome",
            "design",
            "participants",
            "direction",
            "effect_measure",
            "effect_size",
            "ci_lower",
            "ci_upper",
        ),
        ("reference__doi", "outcome"),
    ),
    (
        GuidelinePosition.objects.filter(Q(therapy__slug__startswith=SLUG_PREFIX)),
        ("condition__slug", "therapy__slug", "issuing_body", "position"),
        ("condition__slug", "therapy__slug", "issuing_body"),
    ),
]


def corpus_checksum() -> str:
    digest = hashlib.sha256()
    for queryset, fields, order in _SOURCES:
        for row in queryset.order_by(*order).values_list(*fields).iterator(chunk_size=2000):
            digest.update(json.dumps(row, default=str, sort_keys=True).encode())
    return digest.hexdigest()
