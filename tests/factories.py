"""factory_boy factories for every model of references, therapies and evidence.

Factories write straight to the database, around the services; use them to arrange a
test, and the services when the behaviour under test is the service's. StudyFactory
attaches the pair's verdict when one exists, as evidence.services does.
"""

import datetime
import gzip

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from evidence.models import (
    Condition,
    Design,
    Direction,
    GuidelinePosition,
    Study,
    Verdict,
    VerdictReference,
)
from references.models import Reference, ReferenceNotice, ReferenceSourceRecord
from therapies.models import (
    AdverseEffect,
    AdverseEffectReference,
    Contraindication,
    ContraindicationReference,
    Formulation,
    RegulatoryStatus,
    Therapy,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"editor{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password("correct-horse-battery-staple")


# --- references ---------------------------------------------------------------------------


class ReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reference

    doi = factory.Sequence(lambda n: f"10.5555/test.{n}")
    pmid = factory.Sequence(lambda n: str(90_000_000 + n))
    pmcid = None
    title = factory.Sequence(lambda n: f"A trial of something, number {n}")
    authors = factory.LazyFunction(
        lambda: [
            {"family": "Smith", "given": "Jane A", "initials": "JA"},
            {"family": "Jones", "given": "Bo", "initials": "B"},
        ]
    )
    journal = "Journal of Tests"
    journal_abbreviation = "J Tests"
    year = 2020
    volume = "12"
    issue = "3"
    pages = "100-9"


class ReferenceNoticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferenceNotice

    reference = factory.SubFactory(ReferenceFactory)
    type = ReferenceNotice.Type.RETRACTION
    doi = factory.Sequence(lambda n: f"10.5555/notice.{n}")
    date = datetime.date(2024, 1, 15)
    source = "crossref"


class ReferenceSourceRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReferenceSourceRecord

    reference = factory.SubFactory(ReferenceFactory)
    source = Reference.Source.PUBMED
    content_type = "application/xml"
    raw_gzip = factory.LazyFunction(lambda: gzip.compress(b"<PubmedArticle/>"))
    fetched_at = factory.LazyFunction(timezone.now)


# --- therapies ----------------------------------------------------------------------------


class TherapyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Therapy
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Therapy {n}")
    slug = factory.Sequence(lambda n: f"therapy-{n}")
    drug_class = "Test class"
    aliases = factory.LazyFunction(list)


class FormulationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Formulation

    therapy = factory.SubFactory(TherapyFactory)
    brand = factory.Sequence(lambda n: f"Brand {n}")
    manufacturer = "Maker Ltd"
    stabiliser = Formulation.Stabiliser.GLYCINE
    route = Formulation.Route.INTRAVENOUS


class AdverseEffectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdverseEffect

    therapy = factory.SubFactory(TherapyFactory)
    name = factory.Sequence(lambda n: f"Side effect {n}")
    frequency = AdverseEffect.Frequency.UNKNOWN
    severity = AdverseEffect.Severity.MODERATE


class AdverseEffectReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AdverseEffectReference

    adverse_effect = factory.SubFactory(AdverseEffectFactory)
    reference = factory.SubFactory(ReferenceFactory)


class ContraindicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contraindication

    therapy = factory.SubFactory(TherapyFactory)
    name = factory.Sequence(lambda n: f"Contraindication {n}")
    kind = Contraindication.Kind.ABSOLUTE
    reason = "It is dangerous."


class ContraindicationReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContraindicationReference

    contraindication = factory.SubFactory(ContraindicationFactory)
    reference = factory.SubFactory(ReferenceFactory)


# --- evidence -----------------------------------------------------------------------------


class ConditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Condition
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Condition {n}")
    slug = factory.Sequence(lambda n: f"condition-{n}")
    synonyms = factory.LazyFunction(list)


class RegulatoryStatusFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegulatoryStatus

    therapy = factory.SubFactory(TherapyFactory)
    condition = factory.SubFactory(ConditionFactory)
    agency = RegulatoryStatus.Agency.FDA
    status = RegulatoryStatus.Status.NOT_APPROVED
    reference = factory.SubFactory(ReferenceFactory)


class VerdictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Verdict

    therapy = factory.SubFactory(TherapyFactory)
    condition = factory.SubFactory(ConditionFactory)
    status = Verdict.Status.INVESTIGATIONAL
    certainty = Verdict.Certainty.LOW
    summary = "Small studies disagree."
    key_takeaways = factory.LazyFunction(lambda: ["More trials are needed."])
    reviewed_on = datetime.date(2026, 1, 1)


class VerdictReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VerdictReference

    verdict = factory.SubFactory(VerdictFactory)
    reference = factory.SubFactory(ReferenceFactory)
    position = factory.Sequence(lambda n: n)


class StudyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Study

    reference = factory.SubFactory(ReferenceFactory)
    therapy = factory.SubFactory(TherapyFactory)
    condition = factory.SubFactory(ConditionFactory)
    verdict = factory.LazyAttribute(
        lambda o: Verdict.objects.filter(therapy=o.therapy, condition=o.condition).first()
    )
    design = Design.RCT
    participants = 40
    dose_regimen = "1 g/kg monthly"
    outcome = factory.Sequence(lambda n: f"Outcome {n}")
    outcome_summary = "Fewer painful joints."
    direction = Direction.BENEFIT


class GuidelinePositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuidelinePosition

    therapy = factory.SubFactory(TherapyFactory)
    condition = factory.SubFactory(ConditionFactory)
    issuing_body = factory.Sequence(lambda n: f"Society {n}")
    document = "Guideline on everything"
    year = 2022
    position = GuidelinePosition.Position.CONDITIONAL
    reference = factory.SubFactory(ReferenceFactory)
