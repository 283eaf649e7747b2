"""What changed between two published versions of a pair, in words a clinician reads.

Pure functions over the content that evidence.selectors.content.pair_content builds
(plain dicts and lists); no database access, so the diff of any two versions is cheap.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

VERDICT_FIELDS = {
    "status": "Status",
    "certainty": "Certainty",
    "certainty_override_reason": "Reason for the certainty",
    "summary": "Summary",
    "key_takeaways": "Key takeaways",
    "limitations": "Limitations",
    "mechanism_notes": "Mechanism",
}
# Fields shown as "old → new"; longer text is only said to have changed.
SHORT_FIELDS = {"status", "certainty", "participants", "direction", "design", "importance", "year"}
STUDY_FIELDS = {
    "design": "design",
    "participants": "participants",
    "population": "population",
    "dose_regimen": "dose",
    "comparator": "comparator",
    "follow_up": "follow-up",
    "outcome_summary": "result",
    "direction": "direction",
    "risk_of_bias": "risk of bias",
    "effect_measure": "effect measure",
    "effect_size": "effect size",
    "ci_lower": "lower CI",
    "ci_upper": "upper CI",
}
FINDING_FIELDS = {
    "importance": "importance",
    "studies_count": "studies",
    "participants": "participants",
    "relative_effect": "relative effect",
    "absolute_effect": "absolute effect",
    "certainty": "certainty",
    "risk_of_bias": "risk of bias",
    "inconsistency": "inconsistency",
    "indirectness": "indirectness",
    "imprecision": "imprecision",
    "publication_bias": "publication bias",
    "comment": "comment",
}
POSITION_FIELDS = {"year": "year", "position": "position", "summary": "summary"}


def _shown(value: Any) -> str:
    if value in (None, "", []):
        return "not reported"
    return str(value).replace("_", " ")


def _list_change(label: str, before: list | None, after: list | None) -> str:
    """A list's change in words (its items added and removed), never a Python list."""
    before, after = list(before or []), list(after or [])
    added = [item for item in after if item not in before]
    removed = [item for item in before if item not in after]
    parts = [
        f"{verb} " + "; ".join(f"“{item}”" for item in items)
        for verb, items in (("added", added), ("removed", removed))
        if items
    ]
    return f"{label}: {'; '.join(parts) or 'reordered'}"


def _field_changes(old: Mapping, new: Mapping, fields: Mapping[str, str]) -> list[str]:
    said = []
    for name, label in fields.items():
        before, after = old.get(name), new.get(name)
        if before == after:
            continue
        if isinstance(before, list) or isinstance(after, list):
            said.append(_list_change(label, before, after))
            continue
        longest = max(len(str(before or "")), len(str(after or "")))
        if name in SHORT_FIELDS or not isinstance(after, str | None) or longest <= 40:
            said.append(f"{label}: {_shown(before)} → {_shown(after)}")
        else:
            said.append(f"{label} reworded")
    return said


def _study_name(study: Mapping) -> str:
    reference = study.get("reference") or {}
    year = reference.get("year") or "year not reported"
    outcome = study.get("outcome") or "its outcome"
    return f"{reference.get('title') or 'a study'} ({year}), {outcome}"


def _keyed(rows: Iterable[Mapping], key: str) -> dict:
    return {row[key]: row for row in rows}


def _rows_changes(
    old: Iterable[Mapping],
    new: Iterable[Mapping],
    *,
    key: str,
    what: str,
    name,
    fields: Mapping[str, str],
) -> list[str]:
    before, after = _keyed(old, key), _keyed(new, key)
    said = [f"{what} added: {name(after[k])}" for k in after if k not in before]
    said += [f"{what} removed: {name(before[k])}" for k in before if k not in after]
    for k in after.keys() & before.keys():
        detail = _field_changes(before[k], after[k], fields)
        if detail:
            said.append(f"{what} changed: {name(after[k])}: {'; '.join(detail)}")
    return said


def changes(previous: Mapping | None, current: Mapping) -> list[str]:
    """What ``current`` changes against ``previous``, one sentence each, in the page's
    order: the verdict, then its findings, guideline positions and studies."""
    if previous is None:
        return ["First published version."]
    said = _field_changes(previous["verdict"], current["verdict"], VERDICT_FIELDS)
    said += _rows_changes(
        previous["findings"],
        current["findings"],
        key="outcome",
        what="Finding",
        name=lambda row: row["outcome"],
        fields=FINDING_FIELDS,
    )
    said += _rows_changes(
        previous["guideline_positions"],
        current["guideline_positions"],
        key="key",
        what="Guideline position",
        name=lambda row: f"{row['issuing_body']}, {row['document']}",
        fields=POSITION_FIELDS,
    )
    said += _rows_changes(
        previous["studies"],
        current["studies"],
        key="id",
        what="Study",
        name=_study_name,
        fields=STUDY_FIELDS,
    )
    old_sources = {row["reference_id"] for row in previous["background"]}
    new_sources = {row["reference_id"] for row in current["background"]}
    if old_sources != new_sources:
        said.append("Background sources changed")
    return said
