"""Fixtures for the security tests: an API client and a clean cache for throttle counters."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def anon():
    return APIClient()
