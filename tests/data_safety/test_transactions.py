"""Every write in a transaction: the services are enumerated, and failures mid-write leave
nothing behind.

The first test reads the source of every service module: a public function must write
inside ``transaction.atomic`` (decorator or block) or be listed below with the reason it
need not (it only reads, or each of its writes is one statement or one call of an atomic
service). A new service that writes outside a transaction fails here until it is made
atomic or listed with its reason. The other tests break a multi-row write after its first
row and check that the first row is gone too (the service's own transaction, a savepoint
inside the test's, is what rolls it back). Protected deletes and locked fields are in
tests/models/test_constraints.py and tests/references/test_import.py.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from types import ModuleType

import pytest
from django.db import IntegrityError

from references.models import Reference
from references.parsers.records import BibRecord
from references.services.upsert import references_upsert
from tests.factories import TherapyFactory
from therapies.models import AdverseEffect
from therapies.services import adverse_effect_upsert

SERVICE_MODULES = [
    "references.services.jobs.create",
    "references.services.jobs.parse",
    "references.services.jobs.run",
    "references.services.jobs.finish",
    "references.services.search",
    "references.services.upsert",
    "references.services.fetch",
    "references.services.formatting",
    "therapies.services",
    "evidence.services.conditions",
    "evidence.services.demo",
    "evidence.services.findings",
    "evidence.services.flags",
    "evidence.services.guidelines",
    "evidence.services.references",
    "evidence.services.studies",
    "evidence.services.verdicts",
    "evidence.editorial.review",
    "evidence.editorial.triage",
    "evidence.editorial.digest",
    "evidence.editorial.roles",
]

# Public functions that are not atomic themselves, and why that is safe.
NOT_ATOMIC = {
    "references.services.formatting.references_format_all_pending": (
        "one atomic references_format_pending per batch"
    ),
    "references.services.jobs.create.import_job_create_for_identifiers": "one call of _create_job",
    "references.services.jobs.create.import_job_create_for_file": "one call of _create_job",
    "references.services.jobs.create.refresh_job_create": "one call of _create_job",
    "references.services.jobs.create.references_stale_ids": "reads only",
    "references.services.jobs.run.import_job_run": (
        "one transaction per chunk (the upsert and its items together); the job's status "
        "and error are single UPDATE statements, so progress shows while it runs"
    ),
    "references.services.upsert.raw_record": "reads only",
    "evidence.services.verdicts.verdict_certainty_check": "reads only: raises or returns",
    "references.services.jobs.parse.parsed_file_records": "parses the upload, writes nothing",
    "references.services.search.pubmed_search": "HTTP and one read, writes nothing",
    "references.services.search.pubmed_client": "makes a client, writes nothing",
    "references.services.fetch.fetch_records": "HTTP only, writes nothing",
    "evidence.services.flags.verdict_flag_new_study": "one call of verdict_mark_for_review",
    "evidence.services.flags.verdict_flag_guideline_change": "one call of verdict_mark_for_review",
    "evidence.editorial.review.verdicts_flag_overdue": "one verdict_mark_for_review per verdict",
    "evidence.editorial.review.verdict_request_review": "one call of verdict_mark_for_review",
    "evidence.editorial.review.can_sign_off": "reads only",
    "evidence.editorial.triage.saved_searches_run": "one saved_search_run per search",
    "evidence.editorial.triage.saved_search_run": (
        "fetches over HTTP, then one call of candidates_queue (atomic)"
    ),
    "evidence.editorial.triage.candidates_include": "one candidate_include (atomic) per item",
    "evidence.editorial.triage.candidates_exclude": "one candidate_exclude (atomic) per item",
    "evidence.editorial.digest.review_digest_build": "reads only",
    "evidence.editorial.digest.reviewer_emails": "reads only",
    "evidence.editorial.roles.role_permissions": "reads only",
    "evidence.editorial.roles.roles_sync": "runs in sync_roles' and the migration's transaction",
    "evidence.services.studies.study_reference_copies": "reads only",
    "evidence.services.studies.study_copy_reference": (
        "sets fields on an unsaved study; its save writes"
    ),
    "evidence.services.studies.study_reference_copies_refresh": (
        "one UPDATE statement, atomic by itself; runs inside the caller's transaction"
    ),
}


def _is_atomic_call(node: ast.AST) -> bool:
    target = node.func if isinstance(node, ast.Call) else node
    return isinstance(target, ast.Attribute | ast.Name) and (
        getattr(target, "attr", None) == "atomic" or getattr(target, "id", None) == "atomic"
    )


def _atomic(function: ast.FunctionDef) -> bool:
    if any(_is_atomic_call(decorator) for decorator in function.decorator_list):
        return True
    return any(
        isinstance(node, ast.With) and any(_is_atomic_call(i.context_expr) for i in node.items)
        for node in ast.walk(function)
    )


def _public_functions(module: ModuleType) -> list[ast.FunctionDef]:
    tree = ast.parse(inspect.getsource(module))
    return [
        node
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")
    ]


def test_every_public_service_writes_in_a_transaction_or_says_why_not():
    seen, offenders = set(), []
    for name in SERVICE_MODULES:
        module = importlib.import_module(name)
        for function in _public_functions(module):
            qualified = f"{name}.{function.name}"
            seen.add(qualified)
            if not _atomic(function) and qualified not in NOT_ATOMIC:
                offenders.append(qualified)
    assert offenders == [], "services writing outside transaction.atomic"
    assert set(NOT_ATOMIC) <= seen, f"listed but gone: {set(NOT_ATOMIC) - seen}"
    assert len(seen) >= 40  # the enumeration really found the services


@pytest.mark.django_db
def test_a_reference_batch_failing_on_its_second_record_stores_none():
    good = BibRecord(source="pubmed", pmid="90000001", title="First, fine", year=2020)
    bad = BibRecord(source="pubmed", pmid="90000002", title="Second, from year 30000", year=30000)

    with pytest.raises(IntegrityError):
        references_upsert(records=[good, bad])

    assert not Reference.objects.filter(pmid__in=["90000001", "90000002"]).exists()


@pytest.mark.django_db
def test_an_adverse_effect_whose_references_fail_is_not_created():
    therapy = TherapyFactory()
    unsaved = Reference(title="Never saved")

    # The effect's row is written, then its citation row fails a NOT NULL constraint.
    with pytest.raises(IntegrityError):
        adverse_effect_upsert(therapy=therapy, name="Headache", references=[unsaved])

    assert not AdverseEffect.objects.filter(therapy=therapy).exists()
