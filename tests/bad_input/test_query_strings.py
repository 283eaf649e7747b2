"""Huge, odd and repeated query strings, and page numbers of every kind, on the pages and
the API: a page, a 400 or a 404, never a 500.

In production gunicorn refuses a request line over 4,094 bytes (its limit_request_line)
before Django sees it; these tests go around it, to Django directly.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.api.helpers import assert_error

pytestmark = pytest.mark.django_db

PAGE_NUMBERS = [
    "999999999",
    "-1",
    "0",
    "abc",
    str(10**30),
    "9" * 5000,  # past Python's 4,300-digit limit for int()
    "1.5",
    "1e3",
    "",
    " 1",
    "%00",
    "\u0661",  # ARABIC-INDIC DIGIT ONE
    "\u00b2",  # SUPERSCRIPT TWO: str.isdigit() says yes, int() says no
    "last",
]


@pytest.fixture
def pages(demo):
    return [
        reverse("evidence:home"),
        reverse("search:search") + "?q=ivig",
        reverse("search:search") + "?q=ivig&kind=references",
        reverse("evidence:pair-detail", args=["rheumatoid-arthritis", "ivig"]),
        reverse("evidence:condition-detail", args=["rheumatoid-arthritis"]),
        reverse("therapies:therapy-detail", args=["ivig"]),
    ]


API_LISTS = [
    "/api/v1/references/",
    "/api/v1/studies/",
    "/api/v1/verdicts/",
    "/api/v1/conditions/",
    "/api/v1/therapies/",
    "/api/v1/conditions/rheumatoid-arthritis/references/",
]


def _join(url: str, query: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{query}"


# Digits str.isdigit() accepts but int() refuses (a superscript, past int()'s digit limit).
INT_BUG_NUMBERS = ("9" * 5000, "\u00b2")


def test_page_numbers_on_pages(client, pages):
    for number in PAGE_NUMBERS:
        if number in INT_BUG_NUMBERS:
            continue
        for url in pages:
            response = client.get(_join(url, f"page={number}"))
            assert response.status_code in (200, 400, 404), (url, number, response.status_code)


@pytest.mark.parametrize("number", list(INT_BUG_NUMBERS))
def test_page_numbers_python_cannot_read_on_the_pair_page(client, demo, number):
    url = reverse("evidence:pair-detail", args=["rheumatoid-arthritis", "ivig"])

    assert client.get(url, {"page": number}).status_code == 404


def test_page_numbers_on_api_lists(client, demo):
    for number in PAGE_NUMBERS:
        for url in API_LISTS:
            response = client.get(url, {"page": number})
            if number == "":
                assert response.status_code == 200
            elif response.status_code != 200:
                assert_error(response, 404, "not_found")
            else:
                assert number in (" 1", "\u0661"), (url, number)  # read as page 1


def test_bad_page_sizes_on_api_lists_are_400s(client, demo):
    for size in ["0", "000", "-5", "abc", "1.5", "\u00b2", "\u0661"]:
        for url in API_LISTS:
            error = assert_error(client.get(url, {"page_size": size}), 400, "invalid")
            assert "page_size" in error["fields"]


@pytest.mark.parametrize("size", ["1000000", str(10**30), "9" * 5000])
def test_a_huge_page_size_is_capped(client, db, size):
    from references.models import Reference

    Reference.objects.bulk_create(Reference(title=f"Paper {i}") for i in range(210))

    response = client.get("/api/v1/references/", {"page_size": size})

    assert response.status_code == 200
    assert len(response.json()["results"]) == 200


def test_a_100_kb_query_string(client, pages):
    junk = "x" * 100_000
    for url in [*pages, *API_LISTS]:
        response = client.get(_join(url, f"q={junk}&search={junk}&junk={junk}"))
        assert response.status_code in (200, 400), (url, response.status_code)


def test_a_100_kb_search_query_is_cut_and_echoed_escaped(client, demo):
    query = "<b>ivig</b> " * 10_000

    response = client.get(reverse("search:search"), {"q": query})

    assert response.status_code == 200
    assert "<b>ivig</b>" not in response.content.decode()


def test_the_api_search_filter_names_its_length_limit(client, demo):
    error = assert_error(client.get("/api/v1/references/", {"search": "x" * 201}), 400)

    assert "at most 200 characters" in error["fields"]["search"][0]


def test_too_many_parameters_are_a_400_not_a_500(client, pages, settings):
    many = "&".join(f"p{i}=1" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    for url in pages:  # a page that never reads its query string has nothing to refuse
        assert client.get(_join(url, many)).status_code in (200, 400), url
    for url in API_LISTS:
        error = assert_error(client.get(_join(url, many)), 400)
        assert "DATA_UPLOAD_MAX_NUMBER_FIELDS" in error["message"]


def test_repeated_parameters_use_one_value(client, demo):
    repeated = "&".join(["page=1"] * 500 + ["page=abc"] * 400)
    for url in API_LISTS:
        assert client.get(_join(url, repeated)).status_code in (200, 404), url
    for filter_ in ["doi=10.1000/a&doi=nonsense", "year_min=2000&year_min=x"]:
        response = client.get(_join("/api/v1/references/", filter_))
        assert response.status_code == 400


ODD_VALUES = [
    "q=%ff%fe",  # not UTF-8
    "q=%ed%a0%80",  # an encoded surrogate
    "style=%00",
    "style=" + "x" * 5000,
    "kind=%00&q=a",
    "kind=nonsense&q=a",
    "q=" + "%E2%80%AE" * 100,  # right-to-left overrides
    "q=" + "e%CC%81" * 1000,  # combining accents
    "q=" + "%F0%9F%A7%AA%E2%80%8D" * 100,  # emoji and zero-width joiners
]


def test_odd_query_values_on_pages(client, pages):
    for query in ODD_VALUES:
        for url in pages:
            response = client.get(_join(url, query))
            assert response.status_code in (200, 400, 404), (url, query, response.status_code)


def test_a_nul_in_the_search_query_is_read_as_a_space(client, demo):
    # PostgreSQL refuses a NUL in text; it must never get that far.
    response = client.get(reverse("search:search") + "?q=ivig%00")

    assert response.status_code == 200
    assert "Intravenous immunoglobulin" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    ["search=%00", "year_min=1e3", "year_min=99999999999999999999", "pmid=" + "9" * 5000],
)
def test_odd_filter_values_on_the_api_are_400s(client, demo, query):
    assert_error(client.get(_join("/api/v1/references/", query)), 400, "invalid")
