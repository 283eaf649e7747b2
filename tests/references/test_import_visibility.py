"""Who sees an import job (issue 12): its creator, and holders of view_all_importjobs.

Import jobs carry file names and the raw lines of uploads. A job is seen by the user who
started it and by users with ``references.view_all_importjobs`` (no role has it by
default; superusers have every permission). Jobs the system started (the periodic
refresh, ``created_by`` NULL) are seen only with the permission. The rule lives on the
model (ImportJob.objects.visible_to, job.is_visible_to) and every door asks it: the API
and the admin answer 404 for any other job, as for one that does not exist.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission
from django.urls import reverse
from rest_framework.test import APIClient

from evidence.editorial.roles import EDITOR, VIEWER
from references.models import ImportJob, ImportJobItem
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _user(name: str, *, role: str | None = None, see_all: bool = False, **fields):
    user = UserFactory(username=name, is_staff=True, **fields)
    if role:
        user.groups.add(Group.objects.get(name=role))
    if see_all:
        group, _ = Group.objects.get_or_create(name="Import auditors")
        group.permissions.add(Permission.objects.get(codename="view_all_importjobs"))
        user.groups.add(group)
    return user


def _job(user, raw: str = "10.1000/secret-line") -> ImportJob:
    job = ImportJob.objects.create(
        kind=ImportJob.Kind.FILE, created_by=user, filename="private.ris", total=1
    )
    ImportJobItem.objects.create(job=job, position=0, raw=raw, kind="record")
    return job


@pytest.fixture
def people():
    return {
        "creator": _user("creator", role=EDITOR),
        "other editor": _user("other-editor", role=EDITOR),
        "viewer": _user("viewer", role=VIEWER),
        "auditor": _user("auditor", role=VIEWER, see_all=True),
        "superuser": _user("root", is_superuser=True),
    }


@pytest.fixture
def jobs(people):
    return {
        "own": _job(people["creator"]),
        "system": ImportJob.objects.create(kind=ImportJob.Kind.REFRESH, created_by=None),
    }


SEES = {
    # who: which jobs they see
    "creator": {"own"},
    "other editor": set(),
    "viewer": set(),
    "auditor": {"own", "system"},
    "superuser": {"own", "system"},
}


def test_the_permission_exists_and_no_role_has_it():
    permission = Permission.objects.get(codename="view_all_importjobs")

    assert permission.name == "Can see every import job"
    assert permission.content_type.app_label == "references"
    assert not Group.objects.filter(name__in=["Editor", "Reviewer", "Viewer"]).filter(
        permissions=permission
    )


@pytest.mark.parametrize("who", list(SEES))
def test_the_rule_on_the_model(people, jobs, who):
    user = people[who]
    visible = set(ImportJob.objects.visible_to(user).values_list("pk", flat=True))

    assert visible == {jobs[name].pk for name in SEES[who]}
    assert {name for name, job in jobs.items() if job.is_visible_to(user)} == SEES[who]
    items = ImportJobItem.objects.visible_to(user)
    assert set(items.values_list("job_id", flat=True)) == {jobs["own"].pk} & visible
    item = jobs["own"].items.get()
    assert item.is_visible_to(user) == ("own" in SEES[who])


def test_nobody_anonymous_or_inactive_sees_a_job(people, jobs):
    inactive = _user("gone", see_all=True, is_active=False)

    for user in (AnonymousUser(), inactive):
        assert not ImportJob.objects.visible_to(user).exists()
        assert not ImportJobItem.objects.visible_to(user).exists()
        assert not any(job.is_visible_to(user) for job in jobs.values())


@pytest.mark.parametrize("who", list(SEES))
def test_the_api_answers_404_for_a_job_the_user_may_not_see(people, jobs, who):
    api = APIClient()
    api.force_authenticate(people[who])

    for name, job in jobs.items():
        response = api.get(f"/api/v1/imports/{job.pk}/")
        if name in SEES[who]:
            assert response.status_code == 200, (who, name)
            assert response.json()["id"] == job.pk
        else:
            assert response.status_code == 404, (who, name)
            assert "secret-line" not in response.content.decode()
            assert response.json() == api.get("/api/v1/imports/999999/").json()


def test_the_creator_follows_the_job_they_start(people):
    api = APIClient()
    api.force_authenticate(people["creator"])
    response = api.post("/api/v1/imports/", {"identifiers": ["10.1000/mine"]}, format="json")
    assert response.status_code == 202

    assert api.get(response["Location"]).status_code == 200
    other = APIClient()
    other.force_authenticate(people["other editor"])
    assert other.get(response["Location"]).status_code == 404


@pytest.mark.parametrize("who", list(SEES))
def test_the_admin_lists_only_visible_jobs_and_items(client, people, jobs, who):
    client.force_login(people[who])

    listed = client.get(reverse("admin:references_importjob_changelist"))
    items = client.get(reverse("admin:references_importjobitem_changelist"))

    assert listed.status_code == items.status_code == 200
    assert set(listed.context["cl"].queryset.values_list("pk", flat=True)) == {
        jobs[name].pk for name in SEES[who]
    }
    assert ("secret-line" in items.content.decode()) == ("own" in SEES[who])


@pytest.mark.parametrize("who", list(SEES))
def test_admin_pages_of_a_job_the_user_may_not_see_are_404(client, people, jobs, who):
    client.force_login(people[who])
    item = jobs["own"].items.get()

    for name, job in jobs.items():
        expected = 200 if name in SEES[who] else 404
        for view in ("change", "history"):
            url = reverse(f"admin:references_importjob_{view}", args=[job.pk])
            assert client.get(url).status_code == expected, (who, name, view)
    expected = 200 if "own" in SEES[who] else 404
    url = reverse("admin:references_importjobitem_change", args=[item.pk])
    assert client.get(url).status_code == expected
    # A missing job looks the same as a hidden one.
    missing = reverse("admin:references_importjob_change", args=[999999])
    assert client.get(missing).status_code == 404


def test_admin_delete_of_a_hidden_job_is_a_404_and_deletes_nothing(client, people, jobs):
    stranger = _user("stranger", role=EDITOR)
    stranger.user_permissions.add(Permission.objects.get(codename="delete_importjob"))
    client.force_login(stranger)

    url = reverse("admin:references_importjob_delete", args=[jobs["own"].pk])

    assert client.post(url, {"post": "yes"}).status_code == 404
    assert ImportJob.objects.filter(pk=jobs["own"].pk).exists()
