"""Site search (search.selectors, search.views): kinds, ranking, aliases, highlighting, pages.

These run on SQLite (the fallback) and on PostgreSQL (full-text and trigram search); what
holds on both is asserted here, the PostgreSQL-only behaviour in test_search_postgres.py.
"""

import re

import pytest
from django.urls import reverse

from evidence.models import Condition, Study
from search.highlight import highlight
from search.results import KIND_KEYS
from search.selectors import PAGE_SIZE, PREVIEW_SIZE, site_search
from tests.factories import TherapyFactory
from therapies.models import Therapy

pytestmark = pytest.mark.django_db


@pytest.fixture
def decoys(demo):
    """Therapies that share words with IVIG, so that ranking has something to beat."""
    TherapyFactory(
        name="Subcutaneous immunoglobulin (SCIG)",
        slug="scig",
        aliases=["SCIG", "subcutaneous immunoglobulin"],
    )
    TherapyFactory(name="Intravenous iron", slug="iv-iron", aliases=["IV iron"])


def _group(results, kind):
    return next(group for group in results.groups if group.kind.key == kind)


@pytest.mark.parametrize(
    "query", ["IVIG", "IVIg", "ivig", "intravenous immunoglobulin", "Intravenous Immunoglobulin"]
)
def test_every_name_of_a_therapy_finds_it_first(decoys, query):
    therapies = _group(site_search(query=query), "therapies")
    assert therapies.hits[0].slug == "ivig"


def test_an_exact_synonym_ranks_a_condition_first(demo):
    conditions = _group(site_search(query="lupus"), "conditions")
    slugs = [condition.slug for condition in conditions.hits]
    assert slugs[0] == "systemic-lupus-erythematosus"
    assert set(slugs) == {"systemic-lupus-erythematosus", "lupus-nephritis", "lupus-pregnancy"}


def test_studies_are_found_by_outcome_summary_and_population(demo):
    by_summary = _group(site_search(query="Dectin-1"), "studies")
    assert [s.reference.doi for s in by_summary.hits] == ["10.1016/j.immuni.2023.02.019"]
    by_population = _group(site_search(query="collagen-induced arthritis"), "studies")
    assert by_population.hits[0].species == "mouse"


@pytest.mark.parametrize(
    ("query", "doi_or_title"),
    [
        ("Maksymowych", "High dose intravenous immunoglobulin (IVIg) in severe refractory"),
        ("Immunity", "Immunoglobulin G-dependent inhibition of inflammatory bone"),
        ("sucrose nephropathy", "Reemergence of Sucrose Nephropathy"),
    ],
)
def test_references_are_found_by_author_journal_and_title(demo, query, doi_or_title):
    references = _group(site_search(query=query), "references")
    assert any(hit.reference.title.startswith(doi_or_title) for hit in references.hits)


def test_results_page_groups_by_kind_and_highlights_matches(client, decoys):
    response = client.get(reverse("search:search"), {"q": "IVIG"})
    html = response.content.decode()
    assert response.status_code == 200
    headings = re.findall(r'<h2 id="search-([\w-]+)">', html)
    assert headings == [key for key in KIND_KEYS if key in headings]
    assert KIND_KEYS[:2] == ["conditions", "therapies"]
    assert KIND_KEYS[-2:] == ["studies", "references"]
    assert "therapies" in headings and "references" in headings
    therapies = html[html.index('id="search-therapies"') :]
    assert (
        '<a href="/therapies/ivig/">Intravenous immunoglobulin (<mark>IVIG</mark>)</a>' in therapies
    )
    assert "Also known as: <mark>IVIG</mark>, <mark>IVIg</mark>" in therapies
    # A study hit links to its row on the pair page.
    study = Study.objects.get(reference__doi="10.1016/j.immuni.2023.02.019")
    dectin = client.get(reverse("search:search"), {"q": "Dectin-1"}).content.decode()
    assert f'href="/conditions/rheumatoid-arthritis/ivig/#study-{study.pk}"' in dectin


def test_queries_and_matches_are_escaped(client, demo):
    Condition.objects.filter(slug="lupus-nephritis").update(name="Lupus & <b>nephritis</b>")
    html = client.get(reverse("search:search"), {"q": "<b>nephritis"}).content.decode()
    assert "<b>" not in html.replace("<body>", "")
    assert "<q>&lt;b&gt;nephritis</q>" in html
    html = client.get(reverse("search:search"), {"q": "nephritis"}).content.decode()
    assert "Lupus &amp; &lt;b&gt;<mark>nephritis</mark>&lt;/b&gt;" in html


def test_highlight_escapes_first_and_never_splits_an_entity():
    assert str(highlight("R&D <b>amp</b> amplifier", ["amp"])) == (
        "R&amp;D &lt;b&gt;<mark>amp</mark>&lt;/b&gt; <mark>amplifier</mark>"
    )
    assert str(highlight("Rheumatoid arthritis", ["rheumatiod"])) == (
        "<mark>Rheumatoid</mark> arthritis"
    )
    snippet = str(highlight("word " * 100 + "needle " + "word " * 100, ["needle"], limit=80))
    assert snippet.startswith("…") and snippet.endswith("…") and "<mark>needle</mark>" in snippet
    assert len(re.sub(r"<[^>]+>", "", snippet)) <= 82


def test_each_kind_pages_through_its_results(client, demo, add_studies):
    ivig = Therapy.objects.get(slug="ivig")
    ra = Condition.objects.get(slug="rheumatoid-arthritis")
    add_studies(45, therapy=ivig, condition=ra, prefix="paged")

    overview = client.get(reverse("search:search"), {"q": "paged"}).content.decode()
    references = overview[overview.index('id="search-references"') :]
    assert references.count("<cite>") == PREVIEW_SIZE
    assert 'href="?q=paged&amp;kind=references">All 45 references' in references

    page_2 = client.get(reverse("search:search"), {"q": "paged", "kind": "references", "page": 2})
    html = page_2.content.decode()
    assert html.count("<cite>") == PAGE_SIZE
    assert '<ol class="search-hits" start="21">' in html
    assert "Page 2 of 3" in html
    assert 'kind=references&amp;page=3" rel="next"' in html
    assert 'kind=references&amp;page=1" rel="prev"' in html
    assert 'id="search-studies"' not in html  # one kind only
    last = client.get(reverse("search:search"), {"q": "paged", "kind": "references", "page": 99})
    assert last.content.decode().count("<cite>") == 5  # out of range: the last page


def test_a_blank_or_punctuation_only_query_runs_no_search(client, demo, django_assert_num_queries):
    with django_assert_num_queries(0):
        results = site_search(query='  " - '.strip())
    assert results.count == 0 and results.groups == []
    assert "Type a condition" in client.get(reverse("search:search"), {"q": " "}).content.decode()
