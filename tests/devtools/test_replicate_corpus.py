"""manage.py replicate_corpus (devtools.corpus.replicate): K times the rows, every unique
constraint and foreign key kept, copies pointing at copies, derived data copied."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from devtools.corpus.removal import corpus_delete
from evidence.models import (
    Candidate,
    Condition,
    PublishedStudy,
    PublishedVerdict,
    Study,
    Verdict,
    VerdictVersion,
)
from references.identifiers import parse_identifier
from references.models import Reference
from search.selectors import site_search
from therapies.models import Therapy

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

SIZE = {"conditions": 12, "therapies": 5, "studies": 120, "references": 200}
MODELS = [
    Reference,
    Condition,
    Therapy,
    Verdict,
    Study,
    Candidate,
    VerdictVersion,
    PublishedVerdict,
    PublishedStudy,
]


@pytest.fixture
def corpus():
    call_command("generate_corpus", **SIZE, seed=3, stdout=None)
    Reference.objects.filter(pk=Reference.objects.order_by("id")[0].pk).update(pmcid="PMC99")
    return {model: model.objects.count() for model in MODELS}


def first_doi(corpus) -> str:
    return Reference.objects.order_by("id")[0].doi


def test_every_table_grows_by_the_factor_with_unique_identifiers(corpus):
    call_command("replicate_corpus", factor=3, stdout=None)
    for model, before in corpus.items():
        assert model.objects.count() == 3 * before, model
    for column in ("doi", "pmid", "pmcid"):
        values = Reference.objects.exclude(**{column: None}).values_list(column, flat=True)
        assert len(values) == len(set(values)) > 0, column
        # Still identifiers the parser accepts (PMIDs and PMCIDs have at most 10 digits).
        for value in values:
            assert parse_identifier(value).value == value
    copies = Reference.objects.filter(doi__startswith=first_doi(corpus)).order_by("id")
    assert [ref.pmcid for ref in copies][0] == "PMC99" and copies.count() == 3
    slugs = Condition.objects.values_list("slug", flat=True)
    assert len(set(slugs)) == len(slugs) == 3 * corpus[Condition]
    # New rows take ids after the copies, not in their range.
    assert (
        Reference.objects.create(title="after").pk
        > Reference.objects.exclude(title="after").order_by("-id")[0].pk
    )


def test_copies_point_at_copies_and_carry_their_derived_data(corpus):
    stored = Reference.objects.order_by("id")[5]
    call_command("format_citations", stdout=None)
    call_command("replicate_corpus", factor=2, stdout=None)
    copies = Study.objects.filter(condition__slug__endswith="-copy-1")
    assert copies.count() == Study.objects.exclude(condition__slug__endswith="-copy-1").count()
    assert not copies.exclude(reference__doi__endswith=".c1").exists()
    assert not copies.exclude(therapy__slug__endswith="-copy-1").exists()
    assert not copies.exclude(verdict__condition__slug__endswith="-copy-1").exists()
    published = PublishedStudy.objects.filter(condition__slug__endswith="-copy-1")
    assert published.count() * 2 == PublishedStudy.objects.count()
    assert not published.exclude(version__verdict__condition__slug__endswith="-copy-1").exists()
    original = Reference.objects.get(pk=stored.pk)
    assert original.formatted and original.formatted_key
    copy = Reference.objects.get(doi=f"{original.doi}.c1")
    assert (copy.title, copy.formatted, copy.formatted_key) == (
        original.title,
        original.formatted,
        original.formatted_key,
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM references_reference WHERE search_document IS NULL")
        assert cursor.fetchone()[0] == 0
    references = next(g for g in site_search(query=copy.doi).groups if g.kind.key == "references")
    assert references.hits[0].reference.pk == copy.pk
    corpus_delete()  # the copies keep the synthetic markers, so removal finds them all
    assert not Study.objects.exists() and not Reference.objects.filter(doi__contains=".c1").exists()


def test_a_factor_below_two_is_refused(corpus):
    with pytest.raises(CommandError, match="at least 2"):
        call_command("replicate_corpus", factor=1, stdout=None)
    assert Reference.objects.count() == corpus[Reference]
