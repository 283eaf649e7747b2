"""Synthetic references and their notices (retractions, corrections, expressions of
concern): identifiers that no real record uses, long titles, many authors, abstracts."""

from __future__ import annotations

import random
from datetime import date, timedelta

from references.fields import RECORD_FIELDS

from . import evidence_rows, literature, text

DOI_PREFIX = "10.5555/evidentia-synth."
# Above the PMIDs PubMed has issued (about 41 million in 2026) and the test factories'.
PMID_BASE = 95_000_000
PMCID_BASE = 20_000_000
# Every column of a reference, as references.fields names them: a field added there needs a
# value in reference_rows, or generation stops with a KeyError instead of writing a default.
REFERENCE_FIELDS = RECORD_FIELDS
NOTICE_TYPES = {
    "retracted": "retraction",
    "corrected": "correction",
    "expression_of_concern": "expression_of_concern",
}


def retraction_statuses(rng: random.Random, count: int) -> list[str]:
    statuses = []
    for _ in range(count):
        roll = rng.random()
        statuses.append(
            "retracted"
            if roll < 0.004
            else "expression_of_concern"
            if roll < 0.007
            else "corrected"
            if roll < 0.022
            else "none"
        )
    return statuses


def reference_rows(rng, spec, reference_ids, by_reference, statuses, conditions, therapies, now):
    for index, reference_id in enumerate(reference_ids):
        study = by_reference.get(index)
        if study is not None:
            therapy, condition, design = study.therapy, study.condition, study.design
            title = text.study_title(
                rng, therapy=therapy, condition=condition, design=design, outcome=study.outcome
            )
            outcome, participants = study.outcome, study.participants
            year = rng.randint(1990, 2025) if design == "rct" else rng.randint(1975, 2025)
        else:
            therapy = therapies[rng.randrange(len(therapies))].name
            condition = conditions[rng.randrange(len(conditions))].name
            design, outcome, participants = (
                "narrative_review",
                rng.choice(literature.OUTCOMES),
                None,
            )
            title = text.background_title(rng, therapy=therapy, condition=condition)
            year = rng.randint(1975, 2025)
        journal, abbreviation = rng.choice(literature.JOURNALS)
        month = rng.randint(1, 12)
        first_page = rng.randint(1, 2400)
        values = {
            "id": reference_id,
            "doi": f"{DOI_PREFIX}{spec.seed}.{index}",
            "pmid": str(PMID_BASE + index) if rng.random() < 0.9 else None,
            "pmcid": f"PMC{PMCID_BASE + index}" if rng.random() < 0.3 else None,
            "title": title,
            "authors": text.authors(rng),
            "journal": journal,
            "journal_abbreviation": abbreviation,
            "year": year,
            "publication_date": f"{year}-{month:02d}",
            "volume": str(rng.randint(1, 80)),
            "issue": str(rng.randint(1, 12)),
            "pages": f"{first_page}-{first_page + rng.randint(3, 15)}",
            "abstract": text.abstract(
                rng,
                therapy=therapy,
                condition=condition,
                outcome=outcome,
                participants=participants,
            ),
            "publication_types": evidence_rows.PUBLICATION_TYPES.get(design, ["Journal Article"]),
            "url": "",
            "retraction_status": statuses[index],
            "last_refreshed": now,
        }
        yield tuple(values[name] for name in REFERENCE_FIELDS)


def notice_rows(rng, reference_ids, statuses):
    for index, status in enumerate(statuses):
        if status == "none":
            continue
        day = date(2000, 1, 1) + timedelta(days=rng.randint(0, 9000))
        yield (
            reference_ids[index],
            NOTICE_TYPES[status],
            f"{DOI_PREFIX}notice.{index}",
            "",
            day,
            "crossref",
            "",
        )
