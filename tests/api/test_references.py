"""/api/v1/references/: identifier filters, retraction, search, detail and exports."""

import json

import bibtexparser
import pytest
import rispy
from django.test import override_settings

from references.models import ReferenceNotice, RetractionStatus
from tests.api.helpers import assert_error
from tests.factories import ReferenceFactory, ReferenceNoticeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def references(db):
    return {
        "trial": ReferenceFactory(
            doi="10.1000/trial.1",
            pmid="111",
            pmcid="PMC222",
            title="A randomised trial of IVIG",
            abstract="Patients with neuropathy improved.",
            journal="Neurology",
            year=2001,
            authors=[{"family": "Müller", "given": "Anna"}],
        ),
        "retracted": ReferenceFactory(
            doi="10.1000/bad.2",
            title="Fabricated results",
            year=2010,
            retraction_status=RetractionStatus.RETRACTED,
            authors=[{"collective": "Fraud Study Group"}],
        ),
        "review": ReferenceFactory(
            doi=None, pmid="333", title="A review", journal="Lancet", year=2020
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("doi=10.1000/TRIAL.1", {"trial"}),
        ("doi=https://doi.org/10.1000/trial.1", {"trial"}),
        ("doi=doi:10.1000/bad.2", {"retracted"}),
        ("pmid=PMID:%20333", {"review"}),
        ("pmid=111", {"trial"}),
        ("pmcid=pmc222", {"trial"}),
        ("pmcid=222", {"trial"}),
        ("retracted=true", {"retracted"}),
        ("retracted=false", {"trial", "review"}),
        ("search=ivig", {"trial"}),
        ("search=NEUROPATHY", {"trial"}),
        ("search=lancet", {"review"}),
        ("search=fraud%20group", {"retracted"}),
        ("search=Müller", {"trial"}),
        ("search=trial%20lancet", set()),
        ("year_min=2005&year_max=2015", {"retracted"}),
    ],
)
def test_filters(anon, references, query, expected):
    response = anon.get(f"/api/v1/references/?{query}")

    assert response.status_code == 200
    assert {row["id"] for row in response.json()["results"]} == {
        references[key].pk for key in expected
    }


@pytest.mark.parametrize(
    ("query", "name", "quoted"),
    [
        ("doi=not-a-doi", "doi", "not-a-doi"),
        ("pmid=12ab", "pmid", "12ab"),
        ("pmcid=PMCxyz", "pmcid", "PMCxyz"),
    ],
)
def test_a_malformed_identifier_is_a_400_naming_it(anon, references, query, name, quoted):
    error = assert_error(anon.get(f"/api/v1/references/?{query}"), 400, "invalid")

    assert list(error["fields"]) == [name]
    assert quoted in error["fields"][name][0]


def test_list_and_detail_fields(anon, references):
    reference = references["retracted"]
    ReferenceNoticeFactory(
        reference=reference,
        type=ReferenceNotice.Type.RETRACTION,
        doi="10.1000/notice",
        pmid="",
        source="crossref",
    )

    row = anon.get("/api/v1/references/?retracted=true").json()["results"][0]
    assert "abstract" not in row  # the list row is the light form
    assert row["retraction"] == {
        "status": "retracted",
        "notices": [
            {
                "type": "retraction",
                "doi": "10.1000/notice",
                "pmid": "",
                "date": "2024-01-15",
                "source": "crossref",
            }
        ],
    }

    body = anon.get(f"/api/v1/references/{reference.pk}/").json()
    expected = {
        "doi", "pmid", "pmcid", "title", "authors", "journal", "year", "volume", "issue",
        "pages", "abstract", "publication_types", "retraction", "last_refreshed", "sources",
    }  # fmt: skip
    assert expected <= set(body)
    assert body["authors"] == [
        {
            "family": "",
            "given": "",
            "initials": "",
            "suffix": "",
            "orcid": "",
            "collective": "Fraud Study Group",
        }
    ]


def test_detail_exports_by_accept_and_by_format(anon, references):
    reference = references["trial"]
    url = f"/api/v1/references/{reference.pk}/"

    ris = anon.get(url, HTTP_ACCEPT="application/x-research-info-systems")
    assert ris["Content-Type"] == "application/x-research-info-systems; charset=utf-8"
    assert f'filename="reference-{reference.pk}.ris"' in ris["Content-Disposition"]
    (record,) = rispy.loads(ris.content.decode())
    assert (record["doi"], record["accession_number"]) == ("10.1000/trial.1", "111")

    bib = anon.get(url + "?format=bibtex")
    assert bib["Content-Type"].startswith("application/x-bibtex")
    (entry,) = bibtexparser.parse_string(bib.content.decode()).entries
    assert entry.fields_dict["doi"].value == "10.1000/trial.1"

    csl = anon.get(url + "?format=csl-json")
    assert json.loads(csl.content)[0]["PMID"] == "111"

    # Each representation has its own ETag.
    assert len({ris["ETag"], bib["ETag"], csl["ETag"], anon.get(url)["ETag"]}) == 4


def test_a_filtered_list_exports_every_match_not_one_page(anon, db):
    for n in range(7):
        ReferenceFactory(title=f"Trial {n}", year=2000 + n)
    ReferenceFactory(title="Other", year=1990)

    response = anon.get("/api/v1/references/?year_min=2000&page_size=2&format=ris")

    assert response.status_code == 200
    assert len(rispy.loads(response.content.decode())) == 7


@override_settings(API_EXPORT_MAX_REFERENCES=3)
def test_an_export_over_the_limit_is_a_400_not_a_truncated_file(anon, db):
    for _ in range(4):
        ReferenceFactory()

    error = assert_error(
        anon.get("/api/v1/references/", HTTP_ACCEPT="application/x-bibtex"), 400, "export_too_large"
    )
    assert "3" in error["message"]


def test_errors_are_json_even_when_a_bibliography_was_asked_for(anon, db):
    assert_error(anon.get("/api/v1/references/424242/?format=ris"), 404, "not_found")
    response = anon.get("/api/v1/references/?doi=nonsense", HTTP_ACCEPT="application/x-bibtex")
    assert_error(response, 400, "invalid")


def test_an_unknown_format_or_media_type_is_refused(anon, references):
    assert_error(anon.get("/api/v1/references/?format=endnote"), 406, "not_acceptable")
    assert_error(anon.get("/api/v1/references/", HTTP_ACCEPT="application/pdf"), 406)


def test_reference_etag_changes_when_a_notice_arrives(anon, references):
    reference = references["trial"]
    url = f"/api/v1/references/{reference.pk}/"
    etag = anon.get(url)["ETag"]
    assert anon.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304

    ReferenceNoticeFactory(reference=reference, type=ReferenceNotice.Type.CORRECTION)

    assert anon.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200
