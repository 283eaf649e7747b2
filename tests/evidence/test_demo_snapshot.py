"""The demo loaded from its data file writes exactly the rows the former Python literals did.

tests/fixtures/demo_snapshot.json was taken from the loader of evidence/demo_data.py
before the demo became a data file; see demo_snapshot.py for what it holds.
"""

import json
import os

import pytest
from django.core.management import call_command

from .demo_snapshot import FIXTURE, demo_snapshot

pytestmark = pytest.mark.django_db


def test_demo_rows_match_the_snapshot():
    call_command("load_demo", verbosity=0)
    snapshot = demo_snapshot()
    if os.environ.get("EVIDENTIA_WRITE_DEMO_SNAPSHOT") == "1":
        text = json.dumps(snapshot, indent=1, sort_keys=True, ensure_ascii=False)
        FIXTURE.write_text(text + "\n")
    expected = json.loads(FIXTURE.read_text())
    assert snapshot.keys() == expected.keys()
    for label, rows in expected.items():
        assert snapshot[label] == rows, label


def test_a_second_load_keeps_the_snapshot():
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)
    assert demo_snapshot() == json.loads(FIXTURE.read_text())
