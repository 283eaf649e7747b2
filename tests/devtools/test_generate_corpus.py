"""manage.py generate_corpus (devtools.corpus): reproducible, sized as asked, skewed,
valid against every model constraint, and never written twice over by accident."""

import statistics

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F

from devtools.corpus.digest import corpus_checksum
from devtools.corpus.generate import DOI_PREFIX
from devtools.corpus.plan import CorpusSpec, pair_count, skewed_counts
from evidence.models import Candidate, Condition, GuidelinePosition, Study, Verdict
from references.models import Reference, ReferenceNotice
from search.selectors import site_search
from therapies.models import AdverseEffect, Contraindication, Formulation, Therapy

pytestmark = pytest.mark.django_db

SIZE = {"conditions": 30, "therapies": 10, "studies": 300, "references": 500}


def _generate(seed=1, replace=False, **size):
    call_command("generate_corpus", **{**SIZE, **size}, seed=seed, replace=replace, stdout=None)


def test_the_same_seed_gives_the_same_corpus_and_another_seed_another():
    _generate(seed=1)
    first = corpus_checksum()
    _generate(seed=1, replace=True)
    assert corpus_checksum() == first
    _generate(seed=2, replace=True)
    assert corpus_checksum() != first


def test_counts_match_the_arguments_and_every_study_has_its_pairs_verdict():
    _generate()
    assert Reference.objects.filter(doi__startswith=DOI_PREFIX).count() == SIZE["references"]
    assert Study.objects.count() == SIZE["studies"]
    assert Condition.objects.count() == SIZE["conditions"]
    assert Therapy.objects.count() == SIZE["therapies"]
    assert Condition.objects.filter(parent__isnull=False).exists()
    pairs = Study.objects.values("therapy", "condition").distinct().count()
    assert Verdict.objects.count() == pairs
    assert not Study.objects.filter(verdict__isnull=True).exists()
    assert not Study.objects.exclude(verdict__therapy=F("therapy")).exists()
    assert not Study.objects.exclude(verdict__condition=F("condition")).exists()
    assert ReferenceNotice.objects.exists() and GuidelinePosition.objects.exists()
    assert Candidate.objects.exists() and Formulation.objects.exists()
    assert Study.objects.filter(effect_size__isnull=False).count() > SIZE["studies"] // 5
    assert not Reference.history.exists()  # bulk data writes no history


def test_studies_per_pair_are_skewed():
    _generate()
    per_pair = sorted(
        Study.objects.values("therapy", "condition")
        .annotate(n=Count("id"))
        .values_list("n", flat=True)
    )
    assert per_pair[-1] >= 5 * statistics.median(per_pair)


def test_the_full_size_puts_at_least_2000_studies_on_the_largest_pair():
    spec = CorpusSpec(conditions=1000, therapies=300, studies=100_000, references=200_000)
    counts = skewed_counts(spec.studies, pair_count(spec))
    assert sum(counts) == 100_000 and counts[0] >= 2000
    assert statistics.median(counts) < 20


def test_a_second_run_is_refused_without_replace():
    _generate()
    with pytest.raises(CommandError, match="already holds a generated corpus; pass --replace"):
        _generate()
    with pytest.raises(CommandError, match="--references .* must be at least --studies"):
        _generate(replace=True, studies=50, references=10)
    assert Study.objects.count() == SIZE["studies"]  # the refusals changed nothing


def test_rows_satisfy_every_model_constraint():
    _generate()
    references = Reference.objects.all()
    assert all(ref.doi == ref.doi.lower() and ref.doi.startswith("10.5555/") for ref in references)
    assert all(int(ref.pmid) >= 90_000_000 for ref in references if ref.pmid)
    assert all(3 <= len([a for a in ref.authors if "family" in a]) <= 30 for ref in references)
    assert statistics.mean(len(ref.abstract.split()) for ref in references) > 120
    for model in (
        Condition,
        Therapy,
        Formulation,
        AdverseEffect,
        Contraindication,
        Verdict,
        Study,
        GuidelinePosition,
        Candidate,
        Reference,
        ReferenceNotice,
    ):
        for row in model.objects.order_by("id")[:40]:
            row.full_clean()  # fields, uniqueness and CHECK constraints


def test_search_finds_the_generated_records():
    _generate()
    therapy = Therapy.objects.order_by("id").first()
    groups = {g.kind.key: g for g in site_search(query=therapy.name).groups}
    assert groups["therapies"].hits[0].pk == therapy.pk
    assert groups["references"].total > 0 and groups["studies"].total > 0
    reference = Reference.objects.order_by("id")[7]
    groups = {g.kind.key: g for g in site_search(query=reference.authors[0]["family"]).groups}
    assert groups["references"].total > 0
