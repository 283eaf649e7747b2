"""The world of the door tests (tests/security/test_doors.py, test_admin_doors.py): two
condition trees with a verdict, a candidate and a saved search each, and staff users with
a role and a condition scope."""

from django.contrib.auth.models import Group
from django.test import Client

from evidence.editorial.roles import roles_sync
from evidence.models import Candidate, EditorScope, SavedSearch
from tests.factories import (
    ConditionFactory,
    ReferenceFactory,
    TherapyFactory,
    UserFactory,
    VerdictFactory,
)


def staff(username, role, *conditions):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    for condition in conditions:
        EditorScope.objects.create(user=user, condition=condition)
    return user


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def doors_world() -> dict:
    """Two condition trees (RA > juvenile RA, lupus > nephritis), IVIG's verdict in each,
    and a candidate and a saved search under each verdict."""
    roles_sync()
    ra = ConditionFactory(slug="ra", name="Rheumatoid arthritis")
    juvenile = ConditionFactory(slug="jra", name="Juvenile RA", parent=ra)
    lupus = ConditionFactory(slug="lupus", name="Lupus")
    nephritis = ConditionFactory(slug="nephritis", name="Lupus nephritis", parent=lupus)
    ivig = TherapyFactory(slug="ivig", name="IVIG")
    ra_verdict = VerdictFactory(therapy=ivig, condition=juvenile)
    lupus_verdict = VerdictFactory(
        therapy=ivig,
        condition=lupus,
        needs_review=True,
        review_reasons=[{"code": "retracted_study", "message": "Retracted.", "at": "2026-11-01"}],
    )
    return {
        "ra": ra,
        "juvenile": juvenile,
        "lupus": lupus,
        "nephritis": nephritis,
        "ivig": ivig,
        "ra_verdict": ra_verdict,
        "lupus_verdict": lupus_verdict,
        "ra_candidate": Candidate.objects.create(
            verdict=ra_verdict, reference=ReferenceFactory(), suggested_design="rct"
        ),
        "lupus_candidate": Candidate.objects.create(
            verdict=lupus_verdict, reference=ReferenceFactory(), suggested_design="rct"
        ),
        "ra_search": SavedSearch.objects.create(verdict=ra_verdict, query="ivig arthritis"),
        "lupus_search": SavedSearch.objects.create(verdict=lupus_verdict, query="ivig lupus"),
    }
