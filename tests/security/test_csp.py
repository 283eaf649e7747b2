"""Every kind of page carries the Content-Security-Policy, and none allows inline code.

The browser test (tests/browser/test_csp.py) proves the pages work under it; these check
the header itself and keep inline styles and scripts out of our own templates.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from evidence.models import Study, Verdict

pytestmark = pytest.mark.django_db

REQUIRED = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def _policy(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    assert "unsafe-inline" not in header and "unsafe-eval" not in header, header
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value
    for name, value in REQUIRED.items():
        assert directives.get(name) == value, (name, header)
    return directives


def _public_pages(demo) -> list[str]:
    verdict = Verdict.objects.select_related("therapy", "condition").first()
    return [
        "/",
        verdict.condition.get_absolute_url(),
        verdict.get_absolute_url(),
        f"/therapies/{verdict.therapy.slug}/",
        "/search/?q=ivig",
        "/conditions/no-such-condition/",  # a 404 page
        "/api/v1/conditions/",
        "/api/v1/docs/",
        "/api/v1/docs/?script=",
        "/api/v1/schema/",
        "/admin/login/",
    ]


def test_every_public_page_type_has_the_policy(client, demo):
    for url in _public_pages(demo):
        response = client.get(url)
        assert response.status_code in (200, 404), (url, response.status_code)
        _policy(response)


def test_admin_pages_have_the_policy(admin_client, demo):
    study = Study.objects.first()
    for url in (
        reverse("admin:index"),
        reverse("admin:evidence_verdict_changelist"),
        reverse("admin:evidence_study_change", args=[study.pk]),
        reverse("admin:evidence_verdict_change", args=[study.verdict_id]),
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        _policy(response)


def test_browsable_api_allows_only_drf_fixed_style_attributes(admin_client, demo):
    response = admin_client.get("/api/v1/studies/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    directives = _policy(response)
    sources = directives["style-src-attr"].split()
    assert sources[0] == "'unsafe-hashes'"
    assert sources[1:] and all(re.fullmatch(r"'sha256-[A-Za-z0-9+/]+=*'", s) for s in sources[1:])
    # Pygments' inline <style> is dropped: no <style> element the policy would block.
    assert "<style" not in response.content.decode()


def test_swagger_ui_loads_its_init_script_from_a_url(client):
    page = client.get("/api/v1/docs/").content.decode()
    script = client.get("/api/v1/docs/?script=")

    assert "<style" not in page
    inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page)
    assert inline_scripts == []
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


TEMPLATES = Path(settings.BASE_DIR) / "templates"
TEMPLATE_TAG = re.compile(r"{%.*?%}")
INLINE = re.compile(
    r"""\sstyle\s*=\s*["'{]|<style\b|<script(?![^>]*\bsrc=)(?![^>]*type="application/(?:ld\+)?json")"""
    r"""|\son[a-z]+\s*=\s*["']""",
    re.IGNORECASE,
)


def test_no_template_has_inline_styles_scripts_or_event_handlers():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if INLINE.search(TEMPLATE_TAG.sub("", line)):
                found.append(f"{path.relative_to(TEMPLATES)}:{number}: {line.strip()[:120]}")
    assert found == [], "\n".join(found)
