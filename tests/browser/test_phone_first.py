"""Every public page of the demo at 320, 375, 768 and 1280 px in chromium: nothing wider
than the screen outside a box that scrolls, no table that hides columns (every table
is a .card-table: one card per row on phones), chart text at a readable size, the
verdict before the background on condition pages, and axe-core clean.

The page list comes from the demo data (every condition, every pair, every therapy),
with a pair long enough for a second page of studies, search results, a search that
finds nothing, the 404 page and the API's documentation. Feeds are not pages. Full-page
screenshots at 375 and 1280 px go to test-artifacts/pages/.
"""

import json

import pytest
from django.urls import reverse

from evidence.models import Condition, Study, Verdict
from tests.browser.browsing import ARTIFACTS, axe_violations, violation_summary
from tests.support.publishing import publish
from therapies.models import Therapy

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [320, 375, 768, 1280]
SCREENSHOT_WIDTHS = {375, 1280}
CARDS_BELOW = 768  # site.css: tables become cards below 48rem
MIN_CHART_TEXT_PX = 11
LONG_PAIR_STUDIES = 55  # past STUDIES_PER_PAGE (50): the pair gets a second page
# Swagger UI draws each operation's summary as a button that holds other controls; only
# its upstream can change that markup. Every other rule holds on its page too.
UPSTREAM_RULES = {"api-docs": {"nested-interactive"}}

# What the page shows at this width, measured in the page: elements that stick out of
# the viewport (unless a box that clips or scrolls holds them), tables that scroll or
# are not card tables, the smallest chart text as drawn, and the order of the sections.
MEASURE = """(width) => {
  const clips = (el) =>
    ['auto', 'scroll', 'hidden', 'clip'].includes(getComputedStyle(el).overflowX);
  const held = (el) => {
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      const r = box.getBoundingClientRect();
      if (clips(box) && r.left >= -0.5 && r.right <= width + 0.5) return true;
    }
    return false;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className ? '.' + el.className.split(' ')[0] : '');
  const wide = [];
  for (const el of document.querySelectorAll('body *:not(svg *)')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || (r.right <= width + 0.5 && r.left >= -0.5) || held(el)) continue;
    wide.push(`${name(el)} ${Math.round(r.left)}..${Math.round(r.right)}`);
  }
  const tables = [...document.querySelectorAll('main table')];
  const notCards = tables.filter((t) => !t.classList.contains('card-table')
    || [...t.querySelectorAll('td')].some((td) => !td.hasAttribute('data-label'))
    || (width < CARDS_BELOW && getComputedStyle(t).display !== 'block')).map(name);
  const scrolling = [...document.querySelectorAll('.table-wrap')]
    .filter((w) => w.scrollWidth > w.clientWidth + 1).map(name);
  const chartText = [...document.querySelectorAll('svg.chart')]
    .filter((s) => s.getBoundingClientRect().width > 0)
    .flatMap((s) => {
      const k = s.getBoundingClientRect().width / s.viewBox.baseVal.width;
      return [...s.querySelectorAll('text')]
        .map((t) => parseFloat(getComputedStyle(t).fontSize) * k);
    });
  const verdict = document.querySelector('.verdict-card');
  const about = document.querySelector('#about-heading');
  return {
    scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 10), notCards, scrolling,
    smallestChartText: chartText.length ? Math.min(...chartText) : null,
    verdictFirst: !(verdict && about)
      || verdict.getBoundingClientRect().top < about.getBoundingClientRect().top,
  };
}""".replace("CARDS_BELOW", str(CARDS_BELOW))


@pytest.fixture
def public_pages(demo, add_studies):
    """{name: (path, status)}, looked up before the browser starts (Playwright's event loop
    forbids ORM calls)."""
    therapy = Therapy.objects.get(slug="ivig")
    long_pair = Condition.objects.get(slug="lupus-nephritis")
    studies = add_studies(LONG_PAIR_STUDIES, therapy=therapy, condition=long_pair, publish=False)
    # Effect sizes on a few, so that the pair also draws a forest plot with a pooled
    # estimate and a retracted study left out of it.
    for i, study in enumerate(studies[:6]):
        Study.objects.filter(pk=study.pk).update(
            effect_measure="RR",
            effect_size=0.7 + i / 10,
            ci_lower=0.45 + i / 10,
            ci_upper=1.1 + i / 10,
        )
    publish(Verdict.objects.get(therapy=therapy, condition=long_pair))
    pages = {"home": (reverse("evidence:home"), 200)}
    for condition in Condition.objects.order_by("slug"):
        pages[f"condition-{condition.slug}"] = (condition.get_absolute_url(), 200)
    for verdict in Verdict.objects.select_related("condition", "therapy").order_by("pk"):
        pages[f"pair-{verdict.condition.slug}"] = (verdict.get_absolute_url(), 200)
    pages["pair-lupus-nephritis-page-2"] = (pages["pair-lupus-nephritis"][0] + "?page=2", 200)
    versions = pages["pair-lupus-nephritis"][0] + "versions/"
    pages["versions"] = (versions, 200)
    pages["version-1"] = (versions + "1/", 200)
    pages["versions-compared"] = (versions + "compare/?from=1&to=2", 200)
    for each in Therapy.objects.order_by("slug"):
        pages[f"therapy-{each.slug}"] = (each.get_absolute_url(), 200)
    pages["search-results"] = (reverse("search:search") + "?q=ivig", 200)
    pages["search-nothing-found"] = (reverse("search:search") + "?q=zzzqqq", 200)
    pages["not-found"] = ("/conditions/a-condition-nobody-has-reviewed-with-a-long-name/", 404)
    pages["api-docs"] = (reverse("api:docs"), 200)
    return pages


def _problems(page, width: int, name: str) -> dict:
    measured = page.evaluate(MEASURE, width)
    problems = {}
    if measured["scrollWidth"] > width or measured["wide"]:
        problems["wider than the screen"] = [measured["scrollWidth"], *measured["wide"]]
    if measured["notCards"]:
        problems["tables that are not card tables"] = measured["notCards"]
    if measured["scrolling"]:
        problems["tables that scroll"] = measured["scrolling"]
    smallest = measured["smallestChartText"]
    if smallest is not None and smallest < MIN_CHART_TEXT_PX:
        problems["chart text smaller than 11 px"] = round(smallest, 1)
    if not measured["verdictFirst"]:
        problems["verdict below the background"] = True
    upstream = UPSTREAM_RULES.get(name, set())
    violations = [v for v in axe_violations(page) if v["id"] not in upstream]
    if violations:
        problems["axe-core"] = violation_summary(violations)
    return problems


@pytest.mark.parametrize("width", WIDTHS)
def test_every_public_page_fits_a_phone(live_server, public_pages, chromium, width):
    (ARTIFACTS / "pages").mkdir(parents=True, exist_ok=True)
    found = {}
    for name, (path, status) in public_pages.items():
        # axe-core is injected as an inline script, which the site's CSP rightly refuses.
        page = chromium.new_page(viewport={"width": width, "height": 800}, bypass_csp=True)
        response = page.goto(live_server.url + path)
        page.wait_for_load_state("networkidle")
        assert response.status == status, (name, path, response.status)
        if width in SCREENSHOT_WIDTHS:
            shot = ARTIFACTS / "pages" / f"{name}-{width}.png"
            page.screenshot(path=str(shot), full_page=True)
        problems = _problems(page, width, name)
        if problems:
            found[name] = problems
        page.close()
    assert not found, json.dumps(found, indent=2)
