"""The demo's triage queue: recorded PubMed records (evidence/demo/triage/) queued as
candidates for the rheumatoid arthritis × IVIG verdict, so the triage workflow can be
tried offline at once (evidence/demo/triage/README.md).

The records are parsed and stored as any PubMed answer is (references_upsert keeps the
raw record), then queued through candidates_queue, so a second load changes nothing and
a decided candidate is never queued again.
"""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from evidence.models import Verdict
from references.parsers.pubmed import parse_pubmed_xml
from references.services.upsert import references_upsert

from .triage import candidates_queue

TRIAGE_DIR = Path(__file__).resolve().parent.parent / "demo" / "triage"
RECORD_FILES = ("pmid-28731372-rct.xml", "pmid-34843274-collective.xml", "pmid-23657305-season.xml")
THERAPY, CONDITION = "ivig", "rheumatoid-arthritis"


@transaction.atomic
def demo_candidates_load() -> int:
    """Queue the demo's recorded records for triage; returns how many were new. Needs the
    demo's verdict (evidence.services.demo_load) and nothing from the network."""
    verdict = Verdict.objects.filter(therapy__slug=THERAPY, condition__slug=CONDITION).first()
    if verdict is None:
        raise LookupError(f"No {THERAPY} verdict for {CONDITION}: load the demo first.")
    records = [
        record
        for name in RECORD_FILES
        for record in parse_pubmed_xml((TRIAGE_DIR / name).read_bytes()).records
    ]
    result = references_upsert(records=records)
    return candidates_queue(
        verdict=verdict,
        reference_ids=[reference.pk for reference in result.references if reference is not None],
    )
