"""A retraction found upstream reaches every page that rests on the retracted study."""

import copy
import json
import re

import pytest

from evidence.models import Verdict
from references.models import Reference
from references.services.jobs import import_job_run, refresh_job_create
from tests.support.fake_upstream import FIXTURES, RecordedUpstream

pytestmark = pytest.mark.django_db

MUSCAT_DOI = "10.1136/ard.54.5.382"


@pytest.fixture
def retracted_muscat(upstream, upstream_settings):
    """Crossref says the 1995 open study was retracted (a made-up notice for the test)."""
    recorded = json.loads(
        (FIXTURES / "crossref/works/retracted-10.1016_s0140-6736-97-11096-0.json").read_bytes()
    )["message"]
    message = copy.deepcopy(recorded)
    message["DOI"] = MUSCAT_DOI
    message["title"] = ["Long term treatment of rheumatoid arthritis with high doses of IVIG"]
    fake = RecordedUpstream(works={MUSCAT_DOI: message})
    upstream.on(re.compile(r"/(pubmed|crossref)/.*"), fake)
    return fake


def test_a_retraction_flags_the_verdict_and_warns_on_the_pages(demo, retracted_muscat, client):
    reference = Reference.objects.get(doi=MUSCAT_DOI)
    ra = Verdict.objects.get(condition__slug="rheumatoid-arthritis", therapy__slug="ivig")
    assert not ra.needs_review

    job = import_job_run(job_id=refresh_job_create(reference_ids=[reference.pk]).pk)

    assert job.status == "succeeded"
    reference.refresh_from_db()
    assert reference.retraction_status == "retracted"
    ra.refresh_from_db()
    assert ra.needs_review
    assert [reason["code"] for reason in ra.review_reasons] == ["retracted_study"]
    assert "retracted" in ra.review_reasons[0]["message"]
    unrelated = Verdict.objects.get(condition__slug="lupus-nephritis")
    assert not unrelated.needs_review

    pair = client.get("/conditions/rheumatoid-arthritis/ivig/").content.decode()
    assert "this verdict rests on sources that have been retracted" in pair
    rows = re.findall(r"<tr[^>]*>.*?</tr>", pair, re.S)
    muscat_row = next(r for r in rows if "400 mg/kg" in r)
    assert "Warning: Retracted" in muscat_row

    summary = client.get("/conditions/rheumatoid-arthritis/").content.decode()
    assert "retracted or flagged" in summary
