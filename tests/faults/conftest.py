"""The private services of tests/support/services.py, for every fault test."""

from tests.support.services import private_postgres, private_redis  # noqa: F401
