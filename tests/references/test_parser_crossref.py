"""parse_crossref_work / parse_crossref_works against recorded Crossref answers, plus
hand-built ones (a retraction notice with update-to, JATS and markup, a list answer)."""

import datetime
import gzip
import json
from pathlib import Path

import pytest
import yaml

from references.parsers.crossref import parse_crossref_work, parse_crossref_works
from references.parsers.jats import jats_abstract, markup_to_text
from references.parsers.records import Notice, ParseError

UPSTREAM = Path(__file__).resolve().parents[1] / "fixtures" / "upstream"
WORKS = UPSTREAM / "crossref" / "works"
CASSETTES = UPSTREAM / "crossref" / "cassettes"
HANDBUILT = UPSTREAM / "handbuilt" / "crossref"
RETRACTED = "retracted-10.1016_s0140-6736-97-11096-0.json"


def cassette_body(name: str, index: int = -1) -> bytes:
    """The response body of a recorded exchange (stored gzip-compressed, base64 in YAML)."""
    interaction = yaml.safe_load((CASSETTES / name).read_text())["interactions"][index]
    body = interaction["response"]["body"]["string"]
    if isinstance(body, str):
        return body.encode()
    return gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body


def test_retracted_work_has_both_updated_by_notices_from_retraction_watch():
    work = parse_crossref_work((WORKS / RETRACTED).read_bytes())
    assert work.doi == "10.1016/s0140-6736(97)11096-0"
    assert work.title.startswith("RETRACTED: Ileal-lymphoid-nodular hyperplasia")
    assert work.notices == [
        Notice(
            type="correction",
            doi="10.1016/s0140-6736(04)15715-2",
            date=datetime.date(2004, 3, 6),
            source="retraction-watch",
            note="Correction",
        ),
        Notice(
            type="retraction",
            doi="10.1016/s0140-6736(10)60175-4",
            date=datetime.date(2010, 2, 6),
            source="retraction-watch",
            note="Retraction",
        ),
    ]
    assert work.amends == []
    assert work.is_retracted


def test_retracted_work_bibliographic_fields():
    work = parse_crossref_work((WORKS / RETRACTED).read_bytes())
    assert [a.family for a in work.authors][:3] == ["Wakefield", "Murch", "Anthony"]
    assert len(work.authors) == 13
    assert (work.authors[0].given, work.authors[0].initials) == ("AJ", "AJ")
    assert (work.journal, work.journal_abbreviation) == ("The Lancet", "The Lancet")
    assert (work.volume, work.issue, work.pages) == ("351", "9103", "637-641")
    # issued has a year and a month only.
    assert (work.year, work.month, work.day, work.publication_date) == (1998, 2, None, "1998-02")
    assert work.publication_types == ["journal-article"]
    assert work.publisher == "Elsevier BV"
    assert work.source == "crossref"


def test_orcid_url_is_stored_bare_and_names_split():
    work = parse_crossref_work((WORKS / "work-1.json").read_bytes())
    assert [(a.family, a.given, a.initials) for a in work.authors] == [
        ("Mansfield", "Steven J.", "SJ"),
        ("Smith", "Russell C.", "RC"),
        ("Yong", "Jonathan R. J.", "JRJ"),
        ("Garry", "Olivia L.", "OL"),
        ("Anderson", "Edward A.", "EA"),
    ]
    assert work.authors[-1].orcid == "0000-0002-4149-0494"
    assert work.authors[0].orcid == ""
    assert work.journal_abbreviation == "Org. Lett."
    assert work.publication_date == "2019-04-03"


def test_family_only_authors_and_no_volume():
    work = parse_crossref_work((WORKS / "work-3.json").read_bytes())
    assert [(a.family, a.given) for a in work.authors] == [("Sheherazade", ""), ("Ardiantiono", "")]
    assert (work.volume, work.pages) == ("", "")
    assert work.title == "Attention science: some people have only one name"


def test_bare_message_and_dict_input_give_the_same_record():
    answer = json.loads((WORKS / "work-4.json").read_bytes())
    from_bytes = parse_crossref_work((WORKS / "work-4.json").read_bytes())
    from_message = parse_crossref_work(answer["message"])
    assert from_bytes == from_message
    assert from_bytes.doi == "10.1126/science.280.5362.421"
    assert from_bytes.journal_abbreviation == ""  # short-container-title is []


def test_raw_is_the_message_json():
    work = parse_crossref_work((WORKS / "work-4.json").read_bytes())
    assert json.loads(work.raw) == json.loads((WORKS / "work-4.json").read_bytes())["message"]


def test_recorded_cassette_answer():
    work = parse_crossref_work(cassette_body("works-one-id-with-headers.yaml"))
    assert work.doi == "10.1371/journal.pone.0033693"
    assert work.title.startswith("Methylphenidate Exposure Induces Dopamine Neuron Loss")
    assert work.authors[0].family == "Sadasivan"
    assert work.pages == "e33693"


def test_retraction_notice_carries_update_to():
    notice = parse_crossref_work((HANDBUILT / "retraction-notice-update-to.json").read_bytes())
    assert notice.doi == "10.1016/s0140-6736(10)60175-4"
    assert notice.amends == [
        Notice(
            type="retraction",
            doi="10.1016/s0140-6736(97)11096-0",
            date=datetime.date(2010, 2, 6),
            source="publisher",
            note="Retraction",
        )
    ]
    assert notice.notices == [] and not notice.is_retracted
    (author,) = notice.authors
    assert author.collective == "The Editors of The Lancet"


def test_markup_title_subtitle_jats_sections_and_date_fallback():
    work = parse_crossref_work((HANDBUILT / "jats-abstract-markup.json").read_bytes())
    assert work.title == "Effect of Lactobacillus on CO2 & pH in vitro: a hand-built trial"
    assert work.abstract_sections == [
        ("Background", "Probiotics may lower CO2."),
        ("Results", "pH fell by 0.2 (95% CI 0.1–0.3)."),
    ]
    assert work.abstract == (
        "Background: Probiotics may lower CO2.\n\nResults: pH fell by 0.2 (95% CI 0.1–0.3)."
    )
    # issued is [[null]]: published-online gives the date.
    assert (work.year, work.month, work.publication_date) == (2021, 3, "2021-03")
    assert [(a.family, a.orcid, a.suffix, a.collective) for a in work.authors] == [
        ("García-López", "0000-0002-1825-0097", "", ""),
        ("", "", "", "Hand-Built Trials Consortium"),
        ("Wei", "", "Jr.", ""),
    ]
    assert work.relations["has-preprint"][0]["id"] == "10.5555/handbuilt.preprint.1"


def test_list_answer_gives_every_item():
    works = parse_crossref_works((HANDBUILT / "works-list-filter-doi.json").read_bytes())
    assert [w.doi for w in works] == ["10.1021/acs.orglett.9b00971", "10.1126/science.280.5362.421"]
    with pytest.raises(ParseError, match="list of works"):
        parse_crossref_work((HANDBUILT / "works-list-filter-doi.json").read_bytes())


def test_single_answer_through_the_list_function():
    works = parse_crossref_works((WORKS / "work-3.json").read_bytes())
    assert [w.doi for w in works] == ["10.1038/d41586-020-02761-z"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html><body>Bad gateway</body></html>", "not JSON"),
        (b"", "empty"),
        (b'{"status": "ok"}', "lacks 'message'"),
        (b'{"status": "failed", "message": [{"type": "x"}]}', "status 'failed'"),
        (b'"Resource not found."', "not an object"),
        (b'{"status": "ok", "message-type": "work", "message": "nope"}', "no work"),
    ],
)
def test_unusable_bodies_are_parse_errors(body, message):
    with pytest.raises(ParseError, match=message):
        parse_crossref_work(body)


def test_bad_doi_from_upstream_becomes_none():
    work = parse_crossref_work({"DOI": "not a doi", "title": ["T"]})
    assert work.doi is None and work.title == "T"


# --- JATS and markup (jats.py) ---------------------------------------------------------


def test_jats_abstract_from_content_negotiation_csl_json():
    message = json.loads(cassette_body("content-negotiation-csl-json.yaml"))
    text, sections = jats_abstract(message["abstract"])
    assert text.startswith("The train of thought pursued in this article has led")
    assert '"subject to change without notice."' in text
    assert "<" not in text and sections == []


def test_jats_abstract_drops_the_abstract_heading_and_keeps_inline_tails():
    text, sections = jats_abstract(
        "<jats:title>Abstract</jats:title>"
        "<jats:p>One <jats:italic>two</jats:italic> three.</jats:p><jats:p>Four.</jats:p>"
    )
    assert text == "One two three.\n\nFour."
    assert sections == []


def test_jats_that_is_not_well_formed_falls_back_to_stripping_tags():
    text, _ = jats_abstract("<jats:p>Broken &nbsp; <b>bold</jats:p><jats:p>Next &amp; last")
    assert text == "Broken bold\n\nNext & last"


def test_markup_to_text():
    assert markup_to_text("vitamin D<sub>3</sub> &amp; <i>E. coli</i>") == "vitamin D3 & E. coli"
    assert markup_to_text("Plain &amp; simple") == "Plain & simple"
    assert markup_to_text(None) == ""


def test_broken_markup_keeps_comparison_signs_as_text():
    assert markup_to_text("Effect at p < 0.05 and q > 1 in <i>vivo</i> &nbsp;") == (
        "Effect at p < 0.05 and q > 1 in vivo"
    )
