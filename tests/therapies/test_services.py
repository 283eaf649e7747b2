"""therapies.services: natural keys, saving only what changed, reference sets."""

import pytest

from tests.factories import ReferenceFactory, TherapyFactory
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
    therapy = TherapyFactory()
    services.formulation_upsert(therapy=therapy, brand="B", stabiliser="sucrose")
    services.formulation_upsert(therapy=therapy, brand="B", stabiliser="proline")
    assert list(Formulation.objects.values_list("stabiliser", flat=True)) == ["proline"]
