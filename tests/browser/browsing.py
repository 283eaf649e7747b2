"""What the browser tests share: Debian's chromium driven by Playwright, axe-core from
node_modules (``npm ci``), and where screenshots go (test-artifacts/, kept by CI)."""

from pathlib import Path

from django.conf import settings

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def axe_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on ``page`` (WCAG 2.1 A/AA and best
    practice). The page must allow the inline script: open it with ``bypass_csp=True``."""
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    results = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: "tag", values: [
                "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
            resultTypes: ["violations"],
        })"""
    )
    return [v for v in results["violations"] if v["impact"] in ("serious", "critical")]


def violation_summary(violations: list[dict]) -> list[dict]:
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in violations
    ]
