"""Curated references: the sources an editor (or the demo) names by hand."""

from typing import Any

from django.db import transaction

from config.modelwrites import row_update_if_changed
from references.identifiers import normalise_doi, normalise_pmcid, normalise_pmid
from references.models import Reference


@transaction.atomic
def curated_reference_upsert(
    *,
    title: str,
    doi: str | None = None,
    pmid: str | None = None,
    pmcid: str | None = None,
    **fields: Any,
) -> Reference:
    """Create a reference from curated data (the demo's sources), or fill in its blanks.

    Keyed on the DOI, else the PMID, else the exact title. An existing reference only
    gains the fields it lacks: once a refresh from PubMed or Crossref (the references
    app) has filled in, say, the full author list, re-loading curated data keeps it.
    """
    doi = normalise_doi(doi) if doi else None
    pmid = normalise_pmid(pmid) if pmid else None
    pmcid = normalise_pmcid(pmcid) if pmcid else None
    if doi:
        lookup: dict[str, Any] = {"doi": doi}
    elif pmid:
        lookup = {"pmid": pmid}
    else:
        lookup = {"title": title, "doi__isnull": True, "pmid__isnull": True}
    values = {"title": title, "doi": doi, "pmid": pmid, "pmcid": pmcid, **fields}
    instance = Reference.objects.filter(**lookup).first()
    if instance is None:
        instance = Reference(**values)
        instance.full_clean()
        instance.save()
        return instance
    blanks = {name: value for name, value in values.items() if getattr(instance, name) in _BLANK}
    return row_update_if_changed(instance, blanks)


_BLANK = (None, "", [], {})
