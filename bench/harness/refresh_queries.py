"""Counting a refresh's SQL statements by phase (setup, batch 1..k, finish), for
bench/bench_refresh.py: batches are delimited by wrapping the job runner's _run_chunk,
_wanted and import_job_finish (a benchmark-only instrument; the services are unchanged);
and a pyinstrument profile of a run, when asked for."""

from __future__ import annotations

import re
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

WRITE = re.compile(r'^\s*(INSERT INTO|UPDATE|DELETE FROM)\s+"([^"]+)"', re.IGNORECASE)
READ = re.compile(r'\bFROM\s+"([^"]+)"', re.IGNORECASE)


@dataclass
class Phase:
    name: str
    statements: list[str] = field(default_factory=list)
    seconds: float = 0.0
    durations: list[float] = field(default_factory=list)  # of each statement

    def writes(self) -> Counter[str]:
        found = Counter[str]()
        for sql in self.statements:
            if match := WRITE.match(sql):
                found[f"{match.group(1).split()[0].upper()} {match.group(2)}"] += 1
        return found

    def reads(self) -> Counter[str]:
        found = Counter[str]()
        for sql in self.statements:
            if sql.lstrip().upper().startswith("SELECT"):
                match = READ.search(sql)
                lock = " FOR UPDATE" if "FOR UPDATE" in sql.upper() else ""
                found[f"SELECT {match.group(1) if match else '?'}{lock}"] += 1
        return found

    def seconds_by_kind(self) -> Counter[str]:
        """Seconds waited for SQL by kind of statement ("UPDATE references_reference")."""
        found = Counter[str]()
        for sql, seconds in zip(self.statements, self.durations, strict=True):
            head = sql.lstrip().upper()
            match = WRITE.match(sql) if not head.startswith("SELECT") else READ.search(sql)
            table = match.group(match.lastindex) if match else "?"
            found[f"{head.split()[0]} {table}"] += seconds
        return found

    def other(self) -> Counter[str]:
        found = Counter[str]()
        for sql in self.statements:
            head = sql.lstrip().upper()
            if not head.startswith(("SELECT", "INSERT", "UPDATE", "DELETE")):
                found[" ".join(re.sub(r'"[^"]*"', "", head).split()[:2])] += 1
        return found


class QueryLog:
    """Every SQL statement of a run, by phase: setup, batch 1..k, finish. The reads that
    gather a chunk's identifiers run ahead of its batch (the fetch ahead); they are
    counted with the batch of their chunk."""

    def __init__(self) -> None:
        self.phases: list[Phase] = [Phase("setup")]
        self.ahead: list[Phase] = []
        self.in_ahead = False

    def begin(self, name: str) -> None:
        self.phases.append(Phase(name))

    def settle(self) -> None:
        """Move each chunk's read-ahead statements into its batch."""
        for batch, ahead in zip(self.batches, self.ahead, strict=False):
            batch.statements[:0] = ahead.statements
            batch.durations[:0] = ahead.durations
            batch.seconds += ahead.seconds
        self.ahead = []

    def __call__(self, execute, sql, params, many, context):
        phase = self.ahead[-1] if self.in_ahead else self.phases[-1]
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            elapsed = time.perf_counter() - started
            phase.seconds += elapsed
            phase.statements.append(sql)
            phase.durations.append(elapsed)

    @property
    def batches(self) -> list[Phase]:
        return [p for p in self.phases if p.name.startswith("batch")]


def instrument_batches(log_holder: list[QueryLog]) -> None:
    """Start a new phase at each chunk and at the finish of import_job_run."""
    from references.services.jobs import run as jobs

    run_chunk, finish, wanted = jobs._run_chunk, jobs.import_job_finish, jobs._wanted

    def counted_chunk(*args, **kwargs):
        log = log_holder[0]
        log.begin(f"batch {len(log.batches) + 1}")
        return run_chunk(*args, **kwargs)

    def counted_wanted(*args, **kwargs):
        log = log_holder[0]
        log.ahead.append(Phase("ahead"))
        log.in_ahead = True
        try:
            return wanted(*args, **kwargs)
        finally:
            log.in_ahead = False

    def counted_finish(*args, **kwargs):
        log_holder[0].begin("finish")
        return finish(*args, **kwargs)

    jobs._run_chunk = counted_chunk
    jobs.import_job_finish = counted_finish
    jobs._wanted = counted_wanted


def shape(phase: Phase) -> tuple:
    return (sorted(phase.reads().items()), sorted(phase.writes().items()))


@contextmanager
def profiled(directory: Path | None, label: str):
    if directory is None:
        yield
        return
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.005)
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()
        directory.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")
        (directory / f"{name}.txt").write_text(profiler.output_text(unicode=True, show_all=False))
        (directory / f"{name}.html").write_text(profiler.output_html())
