"""Under the Content-Security-Policy (no 'unsafe-inline'), chromium reports no violation
on the site's pages, the admin, the Swagger UI and the browsable API, and they still work.

Violations are collected twice: from the console ("Refused to ...") and from
securitypolicyviolation events, listened to by a script Playwright adds before the page's
own (it is not subject to the page's policy).
"""

from pathlib import Path

import pytest
from django.urls import reverse

from evidence.models import Study, Verdict
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LISTEN = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(
    `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing (apt chromium)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        yield browser
        browser.close()


class Watched:
    """A page whose CSP violations, console errors and page errors are recorded."""

    def __init__(self, browser):
        self.context = browser.new_context()
        self.context.add_init_script(LISTEN)
        self.page = self.context.new_page()
        self.console: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.console.append(f"pageerror: {error}"))
        self.page.on("response", self._response)

    def _response(self, response) -> None:
        # Browsers ask for /favicon.ico on their own; the site has none.
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.console.append(f"{response.status} {response.url}")

    def _console(self, message) -> None:
        if message.text.startswith("Failed to load resource"):
            return  # reported with its URL by _response
        if message.type == "error" or "Content Security Policy" in message.text:
            self.console.append(message.text)

    def visit(self, url: str, ready: str = "body") -> None:
        response = self.page.goto(url)
        assert response.status == 200, url
        assert "Content-Security-Policy" in {k.title() for k in response.headers}, url
        self.page.wait_for_selector(ready)
        self.page.wait_for_load_state("networkidle")
        violations = self.page.evaluate("window.__cspViolations")
        assert violations == [], (url, violations)
        assert [m for m in self.console if "Content Security Policy" in m] == [], url
        assert self.console == [], (url, self.console)


@pytest.fixture
def urls(demo):
    """Looked up before the browser starts: Playwright's event loop forbids ORM calls."""
    UserFactory(username="boss", is_staff=True, is_superuser=True)
    verdict = Verdict.objects.select_related("therapy", "condition").first()
    study = Study.objects.first()
    return {
        "pair": verdict.get_absolute_url(),
        "verdict": reverse("admin:evidence_verdict_change", args=[study.verdict_id]),
        "study": reverse("admin:evidence_study_change", args=[study.pk]),
    }


def test_public_pages_have_no_csp_violation(live_server, urls, browser):
    watched = Watched(browser)

    watched.visit(live_server.url + "/", "main")
    watched.visit(live_server.url + urls["pair"], "svg.chart")
    watched.visit(live_server.url + "/search/?q=ivig", "main")

    # The listener hears a violation when there is one: an inline style is refused.
    watched.page.evaluate("document.body.setAttribute('style', 'color: red')")
    watched.page.wait_for_function("window.__cspViolations.length > 0")
    assert "style-src" in watched.page.evaluate("window.__cspViolations[0]")
    watched.context.close()


def test_admin_and_api_pages_have_no_csp_violation(live_server, urls, browser):
    watched = Watched(browser)

    watched.visit(live_server.url + reverse("admin:login"), "#login-form")
    watched.page.fill("#id_username", "boss")
    watched.page.fill("#id_password", "correct-horse-battery-staple")
    watched.page.click("input[type=submit]")
    watched.page.wait_for_url(live_server.url + reverse("admin:index"))

    # The change forms run the admin's JavaScript (autocomplete, inlines, date widgets).
    watched.visit(live_server.url + urls["verdict"], "#verdict_form .select2")
    watched.visit(live_server.url + urls["study"], "#study_form")
    watched.visit(live_server.url + reverse("admin:evidence_verdict_changelist"), "#result_list")

    # Swagger UI renders the schema it fetched, with its init script from ?script.
    watched.visit(live_server.url + "/api/v1/docs/", ".swagger-ui .opblock")
    assert watched.page.locator(".swagger-ui .opblock").count() > 10

    # The browsable API, logged in, with its forms and filter button.
    watched.visit(live_server.url + "/api/v1/studies/", ".response-info")
    watched.context.close()
