"""PostgreSQL search over the large tables (references, studies): a bounded candidate set.

At 200,000 references a common word ("patients") matches nearly every row; ranking and
counting all of them is what made a search take seconds. So a search takes at most
``MATCH_LIMIT`` + 1 rows from the stored document's GIN index (search/migrations/0002)
and ranks those: below the limit the ranking is exact, above it the page says "more than
500" and ranks the first 501 the index returns.

Typo forgiveness (trigram word similarity of the title) costs tens of microseconds a row,
far too much for a word in every title, so it runs only when full-text search finds fewer
than ``TYPO_FALLBACK_BELOW`` records: an uncorrelated sub-select that PostgreSQL
evaluates once, as a one-time filter, and skips the trigram scan otherwise. A query that
is a DOI, PMID or PMCID also matches that reference exactly, through its unique index.
"""

from __future__ import annotations

from django.db.models import FloatField, Model
from django.db.models.expressions import RawSQL

from config.db_router import read_connection
from references.identifiers import InvalidIdentifier, parse_identifier

MATCH_LIMIT = 500
TYPO_FALLBACK_BELOW = 5
TYPO_LIMIT = 100  # a typo's candidates: enough to show the likely intended records
IDENTIFIER_BONUS = 10.0
TSQUERY = "websearch_to_tsquery('english'::regconfig, %s)"


def _identifier(query: str) -> tuple[str, str] | None:
    if len(query.split()) != 1:
        return None
    try:
        identifier = parse_identifier(query)
    except (InvalidIdentifier, ValueError):
        return None
    return identifier.kind, identifier.value


def candidates(
    model: type[Model], *, query: str, terms: list[str], excluded: list[str], typos: bool
) -> RawSQL:
    """The ids of the records to rank: an SQL sub-select for ``pk__in``."""
    table = model._meta.db_table
    # Only table names and constants are interpolated; the user's words are parameters.
    sql = [f"(SELECT id FROM {table} WHERE search_document @@ {TSQUERY} LIMIT {MATCH_LIMIT + 1})"]  # noqa: S608
    params: list[object] = [query]
    if typos:
        exclude = f" AND NOT search_document @@ {TSQUERY}" if excluded else ""
        few = (
            f"(SELECT count(*) FROM (SELECT 1 FROM {table} WHERE search_document @@ {TSQUERY} "  # noqa: S608
            f"LIMIT {TYPO_FALLBACK_BELOW}) few) < {TYPO_FALLBACK_BELOW}"
        )
        sql.append(
            f"(SELECT id FROM {table} WHERE {few} AND title %%> %s{exclude} "  # noqa: S608
            f"LIMIT {TYPO_LIMIT})"
        )
        params += [query, " ".join(terms)] + ([" OR ".join(excluded)] if excluded else [])
    identifier = _identifier(query) if model._meta.model_name == "reference" else None
    if identifier:
        sql.append(f"(SELECT id FROM {table} WHERE {identifier[0]} = %s)")  # noqa: S608
        params.append(identifier[1])
    return RawSQL(" UNION ".join(sql), params)  # noqa: S611 - parameterised, see above


def rank(model: type[Model], *, query: str, terms: list[str], typos: bool) -> RawSQL:
    """ts_rank of the stored document; a candidate only the trigram arm found (rank 0)
    ranks by its title's word similarity instead; an exact identifier match comes first.

    Each use of the stored document decompresses it again, the bulk of the cost of
    ranking; hence ts_rank alone rather than a CASE on ``@@`` first."""
    table = model._meta.db_table
    sql = f'ts_rank("{table}"."search_document", {TSQUERY})'
    params: list[object] = [query]
    if typos:
        sql = f'COALESCE(NULLIF({sql}, 0), word_similarity(%s, "{table}"."title"))'
        params.append(" ".join(terms))
    identifier = _identifier(query) if model._meta.model_name == "reference" else None
    if identifier:
        sql += f' + CASE WHEN "{table}"."{identifier[0]}" = %s THEN {IDENTIFIER_BONUS} ELSE 0 END'
        params.append(identifier[1])
    return RawSQL(sql, params, output_field=FloatField())  # noqa: S611 - parameterised


def count(ids: RawSQL) -> int:
    """How many candidates (at most ``MATCH_LIMIT`` + 1 from full-text search, plus typo
    and identifier matches), counted without joining back to the table."""
    sql, params = ids.sql, ids.params
    with read_connection().cursor() as cursor:  # raw SQL: the router's choice by hand
        cursor.execute(f"SELECT count(*) FROM ({sql}) candidates", params)  # noqa: S608
        return cursor.fetchone()[0]
