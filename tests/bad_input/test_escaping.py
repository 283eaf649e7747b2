"""HTML and script in every text field: escaped on every page, in the admin, and in the API.

The world (tests/bad_input/conftest.py) puts a numbered ``<script>``/``<img onerror>``
payload in every free-text field of every model a page can show. No page may contain a
payload unescaped; the pages together must show the fields a reader relies on.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.bad_input.payloads import raw_payloads
from tests.support.publishing import publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def published_world(xss_world):
    """The world with its verdict published: the public pages show published versions."""
    publish()
    return xss_world


PUBLIC_FIELDS = {
    # What a reader must see on the public pages, so a test that finds nothing raw
    # cannot pass by showing nothing at all.
    "Condition.name",
    "Condition.description",
    "Therapy.name",
    "Therapy.description",
    "Reference.title",
    "Reference.journal",
    "Reference.authors.family",
    "Reference.authors.collective",
    "Verdict.summary",
    "Verdict.key_takeaways",
    "Study.outcome",
    "GuidelinePosition.issuing_body",
    "AdverseEffect.name",
    "Contraindication.name",
}


def public_pages(world) -> list[str]:
    condition, therapy = world["condition"].slug, world["therapy"].slug
    pair = reverse("evidence:pair-detail", args=[condition, therapy])
    return [
        reverse("evidence:home"),
        reverse("evidence:condition-detail", args=[condition]),
        pair,
        f"{pair}?style=ama",
        f"{pair}?style=apa",
        reverse("therapies:therapy-detail", args=[therapy]),
        reverse("search:search") + "?q=alert",
        reverse("search:search") + "?q=alert&kind=references",
        reverse("search:search") + "?q=script",
    ]


def test_no_public_page_shows_markup_from_the_data(client, published_world, payloads):
    shown: set[str] = set()
    for url in public_pages(published_world):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert raw_payloads(html) == [], url
        shown |= payloads.shown(html)

    assert PUBLIC_FIELDS <= shown, sorted(PUBLIC_FIELDS - shown)


def test_the_search_query_is_escaped_where_it_is_echoed(client, db):
    response = client.get(reverse("search:search"), {"q": "<script>alert(1)</script>"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("extension", ["ris", "bib", "json"])
def test_the_pair_page_downloads_are_text_files_not_html(client, published_world, extension):
    url = reverse(
        "evidence:pair-references",
        args=[published_world["condition"].slug, published_world["therapy"].slug, extension],
    )
    response = client.get(url)

    assert response.status_code == 200
    assert not response["Content-Type"].startswith("text/html")
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def admin_urls(world) -> list[str]:
    urls = []
    for model, _model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        if info[0] not in {"evidence", "therapies", "references"}:
            continue
        urls.append(reverse(f"admin:{info[0]}_{info[1]}_changelist"))
        urls.append(reverse(f"admin:{info[0]}_{info[1]}_changelist") + "?q=alert")
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            urls.append(reverse(f"admin:{info[0]}_{info[1]}_change", args=[obj.pk]))
            urls.append(reverse(f"admin:{info[0]}_{info[1]}_history", args=[obj.pk]))
    urls.append(reverse("admin:evidence_verdict_needs_review"))
    urls.append(reverse("admin:references_importjob_add"))
    return urls


ADMIN_FIELDS = {
    "Condition.name",
    "Therapy.name",
    "Reference.title",
    "Verdict.summary",
    "Study.outcome_summary",
    "ImportJob.error",
    "ImportJobItem.raw",
    "ImportJobItem.message",
    "Candidate.note",
    "Candidate.reference.title",
    "SavedSearch.query",
}


def test_no_admin_page_shows_markup_from_the_data(admin_client, xss_world, payloads):
    shown: set[str] = set()
    for url in admin_urls(xss_world):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert raw_payloads(html) == [], url
        shown |= payloads.shown(html)

    assert ADMIN_FIELDS <= shown, sorted(ADMIN_FIELDS - shown)


def test_the_api_returns_markup_as_data(anon_api, xss_world):
    reference = xss_world["reference"]
    response = anon_api.get(f"/api/v1/references/{reference.pk}/")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["title"] == reference.title
    assert "<script>" in body["title"]  # data, given back as stored

    summary = anon_api.get(f"/api/v1/conditions/{xss_world['condition'].slug}/summary/").json()
    assert summary["condition"]["name"] == xss_world["condition"].name


def test_the_browsable_api_escapes_markup(admin_client, xss_world):
    reference = xss_world["reference"]
    response = admin_client.get(f"/api/v1/references/{reference.pk}/", HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert raw_payloads(html) == []
    assert "&lt;script&gt;alert(" in html


@pytest.fixture
def anon_api():
    from rest_framework.test import APIClient

    return APIClient()
