"""Writes for the evidence app, one module per concept: conditions, verdicts, studies,
guideline positions, findings, review flags, curated references and the demo load.

Every upsert is keyed on the record's natural key and saves only when a value actually
changed (config.modelwrites): simple_history writes a row on every save, so re-running a
load must leave rows, timestamps and history untouched.

A new study for a pair, or a new or changed guideline position, puts the pair's verdict
up for review (``verdict_mark_for_review``, reasons from evidence.editorial.rules); the
demo load opts out, its verdicts being reviewed with the data.

Every public service is re-exported here, so ``from evidence.services import study_upsert``
keeps working.
"""

from .conditions import condition_upsert
from .demo import DemoLoadSummary, demo_load
from .findings import outcome_finding_upsert
from .flags import (
    verdict_flag_guideline_change,
    verdict_flag_new_study,
    verdict_mark_for_review,
    verdicts_flag_amended_references,
)
from .guidelines import guideline_position_upsert
from .references import curated_reference_upsert
from .studies import (
    study_copy_reference,
    study_create,
    study_delete,
    study_reference_copies,
    study_reference_copies_refresh,
    study_update,
    study_upsert,
)
from .verdicts import saved_search_upsert, verdict_references_set, verdict_upsert

__all__ = [
    "DemoLoadSummary",
    "condition_upsert",
    "curated_reference_upsert",
    "demo_load",
    "guideline_position_upsert",
    "outcome_finding_upsert",
    "saved_search_upsert",
    "study_copy_reference",
    "study_create",
    "study_delete",
    "study_reference_copies",
    "study_reference_copies_refresh",
    "study_update",
    "study_upsert",
    "verdict_flag_guideline_change",
    "verdict_flag_new_study",
    "verdict_mark_for_review",
    "verdict_references_set",
    "verdict_upsert",
    "verdicts_flag_amended_references",
]
