"""The evidence pages, read after load_demo: real content, warnings, escaping, 404s."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from evidence.models import Study, Verdict
from evidence.selectors.condition import SUB_CONDITIONS_WITH_VERDICTS, VERDICTS_PER_SUB_CONDITION
from references.models import Reference, RetractionStatus
from tests.factories import ConditionFactory, StudyFactory, TherapyFactory, VerdictFactory
from tests.support.publishing import publish

pytestmark = pytest.mark.django_db

RA = "rheumatoid-arthritis"
PAIR_URL = "/conditions/rheumatoid-arthritis/ivig/"


def _text(response) -> str:
    """The page's visible text, whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _row(response, study: Study) -> str:
    match = re.search(rf'<tr id="study-{study.pk}".*?</tr>', response.content.decode(), flags=re.S)
    assert match, f"no row for study {study.pk}"
    return match.group(0)


def _reference_item(response, number: int) -> str:
    match = re.search(rf'<li id="ref-{number}".*?</li>', response.content.decode(), flags=re.S)
    assert match, f"no reference [{number}]"
    return match.group(0)


# --- home and search ----------------------------------------------------------------------


def test_home_lists_conditions_nested_and_therapies(client, demo):
    response = client.get(reverse("evidence:home"))
    html = response.content.decode()

    assert response.status_code == 200
    assert 'href="/conditions/rheumatoid-arthritis/"' in html
    assert 'href="/therapies/ivig/"' in html
    # Sub-conditions are a list nested inside their parent's item.
    nested = re.search(
        r'href="/conditions/systemic-lupus-erythematosus/">.*?</span>\s*<ul class="tree">'
        r"(.*?)</ul>",
        html,
        flags=re.S,
    )
    assert nested
    assert 'href="/conditions/lupus-nephritis/"' in nested.group(1)
    assert 'href="/conditions/lupus-pregnancy/"' in nested.group(1)
    assert 'action="/search/"' in html
    assert 'name="q"' in html
    assert 'class="skip-link" href="#main"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("IGIV", 'href="/therapies/ivig/"'),
        ("sle", 'href="/conditions/systemic-lupus-erythematosus/"'),
        ("Rheumatoid", 'href="/conditions/rheumatoid-arthritis/"'),
        ("Dectin-1", 'href="/conditions/rheumatoid-arthritis/ivig/"'),
    ],
)
def test_search_matches_names_aliases_synonyms_and_reference_titles(client, demo, query, expected):
    response = client.get(reverse("search:search"), {"q": query})
    assert response.status_code == 200
    assert expected in response.content.decode()


def test_blank_search_shows_a_hint(client, demo):
    response = client.get(reverse("search:search"), {"q": "  "})
    assert response.status_code == 200
    assert "Type a condition" in _text(response)


# --- condition page -------------------------------------------------------------------------


def test_condition_page_summarises_every_therapy(client, demo):
    response = client.get(reverse("evidence:condition-detail", args=[RA]))
    text = _text(response)
    html = response.content.decode()

    assert response.status_code == 200
    assert "Status: Investigational" in text
    assert "Certainty: Very low" in text
    assert "IVIG is not an established treatment" in text
    assert "3 human studies: 1 benefit 2 no benefit ." in text
    assert "1 review or guideline (1 unclear)" in text
    assert "2 preclinical studies, animal or laboratory (2 benefit)" in text
    assert "National Blood Authority (Australia)" in text
    assert "Not supported" in text
    assert "Last reviewed 21 November 2026" in text
    assert 'href="/conditions/rheumatoid-arthritis/ivig/"' in html
    assert "1.3 million" in text
    assert 'href="https://doi.org/10.3390/jcm10153289"' in html
    assert "Warning" not in text
    assert "Needs review" not in text


def test_parent_condition_lists_its_sub_conditions_and_their_verdicts(client, demo):
    response = client.get(
        reverse("evidence:condition-detail", args=["systemic-lupus-erythematosus"])
    )
    html = response.content.decode()

    assert response.status_code == 200
    assert 'href="/conditions/lupus-nephritis/"' in html
    assert 'href="/conditions/lupus-nephritis/ivig/"' in html
    assert 'href="/conditions/lupus-pregnancy/ivig/"' in html
    assert "Certainty: Very low" in _text(response)


# --- pair page ------------------------------------------------------------------------------


def test_pair_page_shows_verdict_takeaways_and_limitations(client, demo):
    response = client.get(PAIR_URL)
    text = _text(response)

    assert response.status_code == 200
    assert "Status: Investigational" in text
    assert "Certainty: Very low" in text
    assert "Treat IVIG for rheumatoid arthritis as investigational." in text
    assert "Dectin-1" in text  # mechanism
    assert "not FDA-approved" in text  # limitations
    assert "FDA (United States): Not approved" in text


def test_pair_page_study_rows_are_sorted_by_year_and_link_their_reference(client, demo):
    response = client.get(PAIR_URL)
    html = response.content.decode()
    years = [int(y) for y in re.findall(r'<tr id="study-\d+"[^>]*>\s*<td[^>]*>(\d{4})</td>', html)]
    assert years == sorted(years) == [1994, 1995, 1996, 2015, 2021, 2023]

    muscat = Study.objects.get(reference__doi="10.1136/ard.54.5.382")
    row = _row(response, muscat)
    assert "400 mg/kg" in row
    assert '<td data-label="Participants">10<br>' in row
    assert "Benefit" in row
    # Background sources are [1]-[4], then the studies in year order: Muscat is [6].
    assert 'href="#ref-6"' in row
    # Where the details come from: the seed article, background source [1].
    assert 'Details as reported by <a class="cite" href="#ref-1">[1]</a>' in row
    item = _reference_item(response, 6)
    assert "Muscat C, et al." in item
    assert "Ann Rheum Dis. 1995;54(5):382\u20135." in item  # citeproc: an en dash
    assert 'href="https://doi.org/10.1136/ard.54.5.382"' in item


def test_pair_page_numbers_references_in_order_of_first_mention(client, demo):
    response = client.get(PAIR_URL)
    html = response.content.decode()
    numbers = [int(n) for n in re.findall(r'<li id="ref-(\d+)"', html)]
    assert numbers == list(range(1, 15))

    assert "AmeriPharma Specialty Care." in _reference_item(response, 1)
    assert "Mulhearn B, Bruce IN." in _reference_item(response, 2)
    assert "Silverman ED, et al." in _reference_item(response, 5)
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/7699642/"' in _reference_item(response, 5)
    assert "Seeling M, et al." in _reference_item(response, 10)
    nba = _reference_item(response, 11)
    assert "National Blood Authority" in nba
    assert 'href="https://www.blood.gov.au/' in nba
    # The guideline position cites [11]; the renal failure row cites the sucrose papers.
    guideline = html[html.index('id="guidelines-heading"') : html.index('id="regulatory-heading"')]
    assert "Criteria for the clinical use of intravenous immunoglobulin in Australia" in guideline
    assert 'href="#ref-11"' in guideline
    assert "Reemergence of Sucrose Nephropathy" in html
    assert 'href="#ref-12"' in html and 'href="#ref-14"' in html


def test_pair_page_shows_safety(client, demo):
    response = client.get(PAIR_URL)
    text = _text(response)

    assert "Anaphylaxis" in text
    assert "IgA deficiency" in text and "anti-IgA" not in text
    assert "1 in 700" in text
    assert "Acute renal failure" in text
    assert "About 90% fewer cases" in text
    # The seeds name kinds of product, not brands.
    assert "Sucrose-stabilised products brand not reported" in text
    assert "Sorbitol-stabilised products brand not reported" in text


def test_retracted_study_warns_on_the_row_verdict_and_condition_page(client, demo):
    muscat = Study.objects.get(reference__doi="10.1136/ard.54.5.382")
    Reference.objects.filter(pk=muscat.reference_id).update(
        retraction_status=RetractionStatus.RETRACTED
    )

    pair = client.get(PAIR_URL)
    row = _row(pair, muscat)
    assert 'class="is-flagged"' in row
    assert "Warning: Retracted" in row
    verdict_section = pair.content.decode().split('id="takeaways-heading"')[0]
    assert "this verdict rests on sources that have been retracted" in verdict_section
    assert f'href="#study-{muscat.pk}"' in verdict_section
    assert "Warning: Retracted." in _reference_item(pair, 6)

    condition = _text(client.get(reverse("evidence:condition-detail", args=[RA])))
    assert "Warning: this verdict cites 1 study whose reference has been retracted" in condition


def test_expression_of_concern_on_a_background_source_is_flagged_too(client, demo):
    Reference.objects.filter(doi="10.1093/rheumatology/keu429").update(
        retraction_status=RetractionStatus.EXPRESSION_OF_CONCERN
    )
    text = _text(client.get(PAIR_URL))
    assert "Background source [2] is marked expression of concern" in text
    condition = _text(client.get(reverse("evidence:condition-detail", args=[RA])))
    assert "1 background source that has been retracted or flagged" in condition


def test_needs_review_shows_its_reasons(client, demo):
    Verdict.objects.filter(condition__slug=RA).update(
        needs_review=True,
        review_reasons=[
            {
                "code": "retracted_study",
                "message": "A cited trial was retracted in 2026.",
                "at": "2026-03-04",
            }
        ],
    )
    for url in (PAIR_URL, reverse("evidence:condition-detail", args=[RA])):
        text = _text(client.get(url))
        assert "Needs review:" in text
        assert "A cited trial was retracted in 2026. ( 4 March 2026 )" in text


def test_upstream_text_is_escaped(client, demo):
    script = "<script>alert('x')</script>"
    study = Study.objects.get(reference__doi="10.1136/ard.54.5.382")
    Reference.objects.filter(pk=study.reference_id).update(title=f"Evil {script} title")
    Study.objects.filter(pk=study.pk).update(outcome_summary=f"Evil {script} summary")
    Verdict.objects.filter(condition__slug=RA).update(summary=f"Evil {script} verdict")
    publish()  # the study and the verdict are the draft's until published

    for url in (PAIR_URL, reverse("evidence:condition-detail", args=[RA])):
        html = client.get(url).content.decode()
        assert "<script>" not in html
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    search = client.get(reverse("search:search"), {"q": "<script>"}).content.decode()
    assert "<script>" not in search
    assert "&lt;script&gt;" in search


# --- 404s -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/conditions/no-such-condition/",
        "/conditions/no-such-condition/ivig/",
        "/conditions/rheumatoid-arthritis/no-such-therapy/",
        "/therapies/no-such-therapy/",
    ],
)
def test_unknown_slugs_are_404(client, demo, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "Page not found" in _text(response)


def test_pair_without_a_verdict_is_404_even_with_studies(client, db):
    study = StudyFactory()
    assert study.verdict is None
    url = reverse("evidence:pair-detail", args=[study.condition.slug, study.therapy.slug])
    assert client.get(url).status_code == 404


def test_pages_render_with_factory_data(client, db):
    verdict = VerdictFactory(therapy=TherapyFactory(), condition=ConditionFactory())
    StudyFactory(therapy=verdict.therapy, condition=verdict.condition)
    publish(verdict)
    for url in (
        reverse("evidence:home"),
        reverse("evidence:condition-detail", args=[verdict.condition.slug]),
        reverse("evidence:pair-detail", args=[verdict.condition.slug, verdict.therapy.slug]),
    ):
        assert client.get(url).status_code == 200


def test_stylesheet_is_local_responsive_and_has_print_rules(client, demo):
    html = client.get(reverse("evidence:home")).content.decode()
    assert 'href="/static/css/site.css"' in html
    assert "//cdn" not in html and "<script" not in html
    with open(finders.find("css/site.css"), encoding="utf-8") as css:
        stylesheet = css.read()
    assert "@media print" in stylesheet
    assert "@media (min-width" in stylesheet


def test_a_condition_with_many_sub_conditions_names_them_all_and_bounds_their_verdicts(client, db):
    parent = ConditionFactory(name="Parent condition")
    therapies = TherapyFactory.create_batch(VERDICTS_PER_SUB_CONDITION + 2)
    subs = [
        ConditionFactory(name=f"Sub {i:02d}", parent=parent)
        for i in range(SUB_CONDITIONS_WITH_VERDICTS + 3)
    ]
    for sub in subs:
        for therapy in therapies:
            VerdictFactory(condition=sub, therapy=therapy)
    publish()

    html = client.get(reverse("evidence:condition-detail", args=[parent.slug])).content.decode()

    for sub in subs:
        assert f'href="{reverse("evidence:condition-detail", args=[sub.slug])}"' in html
    first, last = subs[0], subs[-1]
    first_links = html.count(f"/conditions/{first.slug}/{therapies[0].slug}/")
    assert first_links == 1
    # its name, its first verdicts, and "and 2 more"
    assert html.count(f'href="/conditions/{first.slug}/') == VERDICTS_PER_SUB_CONDITION + 2
    assert "and 2 more" in html
    assert f"/conditions/{last.slug}/{therapies[0].slug}/" not in html
    assert f"{len(therapies)} therapies reviewed" in html
