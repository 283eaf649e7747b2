"""Reads on a PostgreSQL replica (config/db_router.py), shown against a real second cluster
in streaming replication from the test server (scripts/pg_replica.sh, run by the fixture).

The replica's replay is paused while the primary changes a name, so a read that went to
the replica shows the old name and one that went to the primary the new one.
"""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connections, router, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from rest_framework.authtoken.models import Token

from config import db_router
from config.db_router import ReplicaReadsMiddleware
from evidence.models import Condition
from tests.factories import UserFactory
from tests.support import replica

pytestmark = pytest.mark.postgres
ON_REPLICA = pytest.mark.django_db(transaction=True, databases=["default", replica.ALIAS])
RA = "rheumatoid-arthritis"
PAGE = f"/conditions/{RA}/"
NEW_NAME = "Renamed on the primary"


@pytest.fixture(scope="session")
def replica_port():
    primary = django_settings.DATABASES["default"]
    if primary["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://...")
    port, reason = replica.start(primary.get("HOST") or "", int(primary.get("PORT") or 5432))
    if port is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"no streaming replica: {reason} (CI=true: a failure, not a skip)")
        pytest.skip(f"no streaming replica: {reason}")
    return port


@pytest.fixture(scope="module")
def replica_alias(replica_port, django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        alias = replica.attach(replica_port)
        yield alias
        replica.detach()


@pytest.fixture
def on_replica(replica_alias, settings):
    settings.DATABASE_REPLICAS = [replica_alias]
    settings.DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
    settings.EVIDENCE_PAGE_CACHE = False  # every page reads the database
    replica.wait_for_replay()
    yield replica_alias


class QueryLog:
    """Which alias each query of a block ran on."""

    def __init__(self):
        self.aliases: list[str] = []
        self.sql: list = []

    def __enter__(self):
        self._wrappers = []
        for alias in ("default", replica.ALIAS):
            wrapper = connections[alias].execute_wrapper(self._logger(alias))
            wrapper.__enter__()
            self._wrappers.append(wrapper)
        return self

    def __exit__(self, *exc):
        for wrapper in reversed(self._wrappers):
            wrapper.__exit__(*exc)

    def _logger(self, alias):
        def log(execute, sql, params, many, context):
            self.aliases.append(alias)
            self.sql.append((alias, sql))
            return execute(sql, params, many, context)

        return log


@ON_REPLICA
def test_anonymous_reads_use_the_replica_and_signed_in_readers_the_primary(on_replica, demo):
    replica.wait_for_replay()
    assert replica.scalar(on_replica, "select pg_is_in_recovery()") is True
    assert replica.scalar("default", "select pg_is_in_recovery()") is False
    editor = Client()
    editor.force_login(UserFactory(username="replica-editor", is_staff=True))
    token = Token.objects.create(user=UserFactory(username="replica-api")).key
    with replica.paused_replay():
        Condition.objects.filter(slug=RA).update(name=NEW_NAME)
        with QueryLog() as log:
            anonymous = Client().get(PAGE).content.decode()
        assert NEW_NAME not in anonymous and "Rheumatoid arthritis" in anonymous
        assert log.aliases and set(log.aliases) == {replica.ALIAS}, [
            s for s in log.sql if s[0] == "default"
        ]
        with QueryLog() as log:
            assert NEW_NAME in editor.get(PAGE).content.decode()
            api = Client().get(
                f"/api/v1/conditions/{RA}/", headers={"Authorization": f"Token {token}"}
            )
            assert api.json()["name"] == NEW_NAME
        assert replica.ALIAS not in log.aliases
    replica.wait_for_replay()
    assert NEW_NAME in Client().get(PAGE).content.decode()


@ON_REPLICA
def test_a_request_that_writes_reads_its_own_writes_on_the_primary(on_replica, demo):
    seen = []

    def view(request):
        seen.append((router.db_for_read(Condition), Condition.objects.get(slug=RA).name))
        with transaction.atomic():
            seen.append((router.db_for_read(Condition), None))
        Condition.objects.filter(slug=RA).update(name=NEW_NAME)
        seen.append((router.db_for_read(Condition), Condition.objects.get(slug=RA).name))
        return HttpResponse()

    replica.wait_for_replay()
    with replica.paused_replay():
        ReplicaReadsMiddleware(view)(RequestFactory().get(PAGE))
    assert seen == [
        (replica.ALIAS, "Rheumatoid arthritis"),
        ("default", None),  # inside a transaction
        ("default", NEW_NAME),  # after a write: never the replica's older copy
    ]


@ON_REPLICA
def test_the_page_cache_never_keeps_a_page_read_from_a_replica_behind_an_edit(
    on_replica, demo, settings
):
    settings.EVIDENCE_PAGE_CACHE = True
    cache.clear()
    assert Client().get(PAGE).status_code == 200  # cached, read from the replica
    with replica.paused_replay():
        condition = Condition.objects.get(slug=RA)
        condition.name = NEW_NAME
        condition.save()  # replaces the page's tokens, stamped with the primary's position
        with QueryLog() as log:
            page = Client().get(PAGE).content.decode()
        assert NEW_NAME in page  # the replica is behind that position: read the primary
        assert "default" in log.aliases and replica.ALIAS in log.aliases  # the check
        assert NEW_NAME in Client().get(PAGE).content.decode()  # and what was cached
    replica.wait_for_replay()
    condition.name = "Renamed again"
    condition.save()
    replica.wait_for_replay()
    with QueryLog() as log:
        assert "Renamed again" in Client().get(PAGE).content.decode()
    assert set(log.aliases) == {replica.ALIAS}  # caught up: the replica serves it


@ON_REPLICA
@pytest.mark.parametrize(
    ("method", "headers", "cookies"),
    [
        ("post", {}, {}),
        ("get", {"HTTP_AUTHORIZATION": "Token abc"}, {}),
        ("get", {}, {django_settings.SESSION_COOKIE_NAME: "a-session"}),
    ],
)
def test_writes_sessions_and_tokens_never_read_a_replica(on_replica, method, headers, cookies):
    request = getattr(RequestFactory(), method)(PAGE, **headers)
    request.COOKIES.update(cookies)
    seen = []
    ReplicaReadsMiddleware(lambda r: seen.append(router.db_for_read(Condition)) or HttpResponse())(
        request
    )
    assert seen == ["default"]
    assert router.db_for_read(Condition) == "default"  # outside a request: tasks, commands
    assert router.allow_migrate(replica.ALIAS, "evidence") is False


def test_database_replica_urls_become_mirrored_aliases_and_the_router():
    code = (
        "from django.conf import settings as s; d = s.DATABASES;"
        "print(s.DATABASE_REPLICAS, s.DATABASE_ROUTERS, d['replica_0']['PORT'],"
        " d['replica_1']['NAME'], d['replica_0']['TEST']['MIRROR'], d['replica_0']['HOST'])"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/evidentia",
        "DATABASE_REPLICA_URLS": "postgres://r@10.0.0.2:5433/evidentia,postgres://r@10.0.0.3/ev",
    }
    out = subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert (
        out
        == "['replica_0', 'replica_1'] ['config.db_router.ReplicaRouter'] 5433 ev default 10.0.0.2"
    )


DEAD = "replica_dead"


@pytest.fixture(scope="module")
def dead_alias():
    """A replica alias whose server is gone: nothing listens on its port. Made before the
    test's database setup, which must know every alias the test may use."""
    connections.settings[DEAD] = {
        **django_settings.DATABASES["default"],
        "HOST": "127.0.0.1",
        "PORT": "1",
        "OPTIONS": {"connect_timeout": 2},
        "TEST": {"MIRROR": "default"},
    }
    yield DEAD
    connections[DEAD].close()
    del connections[DEAD]
    del connections.settings[DEAD]


@pytest.fixture
def dead_replica(dead_alias, settings):
    settings.DATABASE_REPLICAS = [dead_alias]
    settings.DATABASE_ROUTERS = ["config.db_router.ReplicaRouter"]
    settings.EVIDENCE_PAGE_CACHE = False
    yield dead_alias
    db_router._down_until.pop(dead_alias, None)


@pytest.mark.django_db(transaction=True, databases=["default", DEAD])
def test_a_replica_out_of_reach_sends_readers_to_the_primary(dead_replica, demo, caplog):
    response = Client().get(PAGE)
    assert response.status_code == 200 and "Rheumatoid arthritis" in response.content.decode()
    assert f"replica {dead_replica} is out of reach" in caplog.text
    assert dead_replica in db_router._down_until  # not tried again for a while
    caplog.clear()
    assert Client().get(PAGE).status_code == 200
    assert "out of reach" not in caplog.text
    db_router._down_until[dead_replica] = 0.0  # the pause is over: tried again, still down
    assert Client().get(PAGE).status_code == 200
    assert "out of reach" in caplog.text
