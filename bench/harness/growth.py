"""Goal 6 of issue 18: how cost grows with the corpus (the `growth` stage of `make bench`).

Three corpora, about 20k, 200k and 1M references with studies in proportion:

- ``evidentia_bench_20k``: generate_corpus with a tenth of every size of the main corpus;
- BENCH_DATABASE (``evidentia_bench``): the main corpus itself;
- ``evidentia_bench_1m``: a copy of the main corpus made five times larger by
  ``manage.py replicate_corpus --factor 5`` (SQL copies, citations included).

Each is made once and kept. On each, bench/growth_measure.py measures at concurrency 1,
page cache off, the p50/p95 of the home page, a condition page and a pair page with about
the same rows at every size, the summary API, the search page per class of query, and a
refresh of a fixed number of references. The growth exponent b of time ≈ a·N^b is fitted
by least squares on log-log, next to a logarithm's over the same range.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import subprocess
import sys

import psycopg
import psycopg.sql

from .corpus import ensure_corpus, format_citations, manage
from .options import OUT_DIR, ROOT, Options, corpus_args
from .progress import say

SIZES = (
    ("20k", 0.1, "evidentia_bench_20k"),
    ("200k", 1.0, None),
    ("1m", 5.0, "evidentia_bench_1m"),
)
# Measures whose page shows rows that grow with the corpus (goal 6's exception), and the
# count of them growth_measure.targets records: the home page lists the conditions and
# therapies up to its limits.
ROWS_SHOWN = {"home": "home_rows"}
REPLICATE = ROOT / "devtools" / "management" / "commands" / "replicate_corpus.py"


def database_url(options: Options, database: str) -> str:
    return options.server_url.rsplit("/", 1)[0] + "/" + database


def reference_count(url: str) -> int | None:
    try:
        with psycopg.connect(url, connect_timeout=10) as conn:
            if conn.execute("SELECT to_regclass('references_reference')").fetchone()[0] is None:
                return None
            return conn.execute("SELECT count(*) FROM references_reference").fetchone()[0]
    except psycopg.OperationalError:
        return None


def provenance(url: str) -> str:
    """How the corpus was made, as ensure_size noted it on the database (COMMENT ON)."""
    try:
        with psycopg.connect(url, connect_timeout=10) as conn:
            row = conn.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                "WHERE datname = current_database()"
            ).fetchone()
            return (row[0] if row else None) or ""
    except psycopg.Error:
        return ""


def _note(options: Options, database: str, text: str) -> None:
    with psycopg.connect(options.server_url, autocommit=True) as admin:
        admin.execute(
            psycopg.sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                psycopg.sql.Identifier(database), psycopg.sql.Literal(text)
            )
        )


def _copy_database(options: Options, source: str, target: str) -> None:
    """CREATE DATABASE ... TEMPLATE when nobody is connected to the source, else a dump
    piped into a restore (slower, but the main corpus may be in use)."""
    with psycopg.connect(options.server_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{target}"')
        try:
            admin.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')
            return
        except psycopg.errors.ObjectInUse:
            admin.execute(f'CREATE DATABASE "{target}"')
    say(f"  {source} is in use: pg_dump | pg_restore into {target}")
    dump = subprocess.Popen(
        ["pg_dump", "-Fc", "-d", database_url(options, source)], stdout=subprocess.PIPE
    )
    restore = subprocess.run(
        ["pg_restore", "--no-owner", "-d", database_url(options, target)],
        stdin=dump.stdout,
        check=False,
    )
    dump.stdout.close()
    if dump.wait() != 0 or restore.returncode != 0:
        raise RuntimeError(f"copying {source} into {target} failed")


def ensure_size(options: Options, name: str, scale: float, database: str | None) -> str | None:
    """The database URL of the corpus of this size, made when missing; None when it cannot
    be made here (replicate_corpus missing)."""
    if database is None:
        return options.database_url  # the main corpus, made by run_all before any stage
    url = database_url(options, database)
    refs = reference_count(url)
    wanted = 200_000 * scale
    if refs and refs >= wanted * 0.9:
        # Made by an earlier run and changed since only by the growth refresh, which deletes
        # what it adds: migrating is enough (format_citations only to find nothing missing
        # reads every reference: 4 minutes at 1M).
        say(f"  {name}: {database} holds {refs:,} references; migrating")
        manage("migrate", "--noinput", "-v0", database_url=url)
        return url
    if scale < 1:
        ensure_corpus(dataclasses.replace(options, database_url=url), corpus_args(scale))
        made = f"bench growth corpus: manage.py generate_corpus {' '.join(corpus_args(scale))}"
        _note(options, database, made)
        return url
    if not REPLICATE.exists():
        say(f"  {name}: manage.py replicate_corpus is not there; not measured")
        return None
    main = reference_count(options.database_url) or 0
    if main < 150_000:
        raise RuntimeError(f"the main corpus has {main:,} references: not copied into {database}")
    say(f"  {name}: copying {options.database_name} into {database}, then replicate_corpus")
    _copy_database(options, options.database_name, database)
    manage("migrate", "--noinput", "-v0", database_url=url)
    manage("replicate_corpus", "--factor", str(round(scale)), database_url=url)
    format_citations(database_url=url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    _note(
        options,
        database,
        f"bench growth corpus: a copy of {options.database_name} ({main:,} references) made "
        f"{round(scale)} times larger by manage.py replicate_corpus --factor {round(scale)}",
    )
    return url


def _measure(url: str, part: str, options: Options) -> dict:
    out = OUT_DIR / f"growth-{part}.json"
    out.unlink(missing_ok=True)
    env = {**os.environ, "DATABASE_URL": url}
    if part == "refresh":
        env["REDIS_URL"] = options.refresh_redis_url
    command = [sys.executable, "-u", "bench/growth_measure.py", "--part", part, "--json", str(out)]
    command += [
        "--seconds",
        str(options.growth_seconds),
        "--runs",
        str(options.growth_runs),
        "--refresh-n",
        str(options.growth_refresh_n),
    ]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"growth_measure.py --part {part} failed:\n{done.stderr[-3000:]}")
    return json.loads(out.read_text())


def search_ceiling(url: str, query: str = "patients", repeat: int = 30) -> dict:
    """The floor under any search: a bare SELECT 1 round trip, and the GIN index scan of
    the references' stored documents alone (20 ids, nothing ranked, nothing rendered)."""
    timings: dict[str, list[float]] = {"select1": [], "gin": []}
    gin = (
        "SELECT id FROM references_reference "
        "WHERE search_document @@ websearch_to_tsquery('english', %s) LIMIT 20"
    )
    try:
        with psycopg.connect(url) as conn:
            for _ in range(repeat):
                for key, sql, params in (("select1", "SELECT 1", None), ("gin", gin, [query])):
                    started = _now()
                    conn.execute(sql, params).fetchall()
                    timings[key].append((_now() - started) * 1000)
    except psycopg.Error as error:  # the stored document renamed: say so, measure the rest
        say(f"  search ceiling not measured: {error}")
        return {}
    return {key: _percentiles(values) for key, values in timings.items()}


def _now() -> float:
    import time

    return time.perf_counter()


def _percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50": ordered[len(ordered) // 2],
        "p95": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))],
    }


def run(options: Options, results: dict, save) -> None:
    say("growth with corpus size (goal 6): 20k, 200k and 1M references")
    growth = results.setdefault("growth", {})
    growth["sizes"] = []
    for name, scale, database in [s for s in SIZES if s[0] in options.growth_sizes]:
        size = {"name": name, "database": database or options.database_name}
        growth["sizes"].append(size)
        try:
            _measure_size(options, size, ensure_size(options, name, scale, database))
        except (RuntimeError, subprocess.CalledProcessError, psycopg.Error) as error:
            say(f"  {name}: not measured: {error}")
            size["error"] = str(error)
        _say_size(size)
        growth["fits"] = fits(growth["sizes"])
        save(results)


def _measure_size(options: Options, size: dict, url: str | None) -> None:
    if url is None:
        size["error"] = "manage.py replicate_corpus is not there"
        return
    http = _measure(url, "http", options)
    size.update(
        references=http["targets"]["references"],
        studies=http["targets"]["studies"],
        targets=http["targets"],
        measures=http["measures"],
        search_ceiling=search_ceiling(url),
        provenance=provenance(url),
    )
    try:
        refresh = _measure(url, "refresh", options)
    except RuntimeError as error:
        say(f"  {size['name']}: refresh not measured: {error}")
        size["refresh_error"] = str(error)
        return
    size["refresh"] = refresh
    for r in refresh["runs"]:
        size["measures"][f"refresh of {refresh['n']:,}, {r['label']}"] = {
            "p50": r["seconds"] * 1000,
            "p95": r["seconds"] * 1000,
        }


def _say_size(size: dict) -> None:
    for measure, m in (size.get("measures") or {}).items():
        say(f"  {size['name']} {measure:32} p50 {m['p50']:9.1f} ms  p95 {m['p95']:9.1f} ms")


def fit(points: list[tuple[float, float]]) -> tuple[float, float | None]:
    """Least squares of log t = log a + b log N: (b, its standard error; None from two
    points, which any line fits)."""
    xs, ys = [math.log(n) for n, _ in points], [math.log(t) for _, t in points]
    k, mx, my = len(xs), sum(xs) / len(xs), sum(ys) / len(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    residual = sum((y - my - b * (x - mx)) ** 2 for x, y in zip(xs, ys, strict=True))
    se = math.sqrt(residual / (k - 2) / sxx) if k > 2 else None
    return b, se


def log_exponent(low: float, high: float) -> float:
    """The exponent a cost proportional to log N shows between N = low and N = high."""
    return math.log(math.log(high) / math.log(low)) / math.log(high / low)


def fits(sizes: list[dict]) -> dict:
    measured = [s for s in sizes if s.get("measures") and s.get("references")]
    if len(measured) < 2:
        return {}
    found = {}
    for name in measured[0]["measures"]:
        points = [
            (s["references"], s["measures"][name]["p50"])
            for s in measured
            if name in s["measures"] and s["measures"][name]["p50"] > 0
        ]
        if len(points) < 2:
            continue
        b, se = fit(points)
        low, high = points[0][0], points[-1][0]
        found[name] = {"b": b, "se": se, "points": points, "log_b": log_exponent(low, high)}
        rows = [
            (s["references"], s["targets"][ROWS_SHOWN[name]])
            for s in measured
            if name in ROWS_SHOWN and s.get("targets", {}).get(ROWS_SHOWN[name])
        ]
        if len(rows) == len(points):
            found[name]["rows_b"] = fit(rows)[0]
    return found
