"""Synthetic conditions (with sub-conditions) and therapies (with formulations, adverse
effects and contraindications): names and rows, from a seeded generator.

Rows are tuples in the field order named by the ``*_FIELDS`` constants, ids included
(reserved by devtools.corpus.writer), so related rows can be built without reading back.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection
from dataclasses import dataclass

from django.utils.text import slugify

from . import names, text

SLUG_PREFIX = "synth-"
ROOT_SHARE = 0.35  # of the conditions are top-level; the rest are their sub-conditions

CONDITION_FIELDS = (
    "id",
    "name",
    "slug",
    "synonyms",
    "description",
    "parent_id",
    "prevalence_note",
    "prevalence_reference_id",
)
THERAPY_FIELDS = (
    "id",
    "name",
    "slug",
    "drug_class",
    "description",
    "aliases",
    "cost_and_supply_note",
)
FORMULATION_FIELDS = (
    "therapy_id",
    "brand",
    "manufacturer",
    "stabiliser",
    "iga_content",
    "route",
    "notes",
)
ADVERSE_EFFECT_FIELDS = (
    "therapy_id",
    "name",
    "frequency",
    "frequency_note",
    "severity",
    "risk_factors",
    "notes",
)
CONTRAINDICATION_FIELDS = ("therapy_id", "name", "kind", "reason")


@dataclass(frozen=True)
class Named:
    id: int
    name: str
    slug: str


def _slugs(names_: list[str]) -> list[str]:
    seen: set[str] = set()
    result = []
    for name in names_:
        base = (SLUG_PREFIX + slugify(name))[:190]
        slug, n = base, 2
        while slug in seen:
            slug, n = f"{base}-{n}", n + 1
        seen.add(slug)
        result.append(slug)
    return result


def condition_names(
    rng: random.Random, count: int, taken: Collection[str]
) -> list[tuple[str, int | None]]:
    """(name, index of the parent or None); parents come before their children, and a
    few roots hold most of the sub-conditions."""
    n_roots = max(1, round(count * ROOT_SHARE))
    roots = [name for name in text.condition_roots(rng) if name not in taken][:n_roots]
    n_roots = len(roots)
    result: list[tuple[str, int | None]] = [(name, None) for name in roots]
    used = set(roots) | set(taken)
    weights = [1.0 / (rank + 1) for rank in range(n_roots)]
    while len(result) < count:
        parent = rng.choices(range(n_roots), weights=weights)[0]
        name = f"{roots[parent]} {rng.choice(names.SUB_CONDITION_SUFFIXES)}"
        k = 2
        while name in used:
            name, k = f"{roots[parent]}, type {k}", k + 1
        used.add(name)
        result.append((name, parent))
    return result


def condition_rows(
    rng: random.Random,
    *,
    first_id: int,
    count: int,
    taken: Collection[str],
    prevalence_reference: Callable[[], int],
) -> tuple[list[tuple], list[Named]]:
    planned = condition_names(rng, count, taken)
    slugs = _slugs([name for name, _ in planned])
    rows, named = [], []
    for i, ((name, parent), slug) in enumerate(zip(planned, slugs, strict=True)):
        synonyms = []
        if rng.random() < 0.5:
            synonyms.append(text.abbreviation(name))
        if rng.random() < 0.3:
            synonyms.append(name.split(" ", 1)[-1].lower())
        prevalence = rng.random() < 0.3
        rows.append(
            (
                first_id + i,
                name,
                slug,
                synonyms,
                f"{name} is an inflammatory disorder. {text.sentence(rng, 12, 24)}",
                None if parent is None else first_id + parent,
                f"Affects about {rng.randint(1, 400)} per 100,000 people." if prevalence else "",
                prevalence_reference() if prevalence else None,
            )
        )
        named.append(Named(first_id + i, name, slug))
    return rows, named


def therapy_rows(
    rng: random.Random, *, first_id: int, count: int, taken: Collection[str]
) -> tuple[list[tuple], list[Named]]:
    candidates = [(name, cls) for name, cls in text.therapy_names(rng) if name not in taken]
    if len(candidates) < count:
        raise ValueError(f"--therapies: at most {len(candidates)} synthetic names are available.")
    chosen = candidates[:count]
    slugs = _slugs([name for name, _ in chosen])
    rows, named = [], []
    for i, ((name, drug_class), slug) in enumerate(zip(chosen, slugs, strict=True)):
        aliases = [text.brand(rng) for _ in range(rng.randint(0, 2))]
        if rng.random() < 0.4:
            aliases.append(name[:4].upper())
        rows.append(
            (
                first_id + i,
                name,
                slug,
                drug_class,
                f"{name} is a {drug_class.lower()}. {text.sentence(rng, 15, 30)}",
                list(dict.fromkeys(aliases)),
                text.sentence(rng, 10, 20) if rng.random() < 0.3 else "",
            )
        )
        named.append(Named(first_id + i, name, slug))
    return rows, named


@dataclass
class SafetyRows:
    """Rows without ids (devtools.corpus.writer assigns them); a link is (index of the
    fact in its list, reference id)."""

    formulations: list[tuple]
    adverse_effects: list[tuple]
    adverse_effect_links: list[tuple[int, int]]
    contraindications: list[tuple]
    contraindication_links: list[tuple[int, int]]


def safety_rows(
    rng: random.Random,
    *,
    therapies: list[Named],
    reference: Callable[[], int],
    showcase: int | None = None,
) -> SafetyRows:
    """Formulations, adverse effects and contraindications of every therapy, each fact
    citing 0 to 2 references; the ``showcase`` therapy has every kind of fact, cited."""
    out = SafetyRows([], [], [], [], [])
    least = 0

    def cite(index: int, links: list[tuple[int, int]]) -> None:
        for ref in sorted({reference() for _ in range(rng.randint(least, 2))}):
            links.append((index, ref))

    for position, therapy in enumerate(therapies):
        least = 1 if position == showcase else 0
        brands = {text.brand(rng) for _ in range(rng.randint(1, 3))}
        for brand in sorted(brands):
            out.formulations.append(
                (
                    therapy.id,
                    brand,
                    rng.choice(names.MANUFACTURERS),
                    rng.choice(["sucrose", "glycine", "proline", "maltose", "none", ""]),
                    rng.choice(["", "< 2 µg/mL", "< 50 µg/mL", "≤ 0.1 mg/mL"]),
                    rng.choice(["intravenous", "intravenous", "subcutaneous"]),
                    "",
                )
            )
        for name in rng.sample(names.ADVERSE_EFFECTS, rng.randint(2, 6)):
            cite(len(out.adverse_effects), out.adverse_effect_links)
            out.adverse_effects.append(
                (
                    therapy.id,
                    name,
                    rng.choice(
                        ["very_common", "common", "uncommon", "rare", "very_rare", "unknown"]
                    ),
                    "",
                    rng.choice(["mild", "moderate", "moderate", "serious", "life_threatening"]),
                    rng.choice(["", "Older age", "Renal impairment", "High infusion rate"]),
                    "",
                )
            )
        for name, reason in rng.sample(names.CONTRAINDICATIONS, rng.randint(least, 3)):
            cite(len(out.contraindications), out.contraindication_links)
            out.contraindications.append(
                (therapy.id, name, rng.choice(["absolute", "relative"]), reason)
            )
    return out
