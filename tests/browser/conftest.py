"""The browser tests' chromium (tests/browser/browsing.py says what it needs)."""

import pytest

from tests.browser.browsing import ARGS, ARTIFACTS, AXE, CHROMIUM


@pytest.fixture
def chromium():
    sync_api = pytest.importorskip("playwright.sync_api")
    for needed in (CHROMIUM, AXE):
        if not needed.exists():
            pytest.fail(f"{needed} is missing (apt chromium; npm ci)")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=ARGS
        )
        yield browser
        browser.close()
