"""PostgreSQL search: typos found by trigram similarity, and every GIN index in use."""

import pytest
from django.db import connection

from search.selectors import KIND_KEYS, _search, site_search

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
    """The GIN expression indexes must match the queries' expressions exactly."""
    expected = {
        "conditions": {"search_condition_document", "search_condition_name_trgm"},
        "therapies": {"search_therapy_document", "search_therapy_name_trgm"},
        "studies": {"search_study_document"},
        "references": {"search_reference_document", "search_reference_title_trgm"},
    }[kind]
    # Tables this small would be scanned whole; leave the planner only bitmap index scans,
    # which it can use only if an index's expression is the query's.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = _search(kind, "rheumatoid arthritis", ["rheumatoid", "arthritis"]).explain()
    used = {name for name in expected if name in plan}
    assert used == expected, plan
