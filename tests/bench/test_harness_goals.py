"""The benchmark harness's arithmetic and goal rows (bench/harness): the growth exponent,
a logarithm's exponent, the log-log chart, and goals read from each stage's JSON."""

import math
import re

from bench.harness import goals_more
from bench.harness.growth import fit, fits, log_exponent
from bench.harness.growth_chart import svg


def test_fit_recovers_a_power_law_and_a_flat_line():
    points = [(n, 3.0 * n**0.5) for n in (20_000, 200_000, 1_000_000)]
    b, se = fit(points)
    assert math.isclose(b, 0.5, abs_tol=1e-9)
    assert se < 1e-9
    assert math.isclose(fit([(1e4, 7.0), (1e6, 7.0)])[0], 0.0, abs_tol=1e-12)


def test_a_logarithm_grows_with_a_small_exponent_over_20k_to_1m():
    b = log_exponent(20_000, 1_000_000)
    assert 0.08 < b < 0.09
    log_points = [(n, math.log(n)) for n in (20_000, 200_000, 1_000_000)]
    assert abs(fit(log_points)[0] - b) < 0.005


def test_fits_skip_sizes_not_measured():
    sizes = [
        {"references": 20_000, "measures": {"home": {"p50": 10.0, "p95": 12.0}}},
        {"references": 200_000, "measures": {"home": {"p50": 11.0, "p95": 13.0}}},
        {"references": None, "error": "replicate_corpus is not there"},
    ]
    found = fits(sizes)
    assert list(found) == ["home"]
    assert len(found["home"]["points"]) == 2


def test_chart_draws_a_line_per_measure_with_readable_text():
    found = {
        "home": {"points": [(2e4, 10.0), (2e5, 11.0), (1e6, 12.0)], "b": 0.05},
        "pair": {"points": [(2e4, 50.0), (2e5, 55.0), (1e6, 60.0)], "b": 0.05},
    }
    drawn = svg(found, "growth")
    assert drawn.count('stroke-width="2"/>') == 2  # one polyline per measure
    assert all(int(size) >= 11 for size in re.findall(r'font-size="(\d+)"', drawn))
    assert "proportional to log N" in drawn


def test_parse_goals_read_overall_and_held_out_but_not_the_goal_itself():
    parse = {
        "ratio_vs_biopython": 6.5,
        "share_of_ceiling": 0.62,
        "parse_default_records_per_s": 3000.0,
        "biopython_records_per_s": 460.0,
        "iterparse_ceiling_records_per_s": 4800.0,
        "held_out": {"ratio_vs_biopython": 5.0, "share_of_ceiling": 0.5},
        "goal": {"ratio_vs_biopython": 6.0, "share_of_ceiling": 0.6},
    }
    rows = goals_more.parse({"parse": parse})
    assert [row.ok for row in rows] == [True, True, False, False]
    assert "Biopython 460 records/s" in rows[0].ceiling


def test_search_goals_per_class_and_not_measured_without_a_1m_corpus():
    timing = {
        "classes": {
            "single word": {"median_ms": 20.0, "p95_ms": 40.0},
            "common word": {"median_ms": 60.0, "p95_ms": 120.0},
            "phrase": {"median_ms": 50.0, "p95_ms": 90.0},
            "typo": {"median_ms": 30.0, "p95_ms": 70.0},
        }
    }
    run = {"database": "evidentia_bench", "references": 200_014, "timing": timing}
    rows = goals_more.search({"search": {"runs": [run]}})
    assert [row.ok for row in rows[:4]] == [True, False, True, True]
    assert [row.measured for row in rows[4:]] == ["not measured"] * 4


def test_refresh_goal_against_the_rate_limit_floor():
    run = {
        "label": "Run 2: nothing changed",
        "wall_seconds": 20.0,
        "floor_seconds": 16.7,
        "requests": {"efetch.fcgi": 50},
        "max_writes_per_table_per_batch": 1,
    }
    rows = goals_more.refresh({"refresh": {"n": 10_000, "pubmed_rate": 3.0, "runs": [run]}})
    assert rows[0].ok is True
    assert "floor 16.7 s" in rows[0].ceiling
    lifted = goals_more.refresh({"refresh": {"n": 10_000, "pubmed_rate": 1000.0, "runs": [run]}})
    assert lifted[0].ok is None


def test_growth_goal_allows_a_page_to_grow_with_the_rows_it_shows():
    fits = {
        "home": {"b": 0.4, "se": None, "points": [(2e4, 30.0), (1e6, 150.0)], "log_b": 0.085},
        "pair": {"b": 0.4, "se": None, "points": [(2e4, 30.0), (1e6, 150.0)], "log_b": 0.085},
    }
    fits["home"]["rows_b"] = 1.0
    rows = goals_more.growth({"growth": {"fits": fits, "sizes": []}})
    assert [row.ok for row in rows] == [True, False]
    assert "the rows it shows: b = 1.000" in rows[0].ceiling
