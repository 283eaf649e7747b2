"""`make backup` and `make restore` round-trip the demo: same counts, same checksum.

The demo is loaded into a fresh database of its own on the test PostgreSQL server, backed
up, damaged, and restored; every table of the project is compared by row count and by an
MD5 of its rows in primary-key order.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from django.apps import apps
from django.db import connection
from psycopg import sql

from tests.support.services import BASE_DIR, manage

pytestmark = pytest.mark.postgres

EVIDENCE_TABLES = [
    "evidence_condition",
    "evidence_verdict",
    "evidence_study",
    "evidence_guidelineposition",
    "therapies_therapy",
    "references_reference",
]


def _server_url(name: str) -> str:
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"], safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgresql://{auth}@{db['HOST'] or 'localhost'}{port}/{quote(name, safe='')}"


def _tables() -> list[tuple[str, str]]:
    """(table, primary key column) of every model of the project, m2m tables included."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        tables[model._meta.db_table] = model._meta.pk.column
    return sorted(tables.items())


def snapshot(url: str) -> dict[str, tuple[int, str]]:
    """table -> (rows, md5 of the rows as text in primary-key order)."""
    result = {}
    with psycopg.connect(url) as conn:
        existing = {
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
        }
        for table, pk in _tables():
            if table not in existing:
                continue
            query = sql.SQL(
                "SELECT count(*), coalesce(md5(string_agg(t::text, E'\\n' ORDER BY t.{pk})), '')"
                " FROM {table} AS t"
            ).format(pk=sql.Identifier(pk), table=sql.Identifier(table))
            rows, digest = conn.execute(query).fetchone()
            result[table] = (rows, digest)
    return result


def _make(target: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["make", "-s", target],
        cwd=BASE_DIR,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def demo_database(django_db_blocker) -> Iterator[str]:
    name = f"{connection.settings_dict['NAME']}_backup"
    admin = _server_url("postgres")
    with django_db_blocker.unblock(), psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = _server_url(name)
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL"}}
    env.update(DATABASE_URL=url, DJANGO_SETTINGS_MODULE="config.settings.test")
    manage("migrate", "--noinput", env=env)
    manage("load_demo", env=env)
    try:
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def test_backup_then_restore_gives_back_the_same_data(demo_database, tmp_path: Path):
    before = snapshot(demo_database)
    for table in EVIDENCE_TABLES:
        assert before[table][0] > 0, f"the demo has no rows in {table}"

    backup = _make("backup", DATABASE_URL=demo_database, BACKUP_DIR=str(tmp_path))
    assert backup.returncode == 0, backup.stderr
    dump = Path(backup.stdout.strip().splitlines()[-1])
    assert dump.name.startswith("evidentia-") and dump.suffix == ".dump"
    assert dump.stat().st_size > 0
    assert not list(tmp_path.glob("*.partial"))

    # Damage: studies gone, verdicts and reference titles rewritten.
    with psycopg.connect(demo_database, autocommit=True) as conn:
        conn.execute("TRUNCATE evidence_study CASCADE")
        conn.execute("UPDATE evidence_verdict SET summary = 'tampered'")
        conn.execute("UPDATE references_reference SET title = 'tampered'")
    damaged = snapshot(demo_database)
    assert damaged["evidence_study"][0] == 0
    assert damaged["evidence_verdict"] != before["evidence_verdict"]

    restore = _make("restore", DATABASE_URL=demo_database, BACKUP=str(dump))
    assert restore.returncode == 0, restore.stderr

    after = snapshot(demo_database)
    assert after == before
    total_rows = sum(rows for rows, _ in after.values())
    print(f"\nround trip: {len(after)} tables, {total_rows} rows, {dump.stat().st_size} bytes")


def test_restore_refuses_without_a_backup_file(demo_database):
    before = snapshot(demo_database)

    missing = _make("restore", DATABASE_URL=demo_database)
    nowhere = _make("restore", DATABASE_URL=demo_database, BACKUP="/nonexistent.dump")
    not_a_dump = _make("restore", DATABASE_URL=demo_database, BACKUP=str(BASE_DIR / "Makefile"))

    assert missing.returncode != 0 and "make restore BACKUP=" in missing.stderr
    assert nowhere.returncode != 0 and "no such backup file" in nowhere.stderr
    assert not_a_dump.returncode != 0 and "not a pg_dump custom-format file" in not_a_dump.stderr
    assert snapshot(demo_database) == before


@pytest.mark.parametrize(
    ("url", "message"),
    [("", "DATABASE_URL is not set"), ("sqlite:///var/x.sqlite3", "need PostgreSQL")],
)
def test_backup_and_restore_refuse_what_is_not_postgresql(url, message, tmp_path):
    backup = _make("backup", DATABASE_URL=url, BACKUP_DIR=str(tmp_path))
    restore = _make("restore", DATABASE_URL=url, BACKUP=str(BASE_DIR / "Makefile"))

    for result in (backup, restore):
        assert result.returncode != 0
        assert message in result.stderr
    assert not list(tmp_path.iterdir())
