"""An editor in a real browser (Playwright driving Debian's chromium): logs into the admin,
triages a candidate into a study and sees the verdict flagged for review."""

from pathlib import Path

import pytest

from evidence.editorial.triage import saved_searches_run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def test_an_editor_triages_a_candidate_into_a_study(live_server, fake_pubmed, editor, ra_verdict):
    runs = saved_searches_run()
    assert sum(run.queued for run in runs) == 5
    pair_url = f"{live_server.url}{ra_verdict.get_absolute_url()}"
    sync_api = pytest.importorskip("playwright.sync_api")
    # No ORM call inside the Playwright block: its event loop gives the code there a
    # context of its own, in which Django would open (and leave open) a new connection.

    with sync_api.sync_playwright() as playwright:
        if not Path("/usr/bin/chromium").exists():
            pytest.skip("needs Debian's chromium at /usr/bin/chromium")
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(15_000)

            page.goto(f"{live_server.url}/admin/login/?next=/admin/")
            page.fill("#id_username", editor.username)
            page.fill("#id_password", "correct-horse-battery-staple")
            page.click("input[type=submit]")
            page.wait_for_url(f"{live_server.url}/admin/")

            workflow = page.locator("#editorial-workflow")
            sync_api.expect(workflow).to_contain_text("5 untriaged candidates")
            workflow.get_by_role("link", name="Triage").click()

            row = page.locator(
                "#result_list tbody tr", has_text="Exploring the effect of vitamin D3"
            )
            sync_api.expect(row).to_have_count(1)
            row.get_by_role("button", name="Include").click()
            sync_api.expect(page.locator(".messagelist")).to_contain_text("Included as a study")
            sync_api.expect(page.locator("#changelist")).to_contain_text("4 candidates")

            page.goto(pair_url)
            notice = page.locator(".notice--warning")
            sync_api.expect(notice).to_contain_text("Needs review")
            sync_api.expect(notice).to_contain_text("New study: Randomised controlled trial")
            sync_api.expect(page.locator("#history-heading")).to_have_text("What changed")

            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(
                path=str(ARTIFACTS / "editorial-triage-needs-review.png"), full_page=True
            )
        finally:
            browser.close()

    ra_verdict.refresh_from_db()
    assert ra_verdict.needs_review
    assert [reason["code"] for reason in ra_verdict.review_reasons] == ["new_study"]
    assert ra_verdict.candidates.get(reference__pmid="28731372").study.design == "rct"
