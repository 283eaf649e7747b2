"""The RA pair page in Debian's chromium (Playwright): axe-core finds no serious or
critical accessibility violation at phone and desktop widths, the page does not scroll
sideways, the skip link works from the keyboard, and print hides the page furniture.

Needs /usr/bin/chromium, the playwright Python package and node_modules/axe-core
(``npm ci``). Screenshots go to test-artifacts/.
"""

import json
import re

import pytest

from tests.browser.browsing import ARTIFACTS, axe_violations, violation_summary

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAIR = "/conditions/rheumatoid-arthritis/ivig/"
VIEWPORTS = {"phone": (375, 800), "desktop": (1280, 900)}


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_pair_page_is_accessible_and_fits_the_screen(live_server, demo, chromium, viewport):
    width, height = VIEWPORTS[viewport]
    # axe-core is injected as an inline script, which the site's CSP rightly refuses.
    page = chromium.new_page(viewport={"width": width, "height": height}, bypass_csp=True)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("requestfailed", lambda request: errors.append(f"{request.url}: {request.failure}"))
    response = page.goto(live_server.url + PAIR)
    assert response.status == 200
    page.screenshot(path=str(ARTIFACTS / f"pair-ra-{viewport}.png"), full_page=True)

    violations = axe_violations(page)
    assert not violations, json.dumps(violation_summary(violations), indent=2)
    assert errors == []

    # Nothing but the charts and wide tables (each in its own scrolling box) may be wider
    # than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    for chart in page.locator("svg.chart").all():
        assert chart.get_attribute("role") == "img"

    # The skip link is the first thing the keyboard reaches, and it moves focus to main.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.close()


def test_print_shows_the_summary_without_the_page_furniture(live_server, demo, chromium):
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server.url + PAIR)
    page.emulate_media(media="print")
    page.screenshot(path=str(ARTIFACTS / "pair-ra-print.png"), full_page=True)
    for hidden in (".site-search", ".breadcrumbs", ".citation-style", ".downloads"):
        assert not page.locator(hidden).first.is_visible(), hidden
    for shown in (".glance", ".sof", "#timeline-chart", ".reference-list", ".page-citation"):
        assert page.locator(shown).first.is_visible(), shown
    # A DOI link prints as the DOI it shows; other web links print their address.
    doi_after = page.evaluate(
        """() => getComputedStyle(
            document.querySelector('.reference-list a[href^="https://doi.org/"]'), '::after'
        ).content"""
    )
    assert doi_after in ("none", "normal")
    page.evaluate(
        """() => document.querySelector('#verdict-heading').insertAdjacentHTML(
            'afterend', '<p><a id="probe" href="https://example.org/guideline">guideline</a></p>')"""
    )
    probe_after = page.evaluate(
        "() => getComputedStyle(document.querySelector('#probe'), '::after').content"
    )
    assert "https://example.org/guideline" in probe_after
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) <= 2
    page.close()
