"""The SVG charts (evidence.presentation.charts) as rendered on the pages: marks, labels,
accessibility."""

import re

import defusedxml.ElementTree as ET
import pytest
from django.urls import reverse
from django.utils import timezone

from evidence.models import Design, Direction, Study, Verdict
from evidence.presentation.charts import timeline_svg
from references.models import Reference, RetractionStatus
from tests.factories import (
    ConditionFactory,
    ReferenceFactory,
    StudyFactory,
    TherapyFactory,
    VerdictFactory,
)
from tests.support.publishing import publish

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
RA_PAIR = "/conditions/rheumatoid-arthritis/ivig/"


def _svg(html: str, chart_id: str):
    match = re.search(
        rf'<svg xmlns="http://www.w3.org/2000/svg" id="{chart_id}".*?</svg>', html, re.S
    )
    assert match, f"no chart {chart_id}"
    return ET.fromstring(match.group(0))  # also proves the markup is well-formed XML


def _assert_accessible(svg) -> None:
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    title = svg.find(f"{SVG}title")
    desc = svg.find(f"{SVG}desc")
    assert (title.get("id"), desc.get("id")) == (title_id, desc_id)
    assert title.text and desc.text


def _marks(svg):
    return [g for g in svg.iter(f"{SVG}g") if "mark" in g.get("class", "").split()]


@pytest.fixture
def sized(demo):
    """The demo's RA studies with sizes the seed articles do not give (test data only),
    published: the pages show the published studies."""
    Study.objects.filter(reference__pmid="7699642").update(participants=31)
    Study.objects.filter(reference__pmid="8978962").update(participants=4)
    publish()


@pytest.fixture
def pregnancy_effect(demo):
    """An effect size for the demo's pregnancy study (test data; the seed gives none),
    published."""
    Study.objects.filter(condition__slug="lupus-pregnancy").update(
        effect_measure="RR", effect_size=1.33, ci_lower=0.96, ci_upper=1.85
    )
    publish()


# --- Timeline -------------------------------------------------------------------------------


def test_timeline_has_a_mark_for_each_study_by_year_and_design(client, sized):
    svg = _svg(client.get(RA_PAIR).content.decode(), "timeline-chart")
    _assert_accessible(svg)

    marks = sorted(
        (int(g.get("data-year")), g.get("data-design"), g.get("data-direction"))
        for g in _marks(svg)
    )
    assert marks == [
        (1994, Design.RCT, Direction.NO_BENEFIT),
        (1995, Design.CLINICAL_STUDY, Direction.BENEFIT),
        (1996, Design.CLINICAL_STUDY, Direction.NO_BENEFIT),
        (2015, Design.NARRATIVE_REVIEW, Direction.UNCLEAR),
        (2021, Design.ANIMAL, Direction.BENEFIT),
        (2023, Design.IN_VITRO, Direction.BENEFIT),
    ]
    labels = [t.text for t in svg.iter(f"{SVG}text")]
    assert "Randomised controlled trial" in labels
    assert "Clinical study (design not reported)" in labels
    # Human studies in the top rows, then reviews, then preclinical work.
    rows = [label for label in labels if label in dict(Design.choices).values()]
    assert rows == [
        "Randomised controlled trial",
        "Clinical study (design not reported)",
        "Narrative review",
        "Animal study",
        "In-vitro / mechanistic study",
    ]
    desc = svg.find(f"{SVG}desc").text
    assert "6 studies published from 1994 to 2023." in desc
    assert "1994: randomised controlled trial, 31 participants, no benefit." in desc


def test_timeline_mark_area_follows_participants_and_shape_follows_direction(client, sized):
    svg = _svg(client.get(RA_PAIR).content.decode(), "timeline-chart")
    by_year = {int(g.get("data-year")): g for g in _marks(svg)}

    rct = by_year[1994].find(f"{SVG}circle")  # no benefit: a hollow circle
    assert rct.get("fill") == "#ffffff"
    # Area in proportion to participants (31 against 10).
    radius = {year: float(g.get("data-radius")) for year, g in by_year.items()}
    assert radius[1994] ** 2 / radius[1995] ** 2 == pytest.approx(31 / 10, rel=0.01)
    assert float(rct.get("r")) == pytest.approx(radius[1994], abs=0.1)
    assert radius[1996] == radius[2015]  # 4 participants, and unknown: the minimum size
    assert by_year[1995].find(f"{SVG}polygon") is not None  # benefit: a triangle
    # Unknown number of participants: the smallest mark, outlined in dashes.
    review = by_year[2015].find(f"{SVG}rect")
    assert by_year[2015].get("data-participants") == "unknown"
    assert review.get("stroke-dasharray")


def test_a_retracted_study_is_struck_through_and_labelled(client, sized):
    muscat = Study.objects.get(reference__doi="10.1136/ard.54.5.382")
    Reference.objects.filter(pk=muscat.reference_id).update(
        retraction_status=RetractionStatus.RETRACTED
    )
    svg = _svg(client.get(RA_PAIR).content.decode(), "timeline-chart")

    retracted = [g for g in _marks(svg) if g.get("data-retracted") == "true"]
    assert [g.get("data-study") for g in retracted] == [str(muscat.pk)]
    (mark,) = retracted
    assert mark.find(f"{SVG}line[@class='strike']") is not None
    assert [t.text for t in mark.iter(f"{SVG}text")] == ["Retracted"]
    desc = svg.find(f"{SVG}desc").text
    assert (
        "1995: clinical study (design not reported), 10 participants, benefit, retracted." in desc
    )
    others = [g for g in _marks(svg) if g is not mark]
    assert all(g.find(f"{SVG}line") is None for g in others)


def test_chart_text_is_escaped(client, demo):
    muscat = Study.objects.get(reference__doi="10.1136/ard.54.5.382")
    Reference.objects.filter(pk=muscat.reference_id).update(
        authors=[{"family": "<script>alert(1)</script>", "initials": "X"}]
    )
    html = client.get(RA_PAIR).content.decode()
    assert "<script>" not in html
    svg = _svg(html, "timeline-chart")  # still well-formed
    titles = [t.text for t in svg.iter(f"{SVG}title")]
    assert any(title.startswith("<script>alert(1)</script> 1995") for title in titles)


def _axis_years(svg) -> tuple[list[int], float]:
    """The year axis's tick labels, and the year at the axis's right end (read off the
    tick positions, which are linear in the year)."""
    ticks = {
        int(t.text): float(t.get("x"))
        for t in svg.iter(f"{SVG}text")
        if t.text and re.fullmatch(r"\d{4}", t.text)
    }
    years = sorted(ticks)
    first, second = years[0], years[1]
    axis_line = next(
        line
        for line in svg.iter(f"{SVG}line")
        if line.get("y1") == line.get("y2") and float(line.get("x1")) <= ticks[first]
    )
    per_year = (ticks[second] - ticks[first]) / (second - first)
    return years, first + (float(axis_line.get("x2")) - ticks[first]) / per_year


@pytest.mark.parametrize("compact", [False, True], ids=["wide", "compact"])
def test_the_year_axis_ends_at_the_current_year(compact):
    therapy, condition = TherapyFactory(), ConditionFactory()
    studies = [
        StudyFactory(therapy=therapy, condition=condition, reference=ReferenceFactory(year=year))
        for year in (1994, 2015, 2021)
    ]
    svg = ET.fromstring(
        timeline_svg(studies=studies, chart_id="t", subject="the pair", compact=compact)
    )

    years, end = _axis_years(svg)

    this_year = timezone.localdate().year
    assert end == pytest.approx(this_year, abs=0.05)
    assert years[0] <= 1994 and years[-1] <= this_year


# --- Forest plot ----------------------------------------------------------------------------


@pytest.fixture
def pooled_pair(db):
    """Three RCTs of one outcome as risk ratios (all below 1), and a fourth, retracted."""
    verdict = VerdictFactory(therapy=TherapyFactory(name="Drug X", slug="drug-x"))
    effects = [(0.5, 0.3, 0.83, 1990), (0.7, 0.5, 0.98, 2000), (0.6, 0.45, 0.8, 2010)]
    studies = [
        StudyFactory(
            therapy=verdict.therapy,
            condition=verdict.condition,
            reference=ReferenceFactory(year=year),
            outcome="Mortality",
            effect_measure="RR",
            effect_size=effect,
            ci_lower=lower,
            ci_upper=upper,
        )
        for effect, lower, upper, year in effects
    ]
    retracted = StudyFactory(
        therapy=verdict.therapy,
        condition=verdict.condition,
        reference=ReferenceFactory(year=2015, retraction_status=RetractionStatus.RETRACTED),
        outcome=" mortality ",  # the same outcome, written differently
        effect_measure="RR",
        effect_size=3.0,
        ci_lower=2.0,
        ci_upper=4.5,
    )
    publish(verdict)
    url = reverse("evidence:pair-detail", args=[verdict.condition.slug, verdict.therapy.slug])
    return url, studies, retracted


def test_forest_plot_pools_comparable_studies_left_of_no_effect(client, pooled_pair):
    url, studies, retracted = pooled_pair
    html = client.get(url).content.decode()
    svg = _svg(html, "forest-plot-1")
    _assert_accessible(svg)

    rows = {g.get("data-study"): g for g in svg.iter(f"{SVG}g") if g.get("data-study")}
    assert set(rows) == {str(s.pk) for s in [*studies, retracted]}
    assert rows[str(retracted.pk)].get("data-pooled") == "false"
    assert rows[str(retracted.pk)].find(f"{SVG}line[@class='strike']") is not None

    no_effect = next(
        line for line in svg.iter(f"{SVG}line") if line.get("data-role") == "no-effect"
    )
    null_x = float(no_effect.get("x1"))
    diamonds = {
        p.get("data-method"): p for p in svg.iter(f"{SVG}polygon") if p.get("data-role") == "pooled"
    }
    assert set(diamonds) == {"reml", "dl"}
    for diamond in diamonds.values():
        assert float(diamond.get("data-cx")) < null_x  # pooled RR below 1: left of the line
        assert float(diamond.get("data-estimate")) < 1
    assert diamonds["reml"].get("fill") != "#ffffff"  # REML filled, DL hollow
    assert diamonds["dl"].get("fill") == "#ffffff"
    # A prediction interval needs three studies: there are three (the retracted one is out).
    assert any(p.get("data-role") == "prediction-interval" for p in svg.iter(f"{SVG}path"))
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Pooled from 3 studies by random-effects meta-analysis" in text
    assert "Retracted: not pooled" in [t.text for t in svg.iter(f"{SVG}text")]


def test_forest_plot_log_scale_is_symmetric_about_one(client, pooled_pair):
    url, _, _ = pooled_pair
    svg = _svg(client.get(url).content.decode(), "forest-plot-1")
    ticks = {
        t.text: float(t.get("x"))
        for t in svg.iter(f"{SVG}text")
        if t.get("text-anchor") == "middle" and re.fullmatch(r"[\d.]+", t.text or "")
    }
    assert {"0.5", "1", "2"} <= set(ticks)
    assert ticks["1"] - ticks["0.5"] == pytest.approx(ticks["2"] - ticks["1"], abs=0.2)


def test_a_difference_measure_gets_a_linear_axis_with_no_effect_at_zero(client, db):
    verdict = VerdictFactory()
    for effect, lower, upper in [(-2.0, -3.5, -0.5), (1.0, -0.5, 2.5)]:
        StudyFactory(
            therapy=verdict.therapy,
            condition=verdict.condition,
            outcome="Pain score",
            effect_measure="MD",
            effect_size=effect,
            ci_lower=lower,
            ci_upper=upper,
        )
    publish(verdict)
    url = reverse("evidence:pair-detail", args=[verdict.condition.slug, verdict.therapy.slug])
    svg = _svg(client.get(url).content.decode(), "forest-plot-1")
    no_effect = next(
        line for line in svg.iter(f"{SVG}line") if line.get("data-role") == "no-effect"
    )
    assert no_effect.get("data-value") == "0"
    assert "linear scale" in " ".join(t.text or "" for t in svg.iter(f"{SVG}text"))
    assert any(p.get("data-role") == "pooled" for p in svg.iter(f"{SVG}polygon"))


def test_a_single_study_gets_a_forest_plot_but_no_diamond(client, pregnancy_effect):
    html = client.get("/conditions/lupus-pregnancy/ivig/").content.decode()
    svg = _svg(html, "forest-plot-1")
    assert not [p for p in svg.iter(f"{SVG}polygon") if p.get("data-role") == "pooled"]
    assert "1.33 [0.96, 1.85]" in [t.text for t in svg.iter(f"{SVG}text")]
    assert "Not pooled: fewer than two comparable studies" in html


def test_no_forest_plot_without_effect_sizes(client, demo):
    assert 'id="forest-plot-1"' not in client.get(RA_PAIR).content.decode()


# --- Evidence map and matrix ----------------------------------------------------------------


def test_therapy_page_maps_each_condition_to_its_status_and_certainty(client, demo):
    html = client.get(reverse("therapies:therapy-detail", args=["ivig"])).content.decode()
    svg = _svg(html, "evidence-map")
    _assert_accessible(svg)
    cells = {
        g.get("data-condition"): (g.get("data-status"), g.get("data-certainty"))
        for g in svg.iter(f"{SVG}g")
        if g.get("data-condition")
    }
    assert cells == {
        "rheumatoid-arthritis": ("investigational", "very_low"),
        "systemic-lupus-erythematosus": ("investigational", "very_low"),
        "lupus-nephritis": ("investigational", "very_low"),
        "lupus-pregnancy": ("investigational", "very_low"),
    }
    assert (
        "Rheumatoid arthritis: investigational, very low certainty." in svg.find(f"{SVG}desc").text
    )


def test_home_matrix_links_each_pair_with_its_status_and_certainty(client, demo):
    other = TherapyFactory(name="Other therapy", slug="other")
    publish(
        VerdictFactory(
            therapy=other,
            condition=ConditionFactory(slug="rheumatoid-arthritis"),
            status=Verdict.Status.NOT_SUPPORTED,
            certainty=Verdict.Certainty.MODERATE,
        )
    )
    html = client.get(reverse("evidence:home")).content.decode()
    table = re.search(r'<table class="matrix[^"]*">.*?</table>', html, re.S).group(0)
    ra_row = re.search(
        r'<tr>\s*<th scope="row"[^>]*><a href="/conditions/rheumatoid-arthritis/">.*?</tr>',
        table,
        re.S,
    ).group(0)
    assert 'href="/conditions/rheumatoid-arthritis/ivig/"' in ra_row
    assert 'href="/conditions/rheumatoid-arthritis/other/"' in ra_row
    assert "Not supported" in ra_row and "Moderate" in ra_row
    nephritis_row = re.search(
        r'<a href="/conditions/lupus-nephritis/">.*?</tr>', table, re.S
    ).group(0)
    assert "No verdict" in nephritis_row  # no verdict on the other therapy
    assert "matrix__condition--depth-1" in table  # sub-conditions indented


def test_phones_get_compact_charts_with_their_own_ids(client, pregnancy_effect):
    html = client.get("/conditions/lupus-pregnancy/ivig/").content.decode()
    for chart_id in ("timeline-chart", "forest-plot-1"):
        wide, compact = _svg(html, chart_id), _svg(html, f"{chart_id}-compact")
        _assert_accessible(compact)
        assert float(compact.get("width")) < float(wide.get("width"))
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))  # every id (aria-labelledby targets) unique


def test_no_compact_timeline_for_hundreds_of_studies(client, demo, add_studies):
    from evidence.models import Condition
    from therapies.models import Therapy

    add_studies(
        160,
        therapy=Therapy.objects.get(slug="ivig"),
        condition=Condition.objects.get(slug="rheumatoid-arthritis"),
    )
    html = client.get(RA_PAIR).content.decode()
    assert 'id="timeline-chart"' in html
    assert 'id="timeline-chart-compact"' not in html
