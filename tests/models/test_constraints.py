"""The database itself holds the evidence invariants, whatever form or script writes."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from evidence.models import Condition, Design, Direction, GuidelinePosition, Study, Verdict
from references.models import Reference
from therapies.models import AdverseEffect, Contraindication, Therapy

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    therapy = Therapy.objects.create(name="Drug", slug="drug")
    condition = Condition.objects.create(name="Illness", slug="illness")
    reference = Reference.objects.create(title="A trial", doi="10.1000/abc", pmid="123")
    return therapy, condition, reference


def _study(therapy, condition, reference, **extra):
    return Study.objects.create(
        therapy=therapy,
        condition=condition,
        reference=reference,
        design=Design.RCT,
        outcome_summary="Less pain.",
        direction=Direction.BENEFIT,
        **extra,
    )


def _violates(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


def test_slugs_are_unique(pair):
    _violates(lambda: Therapy.objects.create(name="Other", slug="drug"))
    _violates(lambda: Condition.objects.create(name="Other", slug="illness"))


def test_one_verdict_per_therapy_and_condition(pair):
    therapy, condition, _ = pair
    fields = {"status": Verdict.Status.SUPPORTED, "certainty": Verdict.Certainty.LOW}
    Verdict.objects.create(therapy=therapy, condition=condition, summary="x", **fields)

    _violates(lambda: Verdict.objects.create(therapy=therapy, condition=condition, **fields))


def test_participants_cannot_be_negative(pair):
    _violates(lambda: _study(*pair, participants=-1))


def test_confidence_interval_must_be_ordered(pair):
    _violates(lambda: _study(*pair, effect_measure="RR", effect_size=1, ci_lower=2, ci_upper=0.5))


def test_reference_year_must_be_sane():
    _violates(lambda: Reference.objects.create(title="Future", year=3024))
    _violates(lambda: Reference.objects.create(title="Ancient", year=1066))


def test_one_reference_per_doi_and_pmid(pair):
    _violates(lambda: Reference.objects.create(title="Copy", doi="10.1000/abc"))
    _violates(lambda: Reference.objects.create(title="Copy", pmid="123"))


def test_dois_are_stored_lower_case_only():
    _violates(lambda: Reference.objects.create(title="Shouting", doi="10.1000/ABC"))


def test_references_without_identifiers_can_coexist():
    Reference.objects.create(title="Report one")
    Reference.objects.create(title="Report two")

    assert Reference.objects.filter(doi__isnull=True, pmid__isnull=True).count() == 2


def test_guideline_year_must_be_sane(pair):
    therapy, condition, _ = pair
    _violates(
        lambda: GuidelinePosition.objects.create(
            therapy=therapy,
            condition=condition,
            issuing_body="Body",
            document="Doc",
            year=1200,
            position=GuidelinePosition.Position.RECOMMENDED,
        )
    )


@pytest.mark.parametrize(
    "citer", ["study", "guideline", "adverse_effect", "contraindication", "verdict", "prevalence"]
)
def test_a_cited_reference_cannot_be_deleted(pair, citer):
    therapy, condition, reference = pair
    if citer == "study":
        _study(therapy, condition, reference)
    elif citer == "guideline":
        GuidelinePosition.objects.create(
            therapy=therapy,
            condition=condition,
            issuing_body="Body",
            document="Doc",
            position=GuidelinePosition.Position.NOT_SUPPORTED,
            reference=reference,
        )
    elif citer == "adverse_effect":
        AdverseEffect.objects.create(therapy=therapy, name="Headache").references.add(reference)
    elif citer == "contraindication":
        Contraindication.objects.create(
            therapy=therapy, name="Allergy", reason="Reacts"
        ).references.add(reference)
    elif citer == "verdict":
        Verdict.objects.create(
            therapy=therapy, condition=condition, status="supported", certainty="low", summary="x"
        ).references.add(reference)
    else:
        condition.prevalence_reference = reference
        condition.save()

    with pytest.raises(ProtectedError):
        reference.delete()
    assert Reference.objects.filter(pk=reference.pk).exists()


def test_an_uncited_reference_can_be_deleted(pair):
    _, _, reference = pair
    reference.delete()

    assert not Reference.objects.filter(pk=reference.pk).exists()
