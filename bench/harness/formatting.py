"""How figures are written in docs/benchmarks.md: milliseconds, rates, ranges over runs,
and whether a goal was met."""

from __future__ import annotations


def ms(value: float) -> str:
    return f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def spread(summary, key: str, fmt=ms) -> str:
    return f"{fmt(summary.median[key])} ({fmt(summary.low[key])}–{fmt(summary.high[key])})"


def rps(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def met(ok: bool | None) -> str:
    return "n/a" if ok is None else ("**met**" if ok else "**not met**")


def latency_ok(s, limit: float) -> bool | None:
    """Under the limit, and every request answered: a timed-out request has no latency."""
    if s is None:
        return None
    return s.median["p95"] < limit and s.requests > 0 and not s.socket_errors and not s.non_2xx


def p95(s) -> str:
    if s is None:
        return "not measured"
    failed = s.socket_errors + s.non_2xx
    note = f"; {failed} requests failed or timed out (wrk: 10 s)" if failed else ""
    if not s.requests:
        return f"no request completed{note}"
    return f"{ms(s.median['p95'])} ms{note}"
