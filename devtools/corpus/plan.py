"""The shape of a synthetic corpus, decided before any text is written: which therapy x
condition pairs have studies, and how many each (Zipf-like, so a few pairs hold thousands
of studies and most hold a handful). Pure functions; no Django.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

STUDIES_PER_PAIR = 20  # on average; the median pair has far fewer
ZIPF_EXPONENT = 1.0


@dataclass(frozen=True)
class CorpusSpec:
    conditions: int
    therapies: int
    studies: int
    references: int
    seed: int = 1

    def validate(self) -> None:
        if self.conditions < 1 or self.therapies < 1:
            raise ValueError("--conditions and --therapies must each be at least 1.")
        if self.studies < 0:
            raise ValueError("--studies must not be negative.")
        if self.references < self.studies:
            raise ValueError(
                f"--references ({self.references}) must be at least --studies "
                f"({self.studies}): every study cites a reference of its own."
            )


@dataclass(frozen=True)
class Pair:
    rank: int  # 0 for the pair with the most studies
    condition: int  # index into the generated conditions
    therapy: int
    studies: int


def pair_count(spec: CorpusSpec) -> int:
    if spec.studies == 0:
        return 0
    wanted = max(spec.studies // STUDIES_PER_PAIR, min(10, spec.studies // 3), 1)
    return min(wanted, spec.conditions * spec.therapies, spec.studies)


def skewed_counts(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` counts of at least 1, proportional to 1/rank^s
    beyond that, largest first; the counts add up to ``total`` exactly."""
    if parts == 0:
        return []
    spare = total - parts
    weights = [1.0 / (rank**ZIPF_EXPONENT) for rank in range(1, parts + 1)]
    scale = spare / sum(weights)
    shares = [weight * scale for weight in weights]
    counts = [int(share) for share in shares]
    # Largest remainders take the units lost to rounding down.
    by_remainder = sorted(range(parts), key=lambda i: (counts[i] - shares[i], i))
    for i in by_remainder[: spare - sum(counts)]:
        counts[i] += 1
    return [1 + count for count in counts]


def pairs(spec: CorpusSpec, rng: random.Random) -> list[Pair]:
    n = pair_count(spec)
    chosen = rng.sample(range(spec.conditions * spec.therapies), n)
    counts = skewed_counts(spec.studies, n)
    return [
        Pair(
            rank=rank,
            condition=index // spec.therapies,
            therapy=index % spec.therapies,
            studies=count,
        )
        for rank, (index, count) in enumerate(zip(chosen, counts, strict=True))
    ]


def showcase(pairs: list[Pair], *, parents: list[int | None]) -> list[Pair]:
    """The same pairs, but the largest on the first condition and the second largest on
    one of its sub-conditions, so that the largest pair's pages show everything a page
    can show, at every corpus size. ``parents[i]`` is the index of condition i's parent."""
    if not pairs:
        return pairs
    child = next((i for i, parent in enumerate(parents) if parent == 0), None)
    taken = {(pair.condition, pair.therapy) for pair in pairs}
    result = list(pairs)
    for rank, condition in enumerate([0, child][: len(pairs)]):
        pair = result[rank]
        if condition is None or (condition, pair.therapy) in taken:
            continue
        taken.discard((pair.condition, pair.therapy))
        taken.add((condition, pair.therapy))
        result[rank] = replace(pair, condition=condition)
    return result
