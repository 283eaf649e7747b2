"""Citations in CSL styles (references.citations): exact output per style, escaping, cache."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.cache import cache

from references import citations
from references.citations import (
    STYLES,
    citation_style,
    format_items,
    format_references,
    page_item,
)


def _reference(**fields):
    defaults = {
        "pk": 1,
        "doi": None,
        "pmid": None,
        "pmcid": None,
        "title": "A title",
        "authors": [],
        "journal": "",
        "journal_abbreviation": "",
        "year": None,
        "publication_date": "",
        "volume": "",
        "issue": "",
        "pages": "",
        "abstract": "",
        "url": "",
        "retraction_status": "none",
    }
    return SimpleNamespace(**{**defaults, **fields})


MUSCAT = _reference(
    doi="10.1136/ard.54.5.382",
    title=(
        "Long term treatment of rheumatoid arthritis with high doses of intravenous "
        "immunoglobulins: effects on disease activity and serum cytokines"
    ),
    # The source lists only the first author: the list ends with an "et al." marker.
    authors=[{"family": "Muscat", "given": "", "initials": "C"}, {"collective": "et al."}],
    journal="Annals of the rheumatic diseases",
    journal_abbreviation="Ann Rheum Dis",
    year=1995,
    volume="54",
    issue="5",
    pages="382-5",
)
MULHEARN = _reference(
    title="Indications for IVIG in rheumatic diseases",
    authors=[
        {"family": "Mulhearn", "given": "Ben", "initials": "B"},
        {"family": "Bruce", "given": "Ian N", "initials": "IN"},
    ],
    journal="Rheumatology (Oxford, England)",
    journal_abbreviation="Rheumatology (Oxford)",
    year=2015,
    volume="54",
    issue="3",
    pages="383-91",
)
TITLE = (
    "Long term treatment of rheumatoid arthritis with high doses of intravenous "
    "immunoglobulins: effects on disease activity and serum cytokines."
)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("vancouver", f"Muscat C, et al. {TITLE} Ann Rheum Dis. 1995;54(5):382\u20135."),
        ("ama", f"Muscat C, et al. {TITLE} <i>Ann Rheum Dis</i>. 1995;54(5):382-385."),
        (
            "apa",
            "Muscat, C., et al. (1995). " + TITLE[:-1] + ". <i>Annals of the Rheumatic "
            "Diseases</i>, <i>54</i>(5), 382\u2013385.",
        ),
    ],
)
def test_a_known_reference_in_each_style(style, expected):
    (citation,) = format_references([MUSCAT], style=STYLES[style])
    assert citation.html == expected
    assert "10.1136" not in citation.html  # links are rendered apart, by the page


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        (
            "vancouver",
            "Mulhearn B, Bruce IN. Indications for IVIG in rheumatic diseases. "
            "Rheumatology (Oxford). 2015;54(3):383\u201391.",
        ),
        (
            "apa",
            "Mulhearn, B., &amp; Bruce, I. N. (2015). Indications for IVIG in rheumatic "
            "diseases. <i>Rheumatology (Oxford, England)</i>, <i>54</i>(3), 383\u2013391.",
        ),
    ],
)
def test_given_names_become_initials(style, expected):
    assert format_references([MULHEARN], style=STYLES[style])[0].html == expected


def test_more_than_six_authors_in_vancouver():
    authors = [{"family": f"Name{i}", "initials": "AB"} for i in range(8)]
    html = format_references([_reference(authors=authors)], style=STYLES["vancouver"])[0].html
    assert html.startswith("Name0 AB, Name1 AB, Name2 AB, Name3 AB, Name4 AB, Name5 AB, et al.")


def test_data_is_escaped_and_only_the_styles_markup_remains():
    evil = _reference(
        title="Evil <script>alert('x')</script> & co",
        authors=[{"family": "O'Brien <b>", "initials": "J"}],
        journal="J <img src=x onerror=alert(1)>",
        journal_abbreviation="J <img src=x onerror=alert(1)>",
        year=2001,
    )
    for style in STYLES.values():
        (citation,) = format_references([evil], style=style)
        assert "<script" not in citation.html and "<img" not in citation.html
        assert "&lt;script&gt;alert('x')&lt;/script&gt; &amp; co" in citation.html
        assert "Evil <script>alert('x')</script> & co" in citation.text


def test_citeprocs_page_range_slip_is_avoided():
    # citeproc-py would print "1-10" as "1–0" under Vancouver's minimal page ranges.
    html = format_references(
        [_reference(journal_abbreviation="J", year=2000, pages="1-10", journal="J")],
        style=STYLES["vancouver"],
    )[0].html
    assert html.endswith("2000;1\u201310.")


def test_without_authors_the_title_is_not_printed_twice():
    untitled = _reference(title="Reemergence of sucrose nephropathy")
    for style in STYLES.values():
        html = format_references([untitled], style=style)[0].html
        assert html.count("Reemergence of sucrose nephropathy") == 1, (style.key, html)


def test_page_citation_dated_by_its_review():
    item = page_item(
        title="Intravenous immunoglobulin (IVIG) for Rheumatoid arthritis",
        url="https://evidentia.example/conditions/rheumatoid-arthritis/ivig/",
        reviewed_on=datetime.date(2026, 11, 21),
        accessed_on=datetime.date(2026, 12, 1),
    )
    vancouver, ama, apa = (format_items([item], style=STYLES[key])[0].html for key in STYLES)
    assert vancouver == (
        "Evidentia. Intravenous immunoglobulin (IVIG) for Rheumatoid arthritis [Internet]. "
        "Evidentia; 2026 [cited 2026 Dec 1]. Available from: "
        "https://evidentia.example/conditions/rheumatoid-arthritis/ivig/"
    )
    assert "November 21, 2026. Accessed December 1, 2026." in ama
    assert apa.startswith("Evidentia. (2026, November 21). <i>Intravenous immunoglobulin")


def test_each_reference_is_formatted_once_per_style_then_served_from_the_cache(monkeypatch):
    calls = []
    real = citations._format_item

    def counting(item, style):
        calls.append(style.key)
        return real(item, style)

    monkeypatch.setattr(citations, "_format_item", counting)
    first = format_references([MUSCAT, MULHEARN, MUSCAT], style=STYLES["vancouver"])
    again = format_references([MUSCAT, MULHEARN], style=STYLES["vancouver"])
    assert calls == ["vancouver", "vancouver"]  # once per distinct reference
    assert [c.html for c in again] == [c.html for c in first[:2]]

    format_references([MUSCAT], style=STYLES["apa"])
    assert calls[-1] == "apa"
    # A corrected field is a different citation, whichever way it was written.
    corrected = SimpleNamespace(**{**vars(MUSCAT), "volume": "55"})
    (fixed,) = format_references([corrected], style=STYLES["vancouver"])
    assert "1995;55(5)" in fixed.html and len(calls) == 4


def test_unknown_styles_fall_back_to_vancouver():
    assert citation_style("APA").key == "apa"
    assert citation_style("chicago").key == "vancouver"
    assert citation_style(None).key == "vancouver"
