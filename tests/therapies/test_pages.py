"""The therapy page after load_demo: verdicts across conditions, safety, a fixed query count."""

import re

import pytest
from django.urls import reverse

from evidence.models import Condition
from references.models import Reference, RetractionStatus
from therapies.models import Therapy

pytestmark = pytest.mark.django_db

# therapy + verdicts + study counts + regulatory statuses + 5 for safety
THERAPY_QUERIES = 9
URL = "/therapies/ivig/"


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def test_therapy_page_lists_the_verdict_for_each_condition(client, demo):
    response = client.get(reverse("therapies:therapy-detail", args=["ivig"]))
    html = response.content.decode()
    text = _text(response)

    assert response.status_code == 200
    assert "Intravenous immunoglobulin (IVIG)" in text
    assert "IGIV" in text
    for slug in (
        "rheumatoid-arthritis",
        "systemic-lupus-erythematosus",
        "lupus-nephritis",
        "lupus-pregnancy",
    ):
        assert f'href="/conditions/{slug}/ivig/"' in html
    assert "Status: Investigational" in text
    assert "Certainty: Very low" in text
    assert "FDA (United States): Not approved for" in text
    assert "thousands of donors" in text


def test_therapy_page_shows_safety_with_numbered_references(client, demo):
    response = client.get(URL)
    html = response.content.decode()
    text = _text(response)

    assert "Anaphylaxis" in text and "1 in 700" in text
    assert "IgA deficiency with anti-IgA antibodies" in text
    assert "Carimune NF" in text and "Sucrose" in text
    assert "Gamunex-C" in text and "Glycine" in text
    assert "Hizentra" in text and "Subcutaneous" in text
    assert re.findall(r'<li id="ref-(\d+)"', html) == ["1", "2"]
    assert 'href="#ref-1"' in html and 'href="#ref-2"' in html


def test_therapy_page_warns_about_retracted_studies(client, demo):
    Reference.objects.filter(doi="10.1136/ard.54.5.382").update(
        retraction_status=RetractionStatus.RETRACTED
    )
    assert "Warning: cites 1 retracted or flagged study" in _text(client.get(URL))


def test_unknown_therapy_is_404(client, db):
    assert client.get("/therapies/nothing-here/").status_code == 404


@pytest.mark.parametrize("n", [5, 1000])
def test_therapy_page_query_count_does_not_grow(
    client, demo, add_studies, django_assert_max_num_queries, n
):
    ivig = Therapy.objects.get(slug="ivig")
    for slug in ("rheumatoid-arthritis", "lupus-nephritis"):
        add_studies(n, therapy=ivig, condition=Condition.objects.get(slug=slug), prefix=slug)

    with django_assert_max_num_queries(THERAPY_QUERIES):
        response = client.get(URL)

    assert response.status_code == 200
    assert "Warning: cites" in _text(response)
