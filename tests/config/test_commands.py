"""The commands a developer types: `make test` runs under the test settings whatever the
shell exports, and management commands print only their own output."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PROBE = "tests/config/test_commands.py::test_the_suite_runs_under_the_test_settings"


def _env(**extra: str) -> dict[str, str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PYTEST_")) and k not in ("DATABASE_URL", "REDIS_URL")
    }
    return {**clean, **extra}


def test_the_suite_runs_under_the_test_settings():
    assert settings.SETTINGS_MODULE == "config.settings.test"
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "config.settings.test"


@pytest.mark.parametrize(
    "command",
    [
        # The Makefile's own recipe; -o: the virtualenv counts as installed.
        ["make", "--no-print-directory", "-o", ".venv/.installed-stamp", "test"],
        [sys.executable, "-m", "pytest"],
    ],
    ids=["make-test", "pytest"],
)
def test_an_exported_settings_module_does_not_change_the_test_settings(command):
    args = ["-q", "-p", "no:cacheprovider", PROBE]
    if command[0] == "make":
        command = [*command, f"PYTEST_ARGS={' '.join(args)}", f"BIN={Path(sys.executable).parent}"]
    else:
        command = [*command, *args]

    result = subprocess.run(
        command,
        cwd=ROOT,
        env=_env(DJANGO_SETTINGS_MODULE="config.settings.local"),
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["check"], "System check identified no issues (0 silenced).\n"),
        (["load_demo", "--help"], None),
    ],
    ids=["check", "load_demo-help"],
)
def test_management_commands_print_no_library_start_up_lines(args, expected):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_env(DJANGO_SETTINGS_MODULE="config.settings.local", LOG_LEVEL="INFO"),
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert "AXES" not in output.upper()
    assert result.stderr == ""
    if expected is not None:
        assert result.stdout == expected
    else:
        assert result.stdout.startswith("usage: manage.py load_demo")
