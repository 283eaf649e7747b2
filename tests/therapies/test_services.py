"""therapies.services: natural keys, saving only what changed, reference sets."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import ConditionFactory, ReferenceFactory, TherapyFactory
from therapies import services
from therapies.models import AdverseEffect, Formulation

pytestmark = pytest.mark.django_db


def test_therapy_upsert_is_keyed_on_the_slug_and_skips_unchanged_saves():
    therapy = services.therapy_upsert(slug="x", name="X", aliases=["Ex"])
    again = services.therapy_upsert(slug="x", name="X", aliases=["Ex"])
    assert again.pk == therapy.pk
    assert therapy.history.count() == 1

    services.therapy_upsert(slug="x", name="X renamed", aliases=["Ex"])
    assert therapy.history.count() == 2


def test_adverse_effect_references_are_replaced_not_appended():
    therapy = TherapyFactory()
    a, b = ReferenceFactory(), ReferenceFactory()
    effect = services.adverse_effect_upsert(therapy=therapy, name="Rash", references=[a])
    services.adverse_effect_upsert(therapy=therapy, name="Rash", references=[b])

    assert list(effect.references.all()) == [b]
    assert AdverseEffect.objects.filter(therapy=therapy).count() == 1


def test_formulation_upsert_is_keyed_on_therapy_and_brand():
    therapy, source = TherapyFactory(), [ReferenceFactory()]
    services.formulation_upsert(therapy=therapy, brand="B", stabiliser="sucrose", references=source)
    services.formulation_upsert(therapy=therapy, brand="B", stabiliser="proline", references=source)
    assert list(Formulation.objects.values_list("stabiliser", flat=True)) == ["proline"]


def test_an_unbranded_formulation_is_keyed_on_its_stabiliser_and_route():
    therapy, source = TherapyFactory(), [ReferenceFactory()]
    for notes in ("first", "second"):
        services.formulation_upsert(
            therapy=therapy, stabiliser="sucrose", notes=notes, references=source
        )
    services.formulation_upsert(therapy=therapy, stabiliser="sorbitol", references=source)
    rows = Formulation.objects.order_by("stabiliser")
    assert [(f.label, f.notes) for f in rows] == [
        ("Sorbitol-stabilised products", ""),
        ("Sucrose-stabilised products", "second"),
    ]


@pytest.mark.parametrize(
    "write",
    [
        lambda therapy: services.adverse_effect_upsert(therapy=therapy, name="Rash"),
        lambda therapy: services.contraindication_upsert(
            therapy=therapy, name="Pregnancy", reason="Unknown risk."
        ),
        lambda therapy: services.formulation_upsert(therapy=therapy, brand="B", references=[]),
        lambda therapy: services.regulatory_status_upsert(
            therapy=therapy,
            condition=ConditionFactory(),
            agency="FDA",
            status="approved",
            reference=None,
        ),
    ],
    ids=["adverse-effect", "contraindication", "formulation", "regulatory-status"],
)
def test_every_safety_and_regulatory_fact_must_cite_a_source(write):
    therapy = TherapyFactory()
    with pytest.raises(ValidationError) as raised:
        write(therapy)
    assert "reference" in str(raised.value)
    assert not Formulation.objects.exists() and not AdverseEffect.objects.exists()
