"""The verdict change page in Debian's chromium (Playwright), as an editor sees it at
1280 px: sections folded so the page is short, one "View on site", the site's name in the
header, key takeaways edited as a list (reordered here, then saved), no script or CSP
error. Screenshots go to test-artifacts/ for a person to judge.

Reuses the browser fixture of tests/browser (chromium at /usr/bin/chromium, headless).
"""

import pytest
from django.test import Client
from django.urls import reverse

from evidence.editorial.roles import EDITOR, roles_sync
from evidence.models import Verdict
from tests.browser.browsing import ARTIFACTS
from tests.browser.conftest import chromium  # noqa: F401 - the fixture
from tests.support.doors import staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH, HEIGHT = 1280, 900
# Folded, the page holds the review and overview panels and the verdict's own fields.
MAX_PAGE_HEIGHT = 4000


def _editor_page(browser, live_server):
    roles_sync()
    client = Client()
    client.force_login(staff("editor", EDITOR))
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {response.url}") if response.status >= 400 else None
        ),
    )
    return page, problems


def test_the_verdict_page_as_an_editor(live_server, demo, chromium, monkeypatch):  # noqa: F811
    # Playwright's sync API runs an event loop in this thread; the test's own queries
    # (setting up the editor, reading the saved verdict) are plain synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    verdict = Verdict.objects.get(condition__slug="rheumatoid-arthritis")
    takeaways = list(verdict.key_takeaways)
    assert len(takeaways) >= 2
    page, problems = _editor_page(chromium, live_server)

    url = live_server.url + reverse("admin:evidence_verdict_change", args=[verdict.pk])
    assert page.goto(url).status == 200
    page.screenshot(path=str(ARTIFACTS / "admin-verdict-editor-1280.png"), full_page=True)

    assert page.locator("#site-name").inner_text().strip() == "Evidentia"
    assert page.get_by_role("link", name="View on site").count() == 1
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < MAX_PAGE_HEIGHT, f"the folded page is {height} px tall"
    # Studies and findings are one click away, not thousands of pixels down.
    page.locator("#studies-group summary").first.click()
    assert page.locator("#studies-group .inline-related").first.is_visible()
    page.screenshot(path=str(ARTIFACTS / "admin-verdict-editor-1280-studies.png"), full_page=True)

    inputs = page.locator(".list-widget__input")
    assert inputs.evaluate_all("inputs => inputs.map(i => i.value)") == takeaways
    assert page.locator("textarea#id_key_takeaways").is_hidden()
    page.get_by_role("button", name="Move down").first.click()
    page.get_by_role("button", name="Add item").click()
    page.locator(".list-widget__input").last.fill("  A takeaway   typed by the editor. ")
    page.screenshot(path=str(ARTIFACTS / "admin-verdict-editor-1280-takeaways.png"))
    page.locator("input[name=_continue]").click()
    page.wait_for_load_state()

    assert problems == []
    verdict.refresh_from_db()
    expected = [takeaways[1], takeaways[0], *takeaways[2:], "A takeaway typed by the editor."]
    assert verdict.key_takeaways == expected
