"""Fixtures for the API tests: clients for anonymous, read-only and editor callers."""

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import UserFactory

EDITOR_PERMISSIONS = [
    "evidence.add_study",
    "evidence.change_study",
    "evidence.delete_study",
    "references.add_importjob",
    "references.view_importjob",
]


def _token_client(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters live in the cache; no test may inherit another's."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anon():
    return APIClient()


@pytest.fixture
def editor(db):
    user = UserFactory(username="api-editor")
    for label in EDITOR_PERMISSIONS:
        app_label, codename = label.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


@pytest.fixture
def editor_client(editor):
    return _token_client(editor)


@pytest.fixture
def reader_client(db):
    """A valid token of a user with no model permissions: may read, may not write."""
    return _token_client(UserFactory(username="api-reader"))
