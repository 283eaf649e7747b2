"""The fields of a bibliographic record, named once: what a Reference carries, which of
them are merged from upstream, and which each API representation shows.

The upsert's merge, the API serializers and the columns the synthetic corpus writes are
all derived from these tuples, so a new bibliographic field is added here and nowhere
else. Order matters: the merge records which source supplied each field in this order
(``Reference.sources``), and the API lists fields in this order.
"""

# The identifiers a record is matched by (references.identifiers normalises them).
IDENTIFIER_FIELDS = ("doi", "pmid", "pmcid")

# The description of the work, merged field by field from the sources by priority.
MERGED_FIELDS = (
    "title",
    "authors",
    "journal",
    "journal_abbreviation",
    "year",
    "publication_date",
    "volume",
    "issue",
    "pages",
    "abstract",
    "publication_types",
    "url",
)

# Kept by the services rather than copied from a source: the most serious notice in force
# and when the record was last checked upstream.
STATUS_FIELDS = ("retraction_status", "last_refreshed")

# Everything a record carries, in the model's column order.
RECORD_FIELDS = ("id", *IDENTIFIER_FIELDS, *MERGED_FIELDS, *STATUS_FIELDS)

# The short description a list row shows; the rest of MERGED_FIELDS is for the detail.
LIST_DESCRIPTION_FIELDS = ("title", "authors", "journal", "year")
DETAIL_DESCRIPTION_FIELDS = tuple(
    name for name in MERGED_FIELDS if name not in LIST_DESCRIPTION_FIELDS
)

# The columns a page of the reference list reads.
LIST_FIELDS = ("id", *IDENTIFIER_FIELDS, *LIST_DESCRIPTION_FIELDS, *STATUS_FIELDS)

# Everything the bibliography writers read (references.exporters): a citation prints no
# publication types.
EXPORT_FIELDS = (
    "id",
    *IDENTIFIER_FIELDS,
    *(name for name in MERGED_FIELDS if name != "publication_types"),
    "retraction_status",
)

# A reference as cited from elsewhere (a study, a verdict, a safety fact).
BRIEF_FIELDS = ("id", "doi", "pmid", "title", "journal", "year", "retraction_status")
