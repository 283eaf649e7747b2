"""CommentsCorrections: the notices about a work (retraction, erratum...), the works a
notice amends, and the other relations PubMed records."""

from __future__ import annotations

import re

from lxml import etree

from ..common import citation_date
from ..records import BibRecord, Notice
from .text import clean_doi, clean_pmid, element_text

# CommentsCorrections RefTypes that amend the work carrying them...
NOTICE_IN = {
    "RetractionIn": "retraction",
    "ErratumIn": "correction",
    "ExpressionOfConcernIn": "expression_of_concern",
    "RetractedandRepublishedIn": "retracted_and_republished",
    "UpdateIn": "update",
    "CorrectedandRepublishedIn": "correction",
}
# ...and those that make the work carrying them a notice about another work.
NOTICE_OF = {
    "RetractionOf": "retraction",
    "ErratumFor": "correction",
    "ExpressionOfConcernFor": "expression_of_concern",
    "RetractedandRepublishedFrom": "retracted_and_republished",
    "UpdateOf": "update",
    "CorrectedandRepublishedFrom": "correction",
}
# Cites duplicates the reference list; it is not a relation between works we track.
_IGNORED_REFTYPES = {"Cites"}
_REFSOURCE_DOI_RE = re.compile(r"\bdoi:\s*(10\.\S+)", re.IGNORECASE)


def comments_corrections(rec: BibRecord, cc_list: etree._Element) -> None:
    for cc in cc_list:
        ref_type = cc.get("RefType") or ""
        if ref_type in _IGNORED_REFTYPES:
            continue
        source_el = pmid_text = None
        for child in cc.iterchildren("RefSource", "PMID"):
            if child.tag == "RefSource":
                source_el = child if source_el is None else source_el
            elif pmid_text is None:
                pmid_text = child.text or ""
        ref_source = element_text(source_el)
        pmid = clean_pmid(pmid_text) or ""
        if ref_type in NOTICE_IN or ref_type in NOTICE_OF:
            doi_match = _REFSOURCE_DOI_RE.search(ref_source)
            notice = Notice(
                type=NOTICE_IN.get(ref_type) or NOTICE_OF[ref_type],
                doi=(clean_doi(doi_match.group(1)) or "") if doi_match else "",
                pmid=pmid,
                date=citation_date(ref_source),
                source="pubmed",
                note=ref_source,
            )
            (rec.notices if ref_type in NOTICE_IN else rec.amends).append(notice)
        elif pmid or ref_source:
            rec.relations.setdefault(ref_type, []).append({"pmid": pmid, "source": ref_source})
