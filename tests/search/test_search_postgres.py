"""PostgreSQL search: typos found by trigram similarity, every GIN index in use, identifier
lookups, and the bounded count of very common words (search.candidates)."""

import pytest
from django.db import connection

from evidence.models import Condition, PublishedStudy
from references.models import Reference
from search import candidates
from search.results import KIND_KEYS
from search.selectors import MATCH_LIMIT, PAGE_SIZE, _search, site_search
from tests.factories import ReferenceFactory
from therapies.models import Therapy

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.mark.parametrize(
    ("query", "kind", "expected"),
    [
        ("rheumatiod", "conditions", "rheumatoid-arthritis"),
        ("rheumatiod arthritis", "conditions", "rheumatoid-arthritis"),
        ("imunoglobulin", "therapies", "ivig"),
    ],
)
def test_a_typo_still_finds_the_record_first(demo, query, kind, expected):
    group = next(g for g in site_search(query=query).groups if g.kind.key == kind)
    assert group.hits and group.hits[0].slug == expected


def test_websearch_syntax_excludes_words(demo):
    references = next(
        g for g in site_search(query="immunoglobulin -lupus").groups if g.kind.key == "references"
    )
    titles = [hit.reference.title.lower() for hit in references.hits]
    assert titles and not any("lupus" in title for title in titles)


@pytest.mark.parametrize("kind", KIND_KEYS)
def test_the_search_query_uses_the_migrations_indexes(demo, kind):
    """Every kind's query uses the GIN index of its stored document (migrations/0002,
    0004, 0006), and conditions and therapies the trigram index of their name."""
    expected = {
        "conditions": {"search_condition_vector", "search_condition_name_trgm"},
        "therapies": {"search_therapy_vector", "search_therapy_name_trgm"},
        "adverse-effects": {"search_adverseeffect_vector"},
        "contraindications": {"search_contraindication_vector"},
        "formulations": {"search_formulation_vector"},
        "guideline-positions": {"search_guidelineposition_vector"},
        "regulatory-statuses": {"search_regulatorystatus_vector"},
        "studies": {"search_pstudy_vector"},  # published studies (migrations/0004)
        "references": {"search_reference_vector"},
    }[kind]
    # Tables this small would be scanned whole; leave the planner only bitmap index scans,
    # which it can use only if an index's expression is the query's.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    terms = ["rheumatoid", "arthritis"]
    if kind in ("references", "studies"):  # their ranked ids: one statement (search.candidates)
        model = Reference if kind == "references" else PublishedStudy
        plan = candidates.explain(model, query="rheumatoid arthritis", terms=terms)
    else:
        plan = _search(kind, "rheumatoid arthritis", terms).explain()
    used = {name for name in expected if name in plan}
    assert used == expected, plan


def _references(query, **kwargs):
    results = site_search(query=query, **kwargs)
    return next(g for g in results.groups if g.kind.key == "references")


def test_an_identifier_finds_its_reference_first(demo):
    reference = Reference.objects.exclude(doi=None).order_by("id")[3]
    assert _references(reference.doi).hits[0].reference.pk == reference.pk
    reference = Reference.objects.exclude(pmid=None).order_by("id")[2]
    assert _references(reference.pmid).hits[0].reference.pk == reference.pk


def test_a_typo_in_a_title_word_still_finds_the_reference(demo):
    titles = [hit.reference.title for hit in _references("nephropaty").hits]
    assert any("Sucrose Nephropathy" in title for title in titles)


def test_past_the_match_limit_the_count_says_more_than(client, demo, add_studies):
    ivig = Therapy.objects.get(slug="ivig")
    ra = Condition.objects.get(slug="rheumatoid-arthritis")
    add_studies(MATCH_LIMIT + 10, therapy=ivig, condition=ra, prefix="capped")

    group = _references("capped")
    assert group.is_capped and group.total_label == f"more than {MATCH_LIMIT}"
    page = _references("capped", kind="references", page=999)
    assert page.page.paginator.num_pages == MATCH_LIMIT // PAGE_SIZE
    html = client.get("/search/", {"q": "capped"}).content.decode()
    assert f'References <span class="count">(more than {MATCH_LIMIT})</span>' in html
    assert f"More references (more than {MATCH_LIMIT})" in html


def test_a_phrase_finds_its_words_side_by_side_only(db):
    near = ReferenceFactory(title="Serum quokka sample taken", abstract="")
    side_by_side = ReferenceFactory(title="A quokka serum sample", abstract="")
    found = [hit.reference.pk for hit in _references('"serum sample"').hits]
    assert found == [side_by_side.pk] and near.pk not in found
    assert _references('"serum sample"').total_label == "1"


def test_a_phrase_checked_in_part_of_the_records_says_at_least(client, db, monkeypatch):
    """Past PHRASE_SCAN records holding every word, the count is a lower bound."""
    monkeypatch.setattr(candidates, "PHRASE_SCAN", 4)
    for n in range(6):
        ReferenceFactory(title=f"Quokka marsupial {'cohort' if n % 2 else 'study'} {n}")
    ReferenceFactory(title="Marsupial quokka, reversed")
    group = _references('"quokka marsupial"')
    assert group.approximate and 0 < group.total < 6
    assert group.total_label == f"at least {group.total}"
    html = client.get("/search/", {"q": '"quokka marsupial"'}).content.decode()
    assert f"at least {group.total} result" in html
    monkeypatch.setattr(candidates, "PHRASE_SCAN", 1000)
    group = _references('"quokka marsupial"')
    assert not group.approximate and group.total_label == "6"


def test_a_typo_is_widened_to_the_words_of_new_and_changed_references(
    db, django_assert_max_num_queries
):
    """search_word learns the words of every inserted or changed reference (its
    triggers), so a misspelling of a word added a moment ago is forgiven."""
    added = ReferenceFactory(title="Wombatosis in captivity", abstract="")
    changed = ReferenceFactory(title="Nothing to see", abstract="")
    Reference.objects.filter(pk=changed.pk).update(title="Platypusitis of the bill")
    with django_assert_max_num_queries(4):  # ids, the widened ids, rows, pairs
        group = _references("wombatsis", kind="references")
    assert [hit.reference.pk for hit in group.hits] == [added.pk]
    assert [hit.reference.pk for hit in _references("platypusits").hits] == [changed.pk]
    # A word found as typed is not widened.
    assert [hit.reference.pk for hit in _references("wombatosis").hits] == [added.pk]
