"""Uploads the worker reads: hostile XML, readable files with bad records, encodings and
values that cannot be stored (what the product does: test_uploads.py)."""

from __future__ import annotations

import re

import pytest

from references.models import ImportJob, ImportJobItem, Reference
from references.services.jobs import import_job_run
from tests.bad_input.uploads import (
    FILES,
    GOOD,
    XML_ATTACKS,
    assert_failed_by_worker,
    assert_failed_in_admin,
    parsed_job,
    stored_job,
)
from tests.support.fake_upstream import RecordedUpstream

pytestmark = pytest.mark.django_db

# --- XML bombs and external entities --------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("billion-laughs.xml", "declares entity 'lol'"),
        ("xxe-etc-passwd.xml", "declares entity 'xxe'"),
        ("xxe-parameter-entity.xml", "declares entity 'passwd'"),
    ],
)
def test_xml_declaring_entities_fails_its_job(api_upload, admin_client, admin_upload, name, phrase):
    data = (XML_ATTACKS / name).read_bytes()

    assert_failed_by_worker(api_upload(name, data), phrase)
    ImportJob.objects.all().delete()
    assert_failed_in_admin(admin_client, admin_upload(name, data), phrase)


def test_xml_pointing_at_an_outside_address_makes_no_request(api_upload, upstream):
    """SSRF: neither an external DTD nor an external entity is ever fetched."""
    dtd = upstream.url("/evil.dtd")
    external_dtd = (
        f'<?xml version="1.0"?><!DOCTYPE PubmedArticleSet SYSTEM "{dtd}">'
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>7</PMID><Article>"
        "<ArticleTitle>External DTD</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
        "</PubmedArticleSet>"
    ).encode()
    external_entity = (
        f'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "{dtd}">]>'
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>8</PMID><Article>"
        "<ArticleTitle>&e;</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
        "</PubmedArticleSet>"
    ).encode()

    assert_failed_by_worker(api_upload("entity.xml", external_entity), "declares entity 'e'")
    ImportJob.objects.all().delete()
    job = parsed_job(api_upload("dtd.xml", external_dtd))

    assert job.items.get().raw.startswith('"External DTD')  # the DTD is ignored, the record read
    assert upstream.calls == []


# --- readable files with bad records: the good ones are imported, each bad one reported ----

MIXED = {
    # extension: (file, lines of the bad records, how many good ones)
    "ris": (FILES / "mixed-records.ris", [17, 24, 30, 41], 2),
    "nbib": (FILES / "mixed-records.nbib", [28, 32], 2),
    "bib": (FILES / "mixed-records.bib", [16, 22, 26, 36], 2),
    "json": (FILES / "mixed-items.json", [17, 23, 24], 2),
}


@pytest.fixture
def recorded(upstream, upstream_settings):
    fake = RecordedUpstream({}, {})
    upstream.on(re.compile(r"/(pubmed|crossref)/.*"), fake)
    return fake


@pytest.mark.parametrize("ext", list(MIXED))
def test_good_records_are_imported_and_bad_ones_reported_by_line(api_upload, recorded, ext):
    path, bad_lines, good = MIXED[ext]

    job = stored_job(api_upload(f"library.{ext}", path.read_bytes()))
    assert Reference.objects.count() == 0  # nothing is written before the job runs

    job = import_job_run(job_id=job.pk)

    failed = job.items.filter(status=ImportJobItem.Status.FAILED)
    assert sorted(item.line for item in failed) == bad_lines
    assert all(item.message for item in failed)
    assert job.status == ImportJob.Status.PARTIAL
    assert job.failed_count == len(bad_lines)
    assert Reference.objects.count() == good


def test_a_pubmed_xml_record_with_nothing_in_it_is_reported_not_imported(api_upload, recorded):
    data = (
        b"<PubmedArticleSet><PubmedArticle/>"
        + GOOD["xml"].split(b"<PubmedArticleSet>", 1)[1].split(b"</PubmedArticleSet>")[0]
        + b"</PubmedArticleSet>"
    )

    job = parsed_job(api_upload("mixed.xml", data))

    statuses = list(job.items.order_by("position").values_list("status", "line"))
    assert statuses == [("pending", 3), ("failed", 1)]  # records first, then the errors
    import_job_run(job_id=job.pk)
    assert list(Reference.objects.values_list("pmid", flat=True)) == ["993"]


def test_a_file_of_only_bad_records_starts_a_job_that_fails(api_upload, recorded):
    data = b"TY  - JOUR\nDO  - not a doi\nER  - \n\nTY  - JOUR\nPY  - 2001\nER  - \n"

    job = stored_job(api_upload("bad.ris", data))

    job = import_job_run(job_id=job.pk)

    assert set(job.items.values_list("status", flat=True)) == {"failed"}
    assert job.total == 2
    assert job.status == ImportJob.Status.FAILED
    assert not Reference.objects.exists()


@pytest.mark.parametrize(
    ("name", "data", "title"),
    [
        ("latin1.ris", "TY  - JOUR\nTI  - Café au lait\nER  - \n".encode("cp1252"), "Café au lait"),
        ("bom.ris", "\ufeffTY  - JOUR\nTI  - Naïve\nER  - \n".encode(), "Naïve"),
        ("utf16.ris", "TY  - JOUR\nTI  - Ünïcödé\nER  - \n".encode("utf-16"), "Ünïcödé"),
        (
            "latin1.xml",
            "<?xml version='1.0' encoding='iso-8859-1'?><PubmedArticleSet><PubmedArticle>"
            "<MedlineCitation><PMID>5</PMID><Article><ArticleTitle>Señor</ArticleTitle>"
            "</Article></MedlineCitation></PubmedArticle></PubmedArticleSet>".encode("latin-1"),
            "Señor",
        ),
    ],
)
def test_legacy_encodings_are_read(api_upload, name, data, title):
    job = parsed_job(api_upload(name, data))

    assert job.items.get(position=0).raw.startswith(f'"{title}')


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b'[{"title": "NUL \\u0000 in a title"}]', "a NUL character"),
        (b'[{"title": "ok", "author": [{"family": "\\ud800"}]}]', "an unpaired surrogate"),
    ],
)
def test_json_text_that_cannot_be_stored_fails_its_record(api_upload, data, problem):
    job = parsed_job(api_upload("refs.json", data))

    [item] = job.items.all()
    assert item.status == "failed" and problem in item.message


def test_json_nested_beyond_the_recursion_limit_is_refused(api_upload):
    data = b"[" * 100_000 + b"]" * 100_000

    assert_failed_by_worker(api_upload("deep.json", data), "nested too deeply")


def test_implausible_years_are_dropped_not_stored(api_upload, recorded):
    data = (
        b'[{"title": "Year 99999", "issued": {"date-parts": [[99999, 1]]}},'
        b' {"title": "Year 1066", "issued": {"date-parts": [["1066"]]}},'
        b' {"title": "Superscript day", "issued": {"date-parts": [[2001, 2, "\xc2\xb2"]]}}]'
    )

    job = stored_job(api_upload("years.json", data))
    job = import_job_run(job_id=job.pk)

    assert job.status == ImportJob.Status.SUCCEEDED
    assert dict(Reference.objects.values_list("title", "year")) == {
        "Year 99999": None,
        "Year 1066": None,
        "Superscript day": 2001,
    }


def test_a_too_long_doi_in_a_file_fails_its_record(api_upload):
    data = b"TY  - JOUR\nTI  - Long DOI\nDO  - 10.1000/" + b"x" * 300 + b"\nER  - \n"

    job = parsed_job(api_upload("long.ris", data))

    [item] = job.items.all()
    assert item.status == "failed" and "longer than 250 characters" in item.message
