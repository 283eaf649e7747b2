"""load_demo: what it writes, and that running it again writes nothing at all."""

import datetime
import hashlib
import json

import pytest
from django.apps import apps
from django.core.management import call_command

from evidence.models import Condition, GuidelinePosition, Study, Verdict, VerdictReference
from references.models import Reference
from therapies.models import AdverseEffect, Contraindication, Formulation, RegulatoryStatus, Therapy

pytestmark = pytest.mark.django_db

APPS = ("references", "therapies", "evidence")

RA_REFERENCES = [
    # (doi, first author, year, volume, issue, pages)
    ("10.1093/rheumatology/keu429", "Mulhearn", 2015, "54", "3", "383-91"),
    ("10.1007/s00296-021-04871-x", "Kaestner", 2021, "41", "", "1273-1280"),
    ("10.3390/jcm10153289", "Xu", 2021, "10", "15", "3289"),
    (None, "Silverman", 1994, "21", "12", "2353-8"),
    ("10.1136/ard.54.5.382", "Muscat", 1995, "54", "5", "382-5"),
    (None, "Maksymowych", 1996, "14", "6", "657-60"),
    ("10.1016/j.autrev.2015.04.003", "Katz-Agranov", 2015, "14", "8", "651-8"),
    ("10.1111/cei.13532", "Halpert", 2021, "203", "3", "400-408"),
    ("10.1016/j.immuni.2023.02.019", "Seeling", 2023, "56", "5", "1046-1063.e7"),
]


def _snapshot() -> tuple[dict[str, int], str]:
    """Row counts and a checksum of every row (history tables included) of our apps."""
    counts, rows = {}, {}
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            values = list(model._default_manager.order_by("pk").values())
            counts[model._meta.label] = len(values)
            rows[model._meta.label] = values
    digest = hashlib.sha256(json.dumps(rows, default=str, sort_keys=True).encode()).hexdigest()
    return counts, digest


def test_load_demo_twice_changes_nothing():
    call_command("load_demo", verbosity=0)
    counts, digest = _snapshot()
    history_rows = sum(n for label, n in counts.items() if ".Historical" in label)

    call_command("load_demo", verbosity=0)

    assert _snapshot() == (counts, digest)
    assert history_rows > 0  # the first load is audited; the second one added nothing
    assert counts["evidence.Study"] == 9
    assert counts["evidence.Verdict"] == 4


def test_load_demo_restores_an_edited_value_with_one_history_row(demo):
    verdict = Verdict.objects.get(condition__slug="rheumatoid-arthritis")
    Verdict.objects.filter(pk=verdict.pk).update(summary="Edited behind the loader's back.")
    before = verdict.history.count()

    call_command("load_demo", verbosity=0)

    verdict.refresh_from_db()
    assert verdict.summary.startswith("IVIG is not an established treatment")
    assert verdict.history.count() == before + 1


def test_ra_references_carry_the_seed_bibliography(demo):
    for doi, family, year, volume, issue, pages in RA_REFERENCES:
        reference = (
            Reference.objects.get(doi=doi)
            if doi
            else Reference.objects.get(authors__0__family=family)
        )
        assert reference.authors[0]["family"] == family
        assert (reference.year, reference.volume, reference.issue, reference.pages) == (
            year,
            volume,
            issue,
            pages,
        )
        assert reference.journal
    nba = Reference.objects.get(title__startswith="Criteria for the Clinical Use")
    assert nba.doi is None
    assert nba.url.startswith("https://www.blood.gov.au/")


def test_dois_are_stored_normalised(demo):
    dois = list(Reference.objects.exclude(doi=None).values_list("doi", flat=True))
    assert len(dois) == 8  # seven of the RA article, one lupus review
    for doi in dois:
        assert doi == doi.lower()
        assert doi.startswith("10.")


def test_ra_verdict_and_its_sources(demo):
    verdict = Verdict.objects.select_related("therapy").get(condition__slug="rheumatoid-arthritis")
    assert verdict.therapy.slug == "ivig"
    assert verdict.status == Verdict.Status.INVESTIGATIONAL
    assert verdict.certainty in {Verdict.Certainty.LOW, Verdict.Certainty.VERY_LOW}
    assert verdict.reviewed_on == datetime.date(2026, 11, 21)
    assert len(verdict.key_takeaways) >= 3
    assert "Dectin-1" in verdict.mechanism_notes
    assert "FDA" in verdict.limitations
    background = VerdictReference.objects.filter(verdict=verdict).order_by("position")
    assert [
        link.reference.authors[0].get("family") or link.reference.authors[0]["collective"]
        for link in background
    ] == ["AmeriPharma Specialty Care", "Mulhearn", "Kaestner", "Xu"]
    claims = [link.claim for link in background]
    assert "serious toxicity" in claims[0] and "infrequent" in claims[0]
    assert "several other diseases" in claims[1]
    assert "immunoglobulin deficiencies" in claims[2]
    # Every study of the pair is attached to the pair's verdict.
    studies = Study.objects.filter(therapy=verdict.therapy, condition=verdict.condition)
    assert studies.count() == 6
    assert set(studies.values_list("verdict", flat=True)) == {verdict.pk}

    muscat = studies.get(reference__doi="10.1136/ard.54.5.382")
    assert muscat.participants == 10
    assert "400 mg/kg" in muscat.dose_regimen
    assert muscat.direction == "benefit"
    # What the seed article does not state stays empty, never filled in.
    silverman = studies.get(reference__pmid="7699642")
    assert (silverman.participants, silverman.dose_regimen, silverman.follow_up) == (None, "", "")
    assert silverman.comparator == "Placebo"
    maksymowych = studies.get(reference__pmid="8978962")
    assert maksymowych.participants is None
    assert maksymowych.design == "clinical_study"


def test_conditions_and_prevalence(demo):
    ra = Condition.objects.get(slug="rheumatoid-arthritis")
    assert "1.3 million" in ra.prevalence_note
    assert ra.prevalence_reference.doi == "10.3390/jcm10153289"
    sle = Condition.objects.get(slug="systemic-lupus-erythematosus")
    assert set(sle.children.values_list("slug", flat=True)) == {
        "lupus-nephritis",
        "lupus-pregnancy",
    }
    for slug in ("lupus-nephritis", "lupus-pregnancy", "systemic-lupus-erythematosus"):
        verdict = Verdict.objects.get(condition__slug=slug)
        assert verdict.status == Verdict.Status.INVESTIGATIONAL
        assert verdict.certainty == Verdict.Certainty.VERY_LOW


def test_guideline_regulatory_and_safety_facts(demo):
    ivig = Therapy.objects.get(slug="ivig")
    assert {"IVIG", "IVIg", "intravenous immunoglobulin", "IGIV"} <= set(ivig.aliases)
    assert "thousands of donors" in ivig.cost_and_supply_note

    position = GuidelinePosition.objects.get(condition__slug="rheumatoid-arthritis")
    assert position.position == GuidelinePosition.Position.NOT_SUPPORTED
    assert position.issuing_body.startswith("National Blood Authority")
    assert position.reference.title.startswith("Criteria for the Clinical Use")

    fda = RegulatoryStatus.objects.get(therapy=ivig, condition__slug="rheumatoid-arthritis")
    assert (fda.agency, fda.status) == ("FDA", "not_approved")
    assert fda.reference.title.startswith("IVIG for Rheumatoid Arthritis")

    anaphylaxis = AdverseEffect.objects.get(therapy=ivig, name="Anaphylaxis")
    # The seeds give no frequency band: unknown, with the 1 in 700 they do give.
    assert anaphylaxis.frequency == AdverseEffect.Frequency.UNKNOWN
    assert "1 in 700" in anaphylaxis.frequency_note
    assert anaphylaxis.risk_factors == "IgA deficiency"
    renal = AdverseEffect.objects.get(therapy=ivig, name="Acute renal failure")
    assert "90%" in renal.frequency_note
    assert sorted(r.title[:20] for r in renal.references.all()) == [
        "Acute renal failure ",
        "Does IVIG Offer Prom",
        "Reemergence of Sucro",
    ]
    assert {"Headache", "Nausea", "Seizures"} <= set(
        AdverseEffect.objects.filter(therapy=ivig).values_list("name", flat=True)
    )
    contraindication = Contraindication.objects.get(therapy=ivig)
    assert contraindication.name == "IgA deficiency"  # as the seed says, not narrowed
    assert contraindication.reason
    formulations = Formulation.objects.filter(therapy=ivig)
    assert {(f.brand, f.stabiliser, f.route) for f in formulations} == {
        ("", "sucrose", "intravenous"),
        ("", "sorbitol", "intravenous"),
    }


def test_every_fact_of_the_demo_cites_a_source(demo):
    for model in (AdverseEffect, Contraindication, Formulation):
        uncited = model.objects.filter(references__isnull=True)
        assert not uncited.exists(), f"{model.__name__} without a reference: {list(uncited)}"
    assert not RegulatoryStatus.objects.filter(reference__isnull=True).exists()
    assert not GuidelinePosition.objects.filter(reference__isnull=True).exists()
    for study in Study.objects.all():
        assert study.extraction_source == "seed_article"
        assert study.extraction_reference.title.startswith(("IVIG for Rheumatoid", "Does IVIG"))
