"""No secret is committed: every file git tracks (or would add) is scanned for private
keys, cloud and service tokens, and secret-looking assignments.

Fixed values the project needs (the test settings' key, the Dockerfile's build-time
key) say so in the value itself ("...-not-a-secret"), which is what this test allows.
"""

import re
import subprocess
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
THIS_FILE = Path(__file__).resolve()
MAX_BYTES = 2_000_000
# Values that announce themselves as placeholders or test-only.
# "correct-horse-battery-staple" is the factories' password for test users.
PLACEHOLDER = re.compile(
    r"not-a-secret|test-only|example|changeme|correct-horse-battery-staple|\.\.\.|\$\{|<[^>]+>",
    re.I,
)

PATTERNS = {
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY"),
    "AWS access key id": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b|\bgithub_pat_[A-Za-z0-9_]{40,}"),
    "Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
    "Stripe live key": re.compile(r"\b[sr]k_live_[A-Za-z0-9]{16,}"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b"),
}
# NAME=value / NAME: value / NAME = "value" for names that hold secrets (settings, .env,
# compose files, shell), and env("DJANGO_SECRET_KEY", default="...") fallbacks.
ASSIGNMENT = re.compile(
    r"\b[A-Z0-9_]*(?:SECRET_KEY|SECRET|API_KEY|PASSWORD|TOKEN)\b[\"']?\s*[:=]\s*[\"']?"
    r"(?P<value>[^\s\"'(),]{12,})"
)
ENV_DEFAULT = re.compile(
    r"env\(\s*[\"'][A-Z0-9_]*(?:SECRET_KEY|SECRET|PASSWORD|TOKEN|API_KEY)[\"']\s*,"
    r"\s*default\s*=\s*[\"'](?P<value>[^\"']+)[\"']"
)


def _candidate_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    paths = [ROOT / name for name in listed.split("\0") if name]
    return [p for p in paths if p.is_file() and p.resolve() != THIS_FILE]


def _findings(text: str) -> list[str]:
    found = [name for name, pattern in PATTERNS.items() if pattern.search(text)]
    for pattern in (ASSIGNMENT, ENV_DEFAULT):
        for match in pattern.finditer(text):
            value = match.group("value")
            if not PLACEHOLDER.search(value) and not value.startswith(("env", "os.", "{")):
                found.append(f"secret-looking value {match.group(0)[:60]!r}")
    return found


def test_the_scanner_finds_what_it_looks_for():
    key = "AKIA" + "ABCDEFGHIJKLMNOP"
    assert _findings(f"aws = '{key}'") == ["AWS access key id"]
    assert _findings("DJANGO_SECRET_KEY=q8#vX2!mP9zL4wR7tY1u")
    assert _findings('SECRET_KEY = env("DJANGO_SECRET_KEY", default="q8vX2mP9zL4wR7")')
    assert _findings("DJANGO_SECRET_KEY=build-only-not-a-secret") == []
    assert _findings("POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it}") == []


def test_no_tracked_file_holds_a_secret():
    problems = []
    files = _candidate_files()
    assert len(files) > 50  # git listed the checkout
    for path in files:
        if path.stat().st_size > MAX_BYTES:
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary
        problems += [f"{path.relative_to(ROOT)}: {f}" for f in _findings(text)]
    assert problems == [], "\n".join(problems)


def test_the_test_settings_key_says_it_is_not_a_secret():
    assert "not-a-secret" in settings.SECRET_KEY
