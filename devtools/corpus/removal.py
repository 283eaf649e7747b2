"""Find and remove a synthetic corpus: references by their DOI prefix (10.5555 is the DOI
test prefix), conditions and therapies by their slug prefix. Raw deletes, dependants
first, so removing 100,000 studies writes no history rows."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from evidence.models import (
    Candidate,
    Condition,
    Follow,
    GuidelinePosition,
    OutcomeFinding,
    PublishedStudy,
    PublishedVerdict,
    SavedSearch,
    Study,
    Verdict,
    VerdictReference,
    VerdictVersion,
    VersionNotice,
)
from references.models import ImportJobItem, Reference, ReferenceNotice, ReferenceSourceRecord
from therapies.models import (
    AdverseEffect,
    AdverseEffectReference,
    Contraindication,
    ContraindicationReference,
    Formulation,
    RegulatoryStatus,
    Therapy,
)

from . import writer
from .bibliography import DOI_PREFIX
from .catalog import SLUG_PREFIX


def synthetic_references() -> Q:
    return Q(doi__startswith=DOI_PREFIX)


def corpus_present() -> bool:
    return (
        Reference.objects.filter(synthetic_references()).exists()
        or Condition.objects.filter(slug__startswith=SLUG_PREFIX).exists()
        or Therapy.objects.filter(slug__startswith=SLUG_PREFIX).exists()
    )


@transaction.atomic
def corpus_delete() -> int:
    """Remove every synthetic row, dependants first; returns how many rows went."""
    therapy = Q(therapy__slug__startswith=SLUG_PREFIX)
    condition = Q(condition__slug__startswith=SLUG_PREFIX)
    reference = Q(reference__doi__startswith=DOI_PREFIX)
    verdict = Q(verdict__therapy__slug__startswith=SLUG_PREFIX) | Q(
        verdict__condition__slug__startswith=SLUG_PREFIX
    )
    ImportJobItem.objects.filter(reference).update(reference=None)
    Condition.objects.filter(prevalence_reference__doi__startswith=DOI_PREFIX).update(
        prevalence_reference=None
    )
    version = Q(version__verdict__therapy__slug__startswith=SLUG_PREFIX) | Q(
        version__verdict__condition__slug__startswith=SLUG_PREFIX
    )
    steps = [
        # What was published of the corpus, and who follows it (issue 16).
        VersionNotice.objects.filter(version),
        Follow.objects.filter(verdict | condition),
        PublishedStudy.objects.filter(therapy | condition | reference),
        PublishedVerdict.objects.filter(verdict),
        VerdictVersion.objects.filter(verdict),
        Candidate.objects.filter(verdict | reference),
        SavedSearch.objects.filter(verdict),
        OutcomeFinding.objects.filter(verdict),
        Study.objects.filter(therapy | condition | reference),
        VerdictReference.objects.filter(verdict | reference),
        GuidelinePosition.objects.filter(therapy | condition | reference),
        Verdict.objects.filter(therapy | condition),
        RegulatoryStatus.objects.filter(therapy | condition),
        AdverseEffectReference.objects.filter(
            Q(adverse_effect__therapy__slug__startswith=SLUG_PREFIX) | reference
        ),
        ContraindicationReference.objects.filter(
            Q(contraindication__therapy__slug__startswith=SLUG_PREFIX) | reference
        ),
        AdverseEffect.objects.filter(therapy),
        Contraindication.objects.filter(therapy),
        Formulation.objects.filter(therapy),
        Therapy.objects.filter(slug__startswith=SLUG_PREFIX),
        Condition.objects.filter(slug__startswith=SLUG_PREFIX),
        ReferenceNotice.objects.filter(reference),
        ReferenceSourceRecord.objects.filter(reference),
        Reference.objects.filter(synthetic_references()),
    ]
    return sum(writer.delete_where(queryset) for queryset in steps)
