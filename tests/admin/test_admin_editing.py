"""Editing in the admin: JSON lists edited as one item per line (what the list widget
sends, and all a browser without JavaScript has), and the reference autocomplete that
finds a reference by author, year, title, DOI or PMID."""

import pytest
from django.urls import reverse

from config.admin_lists import ListField
from evidence.models import Condition, Verdict
from references.models import Reference
from tests.factories import ReferenceFactory
from tests.support.admin_forms import admin_form_data

pytestmark = pytest.mark.django_db


def _verdict_page(client, verdict):
    return client.get(reverse("admin:evidence_verdict_change", args=[verdict.pk]))


def test_key_takeaways_are_saved_from_one_item_per_line(admin_client, demo):
    verdict = Verdict.objects.get(condition__slug="rheumatoid-arthritis")
    page = _verdict_page(admin_client, verdict)
    data = admin_form_data(page)
    assert data["key_takeaways"] == "\n".join(verdict.key_takeaways)

    data["key_takeaways"] = "  Second   point.\n\nFirst point.\r\n   \n"
    response = admin_client.post(page.request["PATH_INFO"], data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    verdict.refresh_from_db()
    assert verdict.key_takeaways == ["Second point.", "First point."]


def test_a_takeaway_too_long_is_a_form_error_not_a_500(admin_client, demo):
    verdict = Verdict.objects.get(condition__slug="rheumatoid-arthritis")
    page = _verdict_page(admin_client, verdict)
    data = admin_form_data(page)
    data["key_takeaways"] = "Fine.\n" + "x" * 501

    response = admin_client.post(page.request["PATH_INFO"], data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["key_takeaways"]
    assert errors == ["Item 2 is 501 characters long; the limit is 500."]


def test_a_conditions_synonyms_are_a_list_widget(admin_client, demo):
    condition = Condition.objects.get(slug="rheumatoid-arthritis")
    html = admin_client.get(
        reverse("admin:evidence_condition_change", args=[condition.pk])
    ).content.decode()

    assert 'data-list-widget="item"' in html
    assert "evidentia/admin/list_widget.js" in html
    assert "[&quot;" not in html.split('name="synonyms"')[1][:200]  # not raw JSON


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("", []),
        ("one", ["one"]),
        (" a \n\n b\tc \r\n", ["a", "b c"]),
        (["x", " ", "y"], ["x", "y"]),
    ],
)
def test_list_field_reads_one_item_per_line(value, expected):
    assert ListField(required=False).clean(value) == expected


@pytest.fixture
def library(db):
    return {
        "smith": ReferenceFactory(
            title="Intravenous immunoglobulin in refractory arthritis",
            authors=[{"family": "Smith", "given": "Jane", "initials": "J"}],
            year=2019,
            doi="10.5555/smith.2019",
            pmid="31000001",
        ),
        "muller": ReferenceFactory(
            title="Immunoglobulin dosing",
            authors=[{"family": "Müller", "given": "Anna", "initials": "A"}],
            year=2004,
            doi="10.5555/mueller.2004",
            pmid="15000002",
        ),
    }


@pytest.mark.parametrize(
    ("term", "found"),
    [
        ("Smith", {"smith"}),
        ("smith 2019", {"smith"}),
        ("Müller", {"muller"}),
        ("2004", {"muller"}),
        ("refractory arthritis", {"smith"}),
        ("immunoglobulin", {"smith", "muller"}),
        ("10.5555/mueller.2004", {"muller"}),
        ("https://doi.org/10.5555/SMITH.2019", {"smith"}),
        ("31000001", {"smith"}),
        ("PMID: 15000002", {"muller"}),
        ("Smith 2004", set()),
    ],
)
def test_the_reference_autocomplete_matches_author_year_title_doi_and_pmid(
    admin_client, library, term, found
):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {"app_label": "evidence", "model_name": "study", "field_name": "reference", "term": term},
    )

    assert response.status_code == 200
    ids = {int(row["id"]) for row in response.json()["results"]}
    assert ids == {library[key].pk for key in found}


def test_the_reference_list_search_has_the_same_matches(admin_client, library):
    response = admin_client.get(reverse("admin:references_reference_changelist"), {"q": "smith"})

    assert [r.pk for r in response.context["cl"].result_list] == [library["smith"].pk]
    assert Reference.objects.count() == 2
