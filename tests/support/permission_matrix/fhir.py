"""The /fhir/ doors of the matrix: every route of the read-only FHIR endpoint, read by
each role (reads are public; writes are refused with a 405 for everyone, which
tests/fhir_api/test_endpoint.py checks)."""

from __future__ import annotations

from django.urls import reverse

from evidence.models import Verdict
from evidence.services.publication import verdict_publish

from .doors import Door


def fhir_url(door: Door, obj, world) -> str:
    """The door's address for ``obj``; a study is published first (inside the check's
    savepoint), since the world publishes its verdicts before adding their studies."""
    name = door.id
    if name == "fhir:not-found":
        return "/fhir/Patient/1"
    if name == "fhir:citation-search":
        return reverse(name) + f"?identifier=https://doi.org|{obj.doi}"
    if name == "fhir:bundle-search":
        return reverse(name) + f"?condition={obj.slug}"
    if name == "fhir:evidence-read":
        verdict = Verdict.objects.get(therapy=obj.therapy_id, condition=obj.condition_id)
        verdict_publish(verdict=verdict, user=world.users["superuser"], note="MX FHIR read")
    if obj is None:
        return reverse(name)
    return reverse(name, args=[obj.pk])
