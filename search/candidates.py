"""PostgreSQL search over the large tables (references, studies): a bounded, ranked
candidate set, its ids computed in one statement.

At 200,000 references a common word ("patients") matches nearly every row; ranking and
counting all of them is what made a search take seconds. So a search takes at most
``MATCH_LIMIT`` + 1 rows from the stored document (search/migrations/0002) and ranks
those: below the limit the ranking is exact, above it the page says "more than 500" and
ranks the first 501 found. The statement returns the ranked ids; the page then reads its
own 5 or 20 rows by primary key.

A quoted phrase of common words ("randomised controlled") cannot be answered by the GIN
index alone: the index knows which records hold every word, not where. Its positions are
checked on at most ``PHRASE_SCAN`` records holding every word; past that the count is a
lower bound and the page says "at least".

Typo forgiveness: when full-text search finds fewer than ``TYPO_FALLBACK_BELOW`` records,
each word of the query is widened to the known words most like it (trigram similarity
over search_word, the distinct words of every reference's document, migrations/0005),
and a second statement searches the documents for the widened query through the same
GIN index. A query that is a DOI, PMID or PMCID also matches that reference exactly,
through its unique index.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model

from config.db_router import read_connection
from references.identifiers import InvalidIdentifier, parse_identifier

MATCH_LIMIT = 500
PHRASE_SCAN = 500  # records holding every word of a phrase whose positions are checked
TYPO_FALLBACK_BELOW = 5
TYPO_LIMIT = 100  # a typo's candidates: enough to show the likely intended records
TYPO_WORDS = 3  # known words a misspelt word is widened to
TYPO_KINDS = {"references_reference"}  # tables whose words search_word holds
PLAN_HORIZON = 20  # matches the planner is told a scan must find, per match read
IDENTIFIER_BONUS = 10.0
TSQUERY = "websearch_to_tsquery('english'::regconfig, %s)"

# Per table: the join and the order that break ties in rank (the ORM's order for the kind).
_TIES = {
    "references_reference": ("", "t.year DESC NULLS LAST, t.title"),
    "evidence_publishedstudy": (
        "LEFT JOIN references_reference r ON r.id = t.reference_id",
        "r.year DESC, t.id",
    ),
}

# A known word as a tsquery operand: quoted, its quotes and backslashes doubled.
_OPERAND = r"'''' || replace(replace(w.word, '\', '\\'), '''', '''''') || ''''"
# The query's words widened to the known words most like them, as tsquery text
# ("('rheumatiod' | 'rheumatoid') & ('arthriti')"), or NULL when no word has a likeness.
_WIDENED = f"""(
  SELECT string_agg(alternatives, ' & ') FROM (
    SELECT '(' || string_agg(DISTINCT {_OPERAND}, ' | ') || ')' AS alternatives,
           bool_or(w.word <> l.lexeme) AS widened
    FROM unnest(%s::text[]) WITH ORDINALITY AS q(term, n)
    CROSS JOIN LATERAL unnest(tsvector_to_array(to_tsvector('english'::regconfig, q.term)))
        AS l(lexeme)
    CROSS JOIN LATERAL (
      SELECT l.lexeme AS word
      UNION ALL
      (SELECT word FROM search_word
       WHERE length(l.lexeme) >= 4 AND l.lexeme ~ '[a-z]' AND word %% l.lexeme
       ORDER BY similarity(word, l.lexeme) DESC, word LIMIT {TYPO_WORDS})
    ) w
    GROUP BY q.n, l.lexeme
  ) per_word HAVING bool_or(widened)
)"""  # noqa: S608


@dataclass(frozen=True)
class Candidates:
    ids: list[int]  # best first
    approximate: bool = False  # a phrase checked in only the first PHRASE_SCAN records


@dataclass(frozen=True)
class _Search:
    table: str
    query: str
    terms: list[str]
    excluded: list[str]
    identifier: tuple[str, str] | None

    @property
    def phrase(self) -> bool:
        # A negated phrase ('-"a b"') is no narrowing of its words: checked as a whole.
        return '"' in self.query and '-"' not in self.query

    @property
    def typos(self) -> bool:
        return self.table in TYPO_KINDS


def _identifier(query: str) -> tuple[str, str] | None:
    if len(query.split()) != 1:
        return None
    try:
        identifier = parse_identifier(query)
    except (InvalidIdentifier, ValueError):
        return None
    return identifier.kind, identifier.value


def _full_text(search: _Search) -> tuple[str, list[object]]:
    """CTEs "fts" (at most MATCH_LIMIT + 1 ids) and, for a phrase, "scan".

    The matches are a MATERIALIZED CTE limited to ``PLAN_HORIZON`` times what is read
    from it: the planner then costs the scan for that many matches and takes the GIN
    index unless the words are in more than a few per cent of the records, while
    execution still stops at the number read. With the plain LIMIT it took a sequential
    scan for any word in more than a few records, blind to the cost of decompressing each
    record's document, and read tens of thousands to find 501 in 2%; with no limit at
    all it took the index for a word in 13% and built a bitmap of 130,000 records."""
    table, limit = search.table, MATCH_LIMIT + 1
    # Only table names and constants are interpolated; the user's words are parameters.
    if not search.phrase:
        sql = (
            f"matches AS MATERIALIZED (SELECT id FROM {table} "  # noqa: S608
            f"WHERE search_document @@ {TSQUERY} LIMIT {PLAN_HORIZON * limit}), "
            f"fts AS MATERIALIZED (SELECT id FROM matches LIMIT {limit})"
        )
        return sql, [search.query]
    sql = (
        f"matches AS MATERIALIZED (SELECT id, search_document @@ {TSQUERY} AS hit "  # noqa: S608
        f"FROM {table} WHERE search_document @@ {TSQUERY} LIMIT {PLAN_HORIZON * PHRASE_SCAN}), "
        f"scan AS MATERIALIZED (SELECT id, hit FROM matches LIMIT {PHRASE_SCAN}), "
        f"fts AS MATERIALIZED (SELECT id FROM scan WHERE hit LIMIT {limit})"
    )
    return sql, [search.query, search.query.replace('"', " ")]


def _ranked(search: _Search, candidates: str, widened: str | None) -> tuple[str, list[object]]:
    """An ARRAY of the candidates' ids, best first."""
    join, ties = _TIES[search.table]
    rank = f"ts_rank(t.search_document, {TSQUERY})"
    params: list[object] = [search.query]
    if widened is not None:
        rank = f"COALESCE(NULLIF({rank}, 0), ts_rank(t.search_document, %s::tsquery))"
        params.append(widened)
    if search.identifier:
        rank += f" + CASE WHEN t.{search.identifier[0]} = %s THEN {IDENTIFIER_BONUS} ELSE 0 END"
        params.append(search.identifier[1])
    sql = (
        f"ARRAY(SELECT t.id FROM ({candidates}) c JOIN {search.table} t ON t.id = c.id {join} "  # noqa: S608
        f"ORDER BY GREATEST({rank}, 0) DESC, {ties})"
    )
    return sql, params


def _identifier_arm(search: _Search) -> tuple[str, list[object]]:
    if not search.identifier:
        return "", []
    kind, value = search.identifier
    return f" UNION SELECT id FROM {search.table} WHERE {kind} = %s", [value]  # noqa: S608


def _first_statement(search: _Search) -> tuple[str, list[object]]:
    """One row: the ranked ids, whether a phrase scan was cut short, and the widened query
    when full-text search found fewer than TYPO_FALLBACK_BELOW records."""
    ctes, params = _full_text(search)
    identifier, identifier_params = _identifier_arm(search)
    ranked, ranked_params = _ranked(search, f"SELECT id FROM fts{identifier}", None)  # noqa: S608
    cut = (
        f"CASE WHEN (SELECT count(*) FROM fts) <= {MATCH_LIMIT} "  # noqa: S608
        f"THEN (SELECT count(*) >= {PHRASE_SCAN} FROM scan) ELSE false END"
        if search.phrase
        else "false"
    )
    widened, widened_params = "NULL", []
    if search.typos and search.terms and not search.identifier:
        widened = (
            f"CASE WHEN (SELECT count(*) FROM fts) < {TYPO_FALLBACK_BELOW} THEN {_WIDENED} END"  # noqa: S608
        )
        widened_params = [search.terms]
    sql = f"WITH {ctes} SELECT {ranked}, {cut}, {widened}"
    return sql, [*params, *identifier_params, *ranked_params, *widened_params]


def _typo_statement(search: _Search, found: list[int], widened: str) -> tuple[str, list[object]]:
    """The ranked ids of what full-text search found plus the widened query's matches."""
    exclude, exclude_params = "", []
    if search.excluded:
        # websearch's "-word" applies to the typo-forgiving matches too.
        exclude = f" AND NOT search_document @@ {TSQUERY}"
        exclude_params = [" OR ".join(search.excluded)]
    identifier, identifier_params = _identifier_arm(search)
    # Materialized, a wider LIMIT inside: see _full_text.
    typo = (
        f"WITH typo AS MATERIALIZED (SELECT id FROM {search.table} "  # noqa: S608
        f"WHERE search_document @@ %s::tsquery{exclude} LIMIT {PLAN_HORIZON * TYPO_LIMIT}) "
    )
    candidates = (
        f"SELECT unnest(%s::bigint[]) AS id "  # noqa: S608
        f"UNION (SELECT id FROM typo LIMIT {TYPO_LIMIT}){identifier}"
    )
    ranked, ranked_params = _ranked(search, candidates, widened)
    params = [widened, *exclude_params, found, *identifier_params, *ranked_params]
    return f"{typo}SELECT {ranked}", params


def search(model: type[Model], *, query: str, terms: list[str], excluded: list[str]) -> Candidates:
    """The ranked ids of the records of ``model`` that match (at most MATCH_LIMIT + 1 by
    full text, plus typo and identifier matches): one statement, two for a typo."""
    table = model._meta.db_table
    search = _Search(
        table=table,
        query=query,
        terms=terms,
        excluded=excluded,
        identifier=_identifier(query) if table == "references_reference" else None,
    )
    with read_connection().cursor() as cursor:  # raw SQL: the router's choice by hand
        ids, cut, widened = _fetch(cursor, *_first_statement(search))
        if widened:
            ids = _fetch(cursor, *_typo_statement(search, ids, widened))[0]
    return Candidates(ids=list(ids), approximate=bool(cut))


def _fetch(cursor, sql: str, params: list[object]) -> tuple:
    """The one row of ``sql`` (planned without JIT: config.settings turns it off)."""
    cursor.execute(sql, params)
    return cursor.fetchone()


def explain(model: type[Model], *, query: str, terms: list[str]) -> str:
    """EXPLAIN of the first statement (tests check which indexes it uses)."""
    table = model._meta.db_table
    search = _Search(table=table, query=query, terms=terms, excluded=[], identifier=None)
    sql, params = _first_statement(search)
    with read_connection().cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())
