"""Synthetic prose and names for the corpus, from an explicit ``random.Random``.

Every function takes the generator it draws from, so the same seed gives the same text.
Abstracts are built from sentence templates plus a Zipf-distributed vocabulary of
made-up words: search then meets a realistic mix of very common words (in most
abstracts) and rare ones (in a handful), which is what its speed depends on.
"""

from __future__ import annotations

import itertools
import random
import re
from functools import lru_cache

from . import literature, names

ZIPF_VOCABULARY_SIZE = 20_000
_ONSETS = ["b", "c", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "tr", "pl"]
_VOWELS = ["a", "e", "i", "o", "u", "ae", "io"]
_CODAS = ["", "n", "r", "s", "l", "x", "m"]
_ENDINGS = ["in", "ase", "ol", "ide", "on", "ine", "ene", "ium", "an", "ex"]


@lru_cache(maxsize=1)
def vocabulary() -> tuple[list[str], list[float]]:
    """Made-up technical words and cumulative Zipf weights, the same for every seed."""
    rng = random.Random("evidentia-corpus-vocabulary")  # noqa: S311 - not a secret
    words: dict[str, None] = {}
    while len(words) < ZIPF_VOCABULARY_SIZE:
        syllables = rng.randint(1, 3)
        word = "".join(
            rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(syllables)
        )
        words[word + rng.choice(_ENDINGS)] = None
    weights = list(itertools.accumulate(1.0 / rank for rank in range(1, len(words) + 1)))
    return list(words), weights


def rare_words(rng: random.Random, k: int) -> list[str]:
    words, cumulative = vocabulary()
    return rng.choices(words, cum_weights=cumulative, k=k)


def abbreviation(name: str) -> str:
    letters = [word[0] for word in re.findall(r"[A-Za-z][A-Za-z]+", name) if word.lower() != "of"]
    return "".join(letters).upper()


def condition_roots(rng: random.Random) -> list[str]:
    """Every qualifier x disease combination, in a seeded order."""
    roots = [
        f"{qualifier} {base}"
        for qualifier in names.DISEASE_QUALIFIERS
        for base in names.DISEASE_BASES
    ]
    rng.shuffle(roots)
    return roots


def therapy_names(rng: random.Random) -> list[tuple[str, str]]:
    """(name, drug class) for made-up drug names, in a seeded order: one-prefix names
    first, then two-prefix names for corpora larger than the first list."""
    single = [
        ((prefix + stem).capitalize(), drug_class)
        for prefix in names.DRUG_PREFIXES
        for stem, drug_class in names.DRUG_STEMS
    ]
    rng.shuffle(single)
    double = [
        ((first + second + stem).capitalize(), drug_class)
        for first, second in itertools.permutations(names.DRUG_PREFIXES, 2)
        for stem, drug_class in names.DRUG_STEMS
    ]
    rng.shuffle(double)
    return single + double


def brand(rng: random.Random) -> str:
    return rng.choice(names.BRAND_SYLLABLES) + rng.choice(names.BRAND_ENDINGS)


def authors(rng: random.Random) -> list[dict[str, str]]:
    """3 to 30 authors (most papers 4 to 10), in the shape references.models stores."""
    count = min(30, max(3, int(rng.lognormvariate(1.9, 0.55))))
    result = []
    for _ in range(count):
        given = rng.choice(literature.GIVEN_NAMES)
        second = rng.choice(literature.GIVEN_NAMES) if rng.random() < 0.3 else ""
        family = rng.choice(literature.FAMILY_ROOTS) + rng.choice(literature.FAMILY_ENDINGS)
        initials = given[0] + (second[0] if second else "")
        result.append(
            {"family": family, "given": f"{given} {second}".strip(), "initials": initials}
        )
    if rng.random() < 0.05:
        result.append({"collective": rng.choice(literature.COLLECTIVE_AUTHORS)})
    return result


def study_title(rng: random.Random, *, therapy: str, condition: str, design: str, outcome: str):
    opening = rng.choice(literature.TITLE_OPENINGS).format(
        therapy=therapy, condition=condition.lower(), outcome_lower=outcome.lower()
    )
    extra = " ".join(rare_words(rng, 2))
    tail = rng.choice(
        [
            f", with exploratory analyses of {extra} expression",
            f" and the role of {extra} signalling",
            f": results from the {rng.choice(names.BRAND_SYLLABLES).upper()}-{rng.randint(1, 9)} "
            "programme",
            "",
        ]
    )
    return f"{opening}{tail}: {literature.DESIGN_TITLE_PHRASES[design]}"


def background_title(rng: random.Random, *, therapy: str, condition: str) -> str:
    words = " ".join(rare_words(rng, 2))
    return rng.choice(
        [
            f"Epidemiology, burden and unmet needs in {condition.lower()}: a population "
            f"perspective on {words}",
            f"Pharmacology of {therapy}: mechanism of action, {words} and clinical use",
            f"Immunopathogenesis of {condition.lower()} and therapeutic targets including {words}",
            f"Real-world prescribing of {therapy} across inflammatory diseases and the {words} "
            "question",
            f"Safety of long-term {therapy} exposure: pooled data on {words}",
        ]
    )


def _filler(rng: random.Random, k: int) -> str:
    words = rng.choices(literature.ABSTRACT_WORDS, k=k) + rare_words(rng, 1)
    rng.shuffle(words)
    return " ".join(words).capitalize() + "."


def abstract(
    rng: random.Random, *, therapy: str, condition: str, outcome: str, participants: int | None
) -> str:
    """A structured abstract of roughly 150 to 300 words."""
    n = participants or rng.randint(12, 400)
    pct = rng.randint(5, 75)
    sections = {
        "BACKGROUND": [
            f"{condition} remains difficult to treat and {therapy} has been proposed as an "
            f"option for patients with an inadequate response to standard care.",
            _filler(rng, rng.randint(10, 18)),
        ],
        "METHODS": [
            f"We studied {n} participants and measured {outcome.lower()} at baseline and "
            f"during follow-up, with {' and '.join(rare_words(rng, 2))} as exploratory markers.",
            _filler(rng, rng.randint(12, 20)),
            _filler(rng, rng.randint(8, 16)),
        ],
        "RESULTS": [
            f"{outcome} improved in {pct}% of patients treated with {therapy}.",
            _filler(rng, rng.randint(12, 22)),
            _filler(rng, rng.randint(10, 18)),
            _filler(rng, rng.randint(8, 14)),
        ],
        "CONCLUSIONS": [
            f"{therapy} {rng.choice(['may benefit', 'did not clearly benefit', 'benefited'])} "
            f"patients with {condition.lower()}; larger trials are needed.",
            _filler(rng, rng.randint(6, 12)),
        ],
    }
    return " ".join(f"{title}: {' '.join(body)}" for title, body in sections.items())


def verdict_summary(rng: random.Random, *, therapy: str, condition: str, status: str) -> str:
    lead = {
        "established": "is an established treatment for",
        "supported": "is supported by the evidence for",
        "investigational": "remains investigational for",
        "not_supported": "is not supported by the evidence for",
        "contraindicated": "should not be used in",
    }[status]
    return (
        f"{therapy} {lead} {condition.lower()}. {_filler(rng, rng.randint(15, 30))} "
        f"{_filler(rng, rng.randint(10, 20))}"
    )


def sentence(rng: random.Random, low: int = 8, high: int = 16) -> str:
    return _filler(rng, rng.randint(low, high))
