"""The admin site says it is Evidentia, and the infrastructure apps (accounts, tokens,
login lockouts, beat schedules) answer to superusers only, whatever permissions another
staff account holds."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from config.admin_site import INFRASTRUCTURE_APPS
from evidence.editorial.roles import EDITOR, roles_sync
from tests.factories import UserFactory
from tests.support.doors import signed_in, staff

pytestmark = pytest.mark.django_db

INFRASTRUCTURE_PAGES = [
    "admin:auth_user_changelist",
    "admin:auth_group_changelist",
    "admin:authtoken_tokenproxy_changelist",
    "admin:axes_accessattempt_changelist",
    "admin:django_celery_beat_periodictask_changelist",
]


@pytest.fixture
def editor_with_every_permission():
    """An editor who was also given every permission of the infrastructure apps."""
    roles_sync()
    user = staff("editor", EDITOR)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label__in=INFRASTRUCTURE_APPS)
    )
    return user


def test_the_admin_header_and_title_name_evidentia(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()

    assert "<title>Evidence curation | Evidentia</title>" in html
    assert '<a href="/admin/">Evidentia</a>' in html
    assert "Django administration" not in html


def test_an_editor_does_not_see_the_infrastructure_apps_even_with_their_permissions(
    editor_with_every_permission,
):
    client = signed_in(editor_with_every_permission)
    index = client.get(reverse("admin:index"))

    assert index.status_code == 200
    shown = {app["app_label"] for app in index.context["app_list"]}
    assert shown & INFRASTRUCTURE_APPS == set()
    assert "evidence" in shown
    for name in INFRASTRUCTURE_PAGES:
        assert client.get(reverse(name)).status_code == 403, name
    assert client.get(reverse("admin:app_list", args=["axes"])).status_code == 404


def test_a_superuser_keeps_the_infrastructure_apps():
    client = signed_in(UserFactory(username="root", is_staff=True, is_superuser=True))
    index = client.get(reverse("admin:index"))

    shown = {app["app_label"] for app in index.context["app_list"]}
    assert INFRASTRUCTURE_APPS <= shown
    for name in INFRASTRUCTURE_PAGES:
        assert client.get(reverse(name)).status_code == 200, name
