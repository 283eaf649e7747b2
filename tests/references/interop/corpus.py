"""The interop corpus (tests/fixtures/interop): its files and what each must yield."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from references.parsers import BibRecord

ROOT = Path(__file__).resolve().parents[2] / "fixtures" / "interop"
EXPECTED_SUFFIX = ".expected.json"
CHECKED_FIELDS = ("title", "year", "doi", "pmid", "pmcid", "journal", "volume", "issue", "pages")


@dataclass(frozen=True)
class CorpusFile:
    path: Path
    tool: str
    records: list[dict]
    # Records the file holds that are refused on purpose: [{"line": 20, "message": "..."}]
    errors: list[dict] = field(default_factory=list)

    @property
    def id(self) -> str:
        return str(self.path.relative_to(ROOT))


def corpus_files(family: str | None = None) -> list[CorpusFile]:
    base = ROOT / family if family else ROOT
    files = []
    for expected in sorted(base.rglob(f"*{EXPECTED_SUFFIX}")):
        spec = json.loads(expected.read_text(encoding="utf-8"))
        path = expected.with_name(expected.name.removesuffix(EXPECTED_SUFFIX))
        files.append(
            CorpusFile(
                path=path,
                tool=spec["tool"],
                records=spec["records"],
                errors=spec.get("errors", []),
            )
        )
    return files


def author_names(record: BibRecord) -> list[str]:
    return [
        a.collective or ", ".join(part for part in (a.family, a.given or a.initials) if part)
        for a in record.authors
    ]


def differences(record: BibRecord, expected: dict) -> list[str]:
    """Each field of ``expected`` that ``record`` gets wrong, as "field: got != wanted"."""
    found = []
    for name, wanted in expected.items():
        if name == "authors":
            got = author_names(record)
        elif name in CHECKED_FIELDS:
            got = getattr(record, name)
        else:
            continue
        if (got or None) != (wanted or None):
            found.append(f"{name}: {got!r} != {wanted!r}")
    return found
