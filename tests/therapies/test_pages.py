"""The therapy page after load_demo: verdicts across conditions, safety, a fixed query count."""

import re

import pytest
from django.urls import reverse

from evidence.models import Condition
from references.models import Reference, RetractionStatus
from therapies.models import Therapy

pytestmark = pytest.mark.django_db

# therapy + verdicts + study counts + regulatory statuses + 5 for safety
THERAPY_QUERIES = 10
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
    assert "IgA deficiency" in text and "anti-IgA" not in text
    assert "Sucrose-stabilised products brand not reported" in text
    assert "Sorbitol-stabilised products brand not reported" in text
    assert "Subcutaneous" not in text  # no subcutaneous product among IVIG formulations
    # The FDA status cites the RA article [1]; the safety facts and formulations cite the
    # sucrose papers and the lupus article, each numbered once.
    assert re.findall(r'<li id="ref-(\d+)"', html) == ["1", "2", "3", "4"]
    regulatory = html[html.index('id="regulatory-heading"') :]
    assert 'href="#ref-1"' in regulatory.split("</section>")[0]
    formulations = html[html.index("Formulations of") :].split("</table>")[0]
    assert formulations.count('class="cite"') == 4  # 3 sources for sucrose, 1 for sorbitol


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
