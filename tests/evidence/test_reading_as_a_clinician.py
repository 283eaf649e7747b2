"""The demo read as a clinician would: every number a page or the API shows matches the
stored facts, human studies are the headline with reviews and preclinical work apart, the
certainty obeys GRADE, and a parent condition leads to the evidence of its sub-conditions.

The expected values are read from the rows through other paths than the pages use
(distinct references per kind of design, in Python), so a wrong count on a page fails.
"""

import re
from collections import Counter, defaultdict

import pytest
from django.urls import reverse

from evidence import grade
from evidence.models import (
    PRECLINICAL_DESIGNS,
    REVIEW_DESIGNS,
    Direction,
    OutcomeFinding,
    Study,
    Verdict,
)

pytestmark = pytest.mark.django_db

PAIRS = [
    "rheumatoid-arthritis",
    "systemic-lupus-erythematosus",
    "lupus-nephritis",
    "lupus-pregnancy",
]


def _text(html: str) -> str:
    html = re.sub(r"(?s)<(script|style|svg)[^>]*>.*?</\1>", " ", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _kind(design: str) -> str:
    if design in REVIEW_DESIGNS:
        return "reviews"
    if design in PRECLINICAL_DESIGNS:
        return "preclinical"
    return "human"


def _stored_counts(condition_slug: str) -> dict[str, Counter]:
    """Per kind, reports by direction: one per reference, "mixed" when its rows disagree."""
    directions: dict[tuple[str, int], set[str]] = defaultdict(set)
    for study in Study.objects.filter(condition__slug=condition_slug, therapy__slug="ivig"):
        directions[(_kind(study.design), study.reference_id)].add(study.direction)
    counts: dict[str, Counter] = defaultdict(Counter)
    for (kind, _), found in directions.items():
        counts[kind][found.pop() if len(found) == 1 else Direction.MIXED] += 1
    return counts


def _pair_html(client, slug: str) -> str:
    response = client.get(reverse("evidence:pair-detail", args=[slug, "ivig"]))
    assert response.status_code == 200
    return response.content.decode()


def _headline(counts: Counter) -> str:
    total = sum(counts.values())
    if not total:
        return "No human studies recorded."
    parts = " ".join(
        f"{counts[value]} {label.lower()}" for value, label in Direction.choices if counts[value]
    )
    return f"{total} human stud{'y' if total == 1 else 'ies'}: {parts} ."


def test_the_ra_page_counts_one_human_study_with_benefit_and_two_without(client, demo):
    glance = _text(_pair_html(client, "rheumatoid-arthritis").split('id="glance-heading"')[1])
    assert "3 human studies: 1 benefit 2 no benefit ." in glance
    assert "1 review or guideline (1 unclear)" in glance
    assert "2 preclinical studies, animal or laboratory (2 benefit)" in glance
    assert "6 studies" not in glance


@pytest.mark.parametrize("slug", PAIRS)
def test_every_pair_page_headline_matches_the_stored_studies(client, demo, slug):
    stored = _stored_counts(slug)
    text = _text(_pair_html(client, slug))
    assert _headline(stored["human"]) in text
    for kind, words in (("reviews", "review"), ("preclinical", "preclinical stud")):
        if stored[kind]:
            assert f"{sum(stored[kind].values())} {words}" in text
        else:
            assert f" {words}" not in text.split("Counted apart")[-1].split(".")[0]


def test_a_review_with_two_outcomes_counts_once(client, demo):
    assert Study.objects.filter(condition__slug="lupus-nephritis").count() == 2
    text = _text(_pair_html(client, "lupus-nephritis"))
    assert "No human studies recorded." in text
    assert "1 review or guideline (1 benefit)" in text
    assert "2 studies" not in text and "2 reviews" not in text


@pytest.mark.parametrize("slug", PAIRS)
def test_every_study_row_shows_its_stored_details_or_not_reported(client, demo, slug):
    html = _pair_html(client, slug)
    for study in Study.objects.filter(condition__slug=slug).select_related("reference"):
        row = re.search(rf'<tr id="study-{study.pk}".*?</tr>', html, re.S).group(0)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        assert cells[0] == str(study.reference.year)
        participants = _text(cells[2]).strip()
        if study.participants is None:
            assert participants.startswith("Not reported")
        else:
            assert participants.startswith(str(study.participants))
        if not study.dose_regimen:
            assert _text(cells[3]).strip().startswith("Not reported")
        # Where the details were read: the citing article is numbered on the page.
        source = re.search(r'Details as reported by <a class="cite" href="#ref-(\d+)"', row)
        assert source, row
        item = re.search(rf'<li id="ref-{source.group(1)}".*?</li>', html, re.S).group(0)
        assert study.extraction_reference.title.split(":")[0] in _text(item)


def test_the_certainty_is_the_lowest_among_the_critical_outcomes(client, demo):
    for verdict in Verdict.objects.select_related("condition"):
        findings = list(OutcomeFinding.objects.filter(verdict=verdict))
        ceiling = grade.certainty_ceiling(findings)
        if ceiling is not None and not verdict.certainty_override_reason:
            # A higher rank is a lower certainty: never above the ceiling.
            assert grade.certainty_rank(verdict.certainty) >= grade.certainty_rank(ceiling)
    text = _text(_pair_html(client, "rheumatoid-arthritis"))
    assert "How sure are we? Very low certainty" in text


def test_the_sle_pair_page_leads_to_the_nephritis_and_pregnancy_evidence(client, demo):
    html = _pair_html(client, "systemic-lupus-erythematosus")
    studies = html.split('id="studies-heading"')[1].split("</section>")[0]
    assert "No studies recorded for this pair" not in studies
    for slug in ("lupus-nephritis", "lupus-pregnancy"):
        assert f'href="/conditions/{slug}/ivig/"' in studies
        assert f'href="/conditions/{slug}/ivig/"' in html.split('id="glance-heading"')[1]
    text = _text(studies)
    assert "Lupus nephritis : Status: Investigational Certainty: Very low" in text
    assert "no human studies, 1 review" in text
    assert "1 human study (1 benefit)" in text


def test_the_sle_condition_page_rolls_up_its_sub_conditions(client, demo):
    html = client.get(reverse("evidence:condition-detail", args=["systemic-lupus-erythematosus"]))
    text = _text(html.content.decode().split('id="sub-conditions-heading"')[1])
    for slug in ("lupus-nephritis", "lupus-pregnancy"):
        stored = _stored_counts(slug)
        human = sum(stored["human"].values())
        assert f'href="/conditions/{slug}/ivig/"' in html.content.decode()
        phrase = f"{human} human stud" if human else "no human studies"
        assert phrase in text
    assert text.count("Certainty: Very low") == 2


def test_the_summary_api_groups_counts_by_kind_of_evidence(client, demo):
    body = client.get("/api/v1/conditions/rheumatoid-arthritis/summary/").json()
    (ivig,) = body["therapies"]
    groups = ivig["study_counts_by_group"]
    stored = _stored_counts("rheumatoid-arthritis")
    for kind in ("human", "reviews", "preclinical"):
        for value in Direction.values:
            assert groups[kind][value] == stored[kind][value], (kind, value)
        assert groups[kind]["total"] == sum(stored[kind].values())
    assert groups["human"] == {**groups["human"], "benefit": 1, "no_benefit": 2, "total": 3}
    assert ivig["study_counts"] == groups["human"]
    assert ivig["certainty"] == "very_low" and ivig["certainty_override_reason"] == ""

    sle = client.get("/api/v1/conditions/systemic-lupus-erythematosus/summary/").json()
    subs = {sub["slug"]: sub["verdicts"][0] for sub in sle["sub_conditions"]}
    assert subs["lupus-nephritis"]["study_counts_by_group"]["reviews"]["total"] == 1
    assert subs["lupus-nephritis"]["study_counts_by_group"]["human"]["total"] == 0
    assert subs["lupus-pregnancy"]["study_counts_by_group"]["human"]["benefit"] == 1


def test_the_study_api_says_where_the_details_come_from(client, demo):
    study = Study.objects.get(reference__doi="10.1136/ard.54.5.382")
    body = client.get(f"/api/v1/studies/{study.pk}/").json()
    assert body["extraction_source"] == "seed_article"
    assert body["extraction_reference"]["title"].startswith("IVIG for Rheumatoid Arthritis")
    assert body["participants"] == 10
    silverman = Study.objects.get(reference__pmid="7699642")
    body = client.get(f"/api/v1/studies/{silverman.pk}/").json()
    assert (body["participants"], body["dose_regimen"]) == (None, "")
