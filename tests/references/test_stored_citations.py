"""Stored citations (references.stored_citations, references.page_citations): formatted
when a reference is written, identical to citeproc's output, never formatted by a request."""

import datetime

import citeproc
import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from references import citations, page_citations, stored_citations
from references.citations import STYLES, format_items, page_item
from references.models import Reference
from references.page_citation_templates import TEMPLATES
from references.parsers.records import Author, BibRecord
from references.services.upsert import references_upsert

PAIR = ("rheumatoid-arthritis", "ivig")
VARIED = [
    BibRecord(
        source="pubmed",
        pmid="70000001",
        title="Évidence & <i>tricks</i>: a trial of O'Brien's method?",
        authors=[Author(family=f"Name{i}", initials="AB") for i in range(9)],
        journal="Journal of <Things>",
        journal_abbreviation="J Things",
        year=2001,
        publication_date="2001-11-05",
        volume="12",
        issue="3",
        pages="1-10",
    ),
    BibRecord(
        source="crossref",
        doi="10.5555/stored.2",
        title="Reemergence of sucrose nephropathy",
        year=2019,
        pages="e123",
    ),
    BibRecord(
        source="file",
        title="A consensus statement",
        authors=[Author(collective="The IVIG Study Group"), Author(family="Smith", given="Ann")],
        journal="Blood",
        year=1995,
        volume="85",
        pages="382-5",
    ),
]


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def _unmemoised(monkeypatch):
    """citeproc-py exactly as shipped: no memo of its XPath searches, no citation cache."""

    def xpath_search(self, expression):
        return self.xpath(expression, namespaces=self.nsmap)

    monkeypatch.setattr(citeproc.model.CitationStylesElement, "xpath_search", xpath_search)
    cache.clear()


def _forbid_formatting(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("citeproc was called")

    monkeypatch.setattr(citeproc.CitationStylesBibliography, "__init__", refuse)
    monkeypatch.setattr(citations, "_format_item", refuse)


def test_stored_citations_are_citeprocs_output_for_the_demo_and_varied_references(
    demo, monkeypatch
):
    references_upsert(records=VARIED)
    references = list(Reference.objects.order_by("pk"))
    assert len(references) > 15
    _unmemoised(monkeypatch)
    for style in STYLES.values():
        expected = [c.html for c in citations.format_references(references, style=style)]
        assert [r.formatted[style.key] for r in references] == expected, style.key
        stored = stored_citations.stored_citations(references, style=style)
        assert [c.html for c in stored] == expected
    evil = Reference.objects.get(pmid="70000001")
    assert "&lt;i&gt;tricks&lt;/i&gt;" in evil.formatted["apa"]
    assert "<i>tricks</i>" in stored_citations.stored_citations([evil], style=STYLES["apa"])[0].text


def test_page_citation_templates_are_current_and_fill_in_as_citeproc_formats(monkeypatch):
    _unmemoised(monkeypatch)
    assert (
        page_citations.templates() == TEMPLATES
    )  # else: manage.py format_citations --page-templates
    cases = [
        (
            "IVIG for Rheumatoid arthritis",
            datetime.date(2026, month, day),
            datetime.date(2027, 13 - month, 31 - day),
        )
        for month, day in zip(
            range(1, 13), (1, 9, 23, 24, 2, 30, 12, 11, 5, 24, 23, 3), strict=True
        )
    ]
    cases.append(
        ("Rituximab & <b>co</b> for Crohn's disease 1901", None, datetime.date(2026, 2, 24))
    )
    cases.append(
        (
            "Plasma exchange for Jan's 23 February syndrome",
            datetime.date(1999, 1, 23),
            datetime.date(2026, 2, 23),
        )
    )
    url = "https://evidentia.example/conditions/a-b/c/?x=1&y=2"
    for title, reviewed_on, accessed_on in cases:
        item = page_item(title=title, url=url, reviewed_on=reviewed_on, accessed_on=accessed_on)
        for style in STYLES.values():
            expected = format_items([item], style=style)[0].html
            filled = page_citations.page_citation(
                title=title, url=url, reviewed_on=reviewed_on, accessed_on=accessed_on, style=style
            )
            assert filled.html == expected, (style.key, title, reviewed_on, accessed_on)


def test_the_upsert_reformats_only_what_a_cited_field_changed_in_one_update(db, monkeypatch):
    result = references_upsert(records=VARIED)
    first, second, third = result.references
    assert all(set(r.formatted) == set(STYLES) for r in (first, second, third))
    calls = []
    real = citations._format_item
    monkeypatch.setattr(citations, "_format_item", lambda *a: calls.append(a) or real(*a))

    renamed = BibRecord(source="pubmed", pmid="70000001", title="A corrected title", volume="13")
    with CaptureQueriesContext(connection) as queries:
        references_upsert(records=[renamed, VARIED[1]])
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "references_reference"')]
    assert len(updates) == 1 and "formatted" in updates[0]
    assert len(calls) == len(STYLES)  # the renamed reference only, once per style
    first.refresh_from_db()
    assert first.formatted["vancouver"].startswith("Name0 AB, Name1 AB")
    vancouver = first.formatted["vancouver"]
    assert "A corrected title. J Things. 2001 Nov 5;13(3):1\u201310." in vancouver
    assert first.formatted_key == stored_citations.citation_key(first)

    calls.clear()
    references_upsert(records=[renamed])  # nothing changed: nothing formatted
    assert calls == []


def test_a_saved_reference_is_reformatted_when_a_cited_field_changes(db):
    reference = Reference.objects.create(title="First title", journal="Blood", year=2000)
    assert "First title" in reference.formatted["ama"]
    reference.title = "Second title"
    reference.save(update_fields=["title"])
    reference.refresh_from_db()
    assert (
        "Second title" in reference.formatted["ama"] and "First" not in reference.formatted["ama"]
    )
    # Derived from the fields history keeps, so history does not copy them.
    assert "formatted" not in {f.name for f in Reference.history.model._meta.fields}


def test_tampered_stored_markup_is_shown_as_text(db):
    reference = Reference.objects.create(title="Harmless", year=2000)
    Reference.objects.filter(pk=reference.pk).update(
        formatted={key: "<script>alert(1)</script> x" for key in STYLES}
    )
    reference.refresh_from_db()
    (shown,) = stored_citations.stored_citations([reference], style=STYLES["vancouver"])
    assert "<script" not in shown.html and "&lt;script&gt;" in shown.html


def test_the_command_fills_rows_a_bulk_load_left_without_citations(db):
    (bare,) = Reference.objects.bulk_create([Reference(title="Loaded <in> bulk", year=2010)])
    (shown,) = stored_citations.stored_citations([bare], style=STYLES["apa"])
    assert shown.html == "Loaded &lt;in&gt; bulk. 2010."  # an escaped stand-in, not citeproc
    call_command("format_citations", stdout=open("/dev/null", "w"))  # noqa: SIM115
    bare.refresh_from_db()
    assert bare.formatted["apa"] == citations.format_references([bare], style=STYLES["apa"])[0].html
    assert stored_citations.store_missing(Reference) == 0  # nothing stale is left


def test_shards_of_the_command_split_the_backlog_by_id(db):
    bare = Reference.objects.bulk_create(
        [Reference(title=f"Bulk {i}", year=2010) for i in range(5)]
    )
    call_command("format_citations", "--shard=1/2", stdout=open("/dev/null", "w"))  # noqa: SIM115
    formatted = set(Reference.objects.exclude(formatted={}).values_list("pk", flat=True))
    assert formatted == {r.pk for r in bare if r.pk % 2 == 1}
    assert stored_citations.store_missing(Reference, shard=(0, 2)) == len(bare) - len(formatted)
    assert stored_citations.store_missing(Reference) == 0
    with pytest.raises(CommandError, match="I/N"):
        call_command("format_citations", "--shard=2")


def test_no_page_or_export_formats_a_citation(client, demo, add_studies, monkeypatch):
    from evidence.models import Condition
    from therapies.models import Therapy

    condition, therapy = Condition.objects.get(slug=PAIR[0]), Therapy.objects.get(slug=PAIR[1])
    add_studies(60, therapy=therapy, condition=condition)
    call_command("format_citations", stdout=open("/dev/null", "w"))  # noqa: SIM115
    muscat = Reference.objects.get(doi="10.1136/ard.54.5.382")
    _forbid_formatting(monkeypatch)
    pair = reverse("evidence:pair-detail", args=PAIR)
    for style in STYLES:
        html = client.get(pair, {"style": style}).content.decode()
        assert muscat.formatted[style] in html
        assert 'class="page-citation"' in html
    for extension in ("ris", "bib", "json"):
        response = client.get(reverse("evidence:pair-references", args=[*PAIR, extension]))
        assert response.status_code == 200
    for url in (reverse("evidence:condition-detail", args=[PAIR[0]]), f"/therapies/{PAIR[1]}/"):
        assert client.get(url).status_code == 200
