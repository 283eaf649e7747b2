"""The pair page "at a glance": answer box, summary of findings, citation styles, downloads."""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from evidence.models import Condition, OutcomeFinding, Study, Verdict
from references.models import Reference
from tests.evidence.test_query_counts import PAIR_QUERIES
from tests.support.publishing import publish
from therapies.models import Therapy

pytestmark = pytest.mark.django_db

RA_PAIR = "/conditions/rheumatoid-arthritis/ivig/"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _section(html: str, heading_id: str) -> str:
    match = re.search(rf'<section[^>]*aria-labelledby="{heading_id}".*?</section>', html, re.S)
    assert match, heading_id
    return match.group(0)


def test_the_answer_box_says_whether_it_works_how_sure_and_how_safe(client, demo):
    glance = _text(_section(client.get(RA_PAIR).content.decode(), "glance-heading"))
    assert "Does it work? Investigational" in glance
    # Human studies are the headline; the review and the preclinical work are apart.
    assert "3 human studies: 1 benefit 2 no benefit ." in glance
    assert (
        "Counted apart, not as studies: 1 review or guideline (1 unclear) ; "
        "2 preclinical studies, animal or laboratory (2 benefit) ." in glance
    )
    assert "Largest randomised trial: 1994, size not reported, no benefit." in glance
    assert "National Blood Authority (Australia): not supported." in glance
    assert "How sure are we? Very low certainty" in glance
    assert "Rated down for risk of bias, inconsistency, indirectness, imprecision." in glance
    assert (
        "2 serious or life-threatening adverse effects: Acute renal failure, Anaphylaxis." in glance
    )
    assert "Do not use with: IgA deficiency." in glance


def test_summary_of_findings_shows_effects_certainty_and_why_it_was_rated_down(client, demo):
    findings = _section(client.get(RA_PAIR).content.decode(), "findings-heading")
    rows = re.findall(r"<tr>.*?</tr>", findings.split("<tbody>")[1], re.S)
    assert len(rows) == 2
    first = _text(rows[0])
    assert "Overall benefit compared with placebo Critical" in first
    assert "1 study Not estimable" in first  # no size given: none shown
    assert "No significant difference from placebo" in first
    assert "Very low" in first
    assert "Rated down for: risk of bias (−1), indirectness (−1), imprecision (−1)" in first
    assert "Symptoms and physical function" in _text(rows[1])


def test_lupus_findings_and_a_verdict_without_any(client, demo):
    nephritis = _text(client.get("/conditions/lupus-nephritis/ivig/").content.decode())
    assert "Response, class IV and V nephritis" in nephritis
    assert "risk of bias (−2), imprecision (−1)" in nephritis
    pregnancy = _text(client.get("/conditions/lupus-pregnancy/ivig/").content.decode())
    assert "Every woman treated had a successful pregnancy" in pregnancy
    assert "RR " not in pregnancy  # the seed gives no effect size
    sle = _text(client.get("/conditions/systemic-lupus-erythematosus/ivig/").content.decode())
    assert "Outcomes are summarised under each related condition: Lupus nephritis" in sle


def test_demo_findings_are_loaded_once(demo):
    from evidence.services import demo_load

    demo_load()
    assert OutcomeFinding.objects.count() == 5
    assert (
        OutcomeFinding.objects.filter(verdict__condition__slug="rheumatoid-arthritis").count() == 2
    )


def _reference_item(html: str, number: int) -> str:
    return re.search(rf'<li id="ref-{number}".*?</li>', html, re.S).group(0)


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("", "Muscat C, et al. Long term treatment"),
        ("vancouver", "Ann Rheum Dis. 1995;54(5):382\u20135."),
        ("ama", "<i>Ann Rheum Dis</i>. 1995;54(5):382-385."),
        ("apa", "Muscat, C., et al. (1995). Long term treatment"),
        ("no-such-style", "Muscat C, et al. Long term treatment"),
    ],
)
def test_citation_style_is_chosen_on_the_page_and_numbering_is_kept(client, demo, style, expected):
    html = client.get(RA_PAIR, {"style": style} if style else {}).content.decode()
    assert expected in _reference_item(html, 6)  # Muscat is [6] whatever the style
    assert [int(n) for n in re.findall(r'<li id="ref-(\d+)"', html)] == list(range(1, 15))
    chosen = style if style in ("ama", "apa") else "vancouver"
    assert f'<option value="{chosen}" selected>' in html
    assert '<label for="citation-style">Citation style</label>' in html


def test_cite_this_page_gives_its_address_and_review_date(client, demo):
    html = client.get(RA_PAIR).content.decode()
    cite = _text(_section(html, "cite-heading"))
    assert (
        "Evidentia. Intravenous immunoglobulin (IVIG) for Rheumatoid arthritis [Internet]. "
        "Evidentia; 2026 [cited" in cite
    )
    assert "Available from: http://testserver/conditions/rheumatoid-arthritis/ivig/" in cite
    assert "dated by the last review of this page on 21 November 2026" in cite
    apa = _text(_section(client.get(RA_PAIR, {"style": "apa"}).content.decode(), "cite-heading"))
    assert "Evidentia. (2026, November 21)." in apa


@pytest.mark.parametrize(
    ("extension", "content_type", "marker"),
    [
        ("ris", "application/x-research-info-systems", "TY  - "),
        ("bib", "application/x-bibtex", "@"),
        ("json", "application/vnd.citationstyles.csl+json", None),
    ],
)
def test_the_pages_references_download_in_page_order(client, demo, extension, content_type, marker):
    url = reverse("evidence:pair-references", args=["rheumatoid-arthritis", "ivig", extension])
    assert url == f"/conditions/rheumatoid-arthritis/ivig/references.{extension}"
    assert f'href="{url}"' in client.get(RA_PAIR).content.decode()

    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(content_type)
    assert response["Content-Disposition"] == (
        f'attachment; filename="ivig-rheumatoid-arthritis-references.{extension}"'
    )
    body = response.content.decode()
    if marker:
        assert body.count(marker) == 14 if extension == "ris" else body.count("\n@") + 1 == 14
        assert body.index("Mulhearn") < body.index("Muscat") < body.index("Sucrose")
    else:
        items = json.loads(body)
        assert len(items) == 14
        assert items[0]["author"][0]["literal"] == "AmeriPharma Specialty Care"
        assert items[1]["author"][0]["family"] == "Mulhearn"


def test_downloads_for_an_unknown_pair_are_404(client, demo):
    assert client.get("/conditions/rheumatoid-arthritis/nothing/references.ris").status_code == 404
    assert client.get("/conditions/rheumatoid-arthritis/ivig/references.pdf").status_code == 404


def test_charts_pooling_and_citations_add_no_queries(
    client, demo, add_studies, django_assert_max_num_queries
):
    ivig = Therapy.objects.get(slug="ivig")
    ra = Condition.objects.get(slug="rheumatoid-arthritis")
    add_studies(300, therapy=ivig, condition=ra)
    # Every bulk study now has an effect size of the same outcome: forest plot and pooling.
    Study.objects.filter(outcome="Pain").update(
        effect_measure="RR", effect_size=0.8, ci_lower=0.6, ci_upper=1.07
    )
    publish()
    for style in ("vancouver", "apa"):
        with django_assert_max_num_queries(PAIR_QUERIES):
            response = client.get(RA_PAIR, {"style": style})
        html = response.content.decode()
        assert 'id="forest-plot-1"' in html
        assert html.count('data-role="pooled"') == 4  # REML and DL, wide and compact plots
        assert html.count('class="mark mark--') == 306


def test_upstream_text_in_citations_and_charts_is_escaped(client, demo):
    script = "<script>alert('x')</script>"
    # Written as a refresh writes it (save() stores the formatted citations); references
    # are not versioned, so the page shows the new title at once.
    reference = Reference.objects.get(doi="10.1136/ard.54.5.382")
    reference.title = f"Evil {script}"
    reference.save()
    for style in ("vancouver", "ama", "apa"):
        html = client.get(RA_PAIR, {"style": style}).content.decode()
        assert "<script>" not in html
        assert "Evil &lt;script&gt;alert(" in _reference_item(html, 6)


def test_the_verdict_admin_edits_findings_inline(client, demo):
    admin = get_user_model().objects.create_superuser("boss", "boss@example.org", "pw")
    client.force_login(admin)
    verdict = Verdict.objects.get(condition__slug="rheumatoid-arthritis")
    html = client.get(reverse("admin:evidence_verdict_change", args=[verdict.pk])).content.decode()
    assert 'name="findings-TOTAL_FORMS"' in html
    assert 'value="Overall benefit compared with placebo"' in html
    assert "Certainty, and the reasons it was rated down" in html
