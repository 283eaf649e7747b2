"""Site search over the facts shown on therapy and pair pages: adverse effects,
contraindications, formulations, guideline positions and regulatory statuses, each linking
to the row of the page that shows it. These run on SQLite and on PostgreSQL."""

import re

import pytest
from django.urls import reverse

from evidence.models import GuidelinePosition
from search.results import FACT_KINDS, KIND_KEYS
from search.selectors import PAGE_SIZE, site_search
from tests.factories import (
    AdverseEffectFactory,
    ConditionFactory,
    ContraindicationFactory,
    FormulationFactory,
    GuidelinePositionFactory,
    RegulatoryStatusFactory,
    TherapyFactory,
)
from therapies.models import AdverseEffect, Formulation

pytestmark = pytest.mark.django_db


def _group(results, kind):
    return next(group for group in results.groups if group.kind.key == kind)


def _links(html, kind):
    """The result links of one kind's section of the results page."""
    start = html.index('<ol class="search-hits"', html.index(f'id="search-{kind}"'))
    end = html.index("</ol>", start)
    return re.findall(r'<li><a href="([^"]+)"', html[start:end])


def _assert_link_shows_its_row(client, href, anchor):
    path, _, fragment = href.partition("#")
    assert fragment == anchor
    response = client.get(path)
    assert response.status_code == 200, href
    assert f'id="{anchor}"' in response.content.decode(), href


def test_sucrose_finds_the_renal_safety_fact_and_the_sucrose_stabilised_formulations(client, demo):
    results = site_search(query="sucrose")
    effects = _group(results, "adverse-effects")
    assert [effect.name for effect in effects.hits] == ["Acute renal failure"]
    formulations = _group(results, "formulations")
    # A sucrose stabiliser outranks a note that only mentions a sucrose-stabilised product.
    assert formulations.hits[0].stabiliser == "sucrose"

    html = client.get(reverse("search:search"), {"q": "sucrose"}).content.decode()
    renal = AdverseEffect.objects.get(name="Acute renal failure")
    sucrose_products = Formulation.objects.get(stabiliser="sucrose")
    assert f"/therapies/ivig/#adverse-effect-{renal.pk}" in _links(html, "adverse-effects")
    assert f"/therapies/ivig/#formulation-{sucrose_products.pk}" in _links(html, "formulations")
    assert "Stabiliser: <mark>Sucrose</mark>" in html
    _assert_link_shows_its_row(
        client, f"/therapies/ivig/#adverse-effect-{renal.pk}", f"adverse-effect-{renal.pk}"
    )
    anchor = f"formulation-{sucrose_products.pk}"
    _assert_link_shows_its_row(client, f"/therapies/ivig/#{anchor}", anchor)


def test_a_guideline_is_found_by_its_issuing_body_and_links_to_the_pair_page(client, demo):
    position = GuidelinePosition.objects.get(issuing_body="National Blood Authority (Australia)")
    positions = _group(site_search(query="National Blood Authority"), "guideline-positions")
    assert [hit.pk for hit in positions.hits] == [position.pk]

    html = client.get(reverse("search:search"), {"q": "National Blood Authority"}).content.decode()
    href = f"/conditions/rheumatoid-arthritis/ivig/#guideline-position-{position.pk}"
    assert _links(html, "guideline-positions") == [href]
    _assert_link_shows_its_row(client, href, f"guideline-position-{position.pk}")


@pytest.mark.parametrize(
    ("query", "kind", "anchor_prefix"),
    [
        ("anaphylaxis", "adverse-effects", "adverse-effect"),
        ("IgA deficiency", "contraindications", "contraindication"),
        ("sorbitol", "formulations", "formulation"),
        ("Australia criteria", "guideline-positions", "guideline-position"),
        ("FDA", "regulatory-statuses", "regulatory-status"),
    ],
)
def test_every_fact_link_resolves_to_the_row_that_shows_it(
    client, demo, query, kind, anchor_prefix
):
    html = client.get(reverse("search:search"), {"q": query}).content.decode()
    links = _links(html, kind)
    assert links
    for href in links:
        anchor = href.partition("#")[2]
        assert anchor.startswith(f"{anchor_prefix}-")
        _assert_link_shows_its_row(client, href, anchor)


def test_a_guideline_of_a_pair_without_a_verdict_links_to_the_condition(client, demo):
    condition = ConditionFactory(name="Kawasaki disease", slug="kawasaki-disease")
    position = GuidelinePositionFactory(
        therapy=TherapyFactory(slug="ivig"), condition=condition, issuing_body="Wombat Society"
    )
    html = client.get(reverse("search:search"), {"q": "Wombat"}).content.decode()
    assert _links(html, "guideline-positions") == ["/conditions/kawasaki-disease/"]
    assert position.pk in [
        hit.pk for hit in _group(site_search(query="Wombat"), "guideline-positions").hits
    ]
    assert client.get("/conditions/kawasaki-disease/").status_code == 200


@pytest.fixture
def quokka_facts(db):
    """Many facts of every kind, spread over therapies and conditions, all saying "quokka"."""
    for n in range(PAGE_SIZE + 5):
        therapy = TherapyFactory()
        condition = ConditionFactory()
        AdverseEffectFactory(therapy=therapy, notes="Seen in a quokka study.")
        ContraindicationFactory(therapy=therapy, reason="Quokka allergy.")
        FormulationFactory(therapy=therapy, notes="Tested on a quokka.")
        GuidelinePositionFactory(
            therapy=therapy, condition=condition, summary=f"Quokka guideline {n}."
        )
        RegulatoryStatusFactory(therapy=therapy, condition=condition, notes="Quokka trial.")


def test_the_query_count_does_not_grow_with_the_facts(
    client, quokka_facts, django_assert_num_queries, django_assert_max_num_queries
):
    # One query per kind of fact (its rows and their count); the other kinds match nothing,
    # so each runs its count alone.
    expected = len(KIND_KEYS)
    with django_assert_num_queries(expected):
        results = site_search(query="quokka")
    assert all(_group(results, kind).total == PAGE_SIZE + 5 for kind in FACT_KINDS)
    with django_assert_max_num_queries(expected):
        response = client.get(reverse("search:search"), {"q": "quokka"})
    assert response.status_code == 200
    for kind in FACT_KINDS:
        with django_assert_max_num_queries(2):
            page = client.get(reverse("search:search"), {"q": "quokka", "kind": kind})
        assert len(_links(page.content.decode(), kind)) == PAGE_SIZE
