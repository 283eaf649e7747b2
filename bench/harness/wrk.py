"""Run wrk with one of the harness's Lua scripts and read back its JSON summary."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

LUA_DIR = Path(__file__).with_name("lua")


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    errors: dict[str, int]  # connect, read, write, timeout; status = responses above 399
    statuses: dict[int, int]  # only with a script that counts them (mixed.lua)
    latency_ms: dict[str, float]  # min, mean, p50, p90, p95, p99, p999, max

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def socket_errors(self) -> int:
        return sum(v for k, v in self.errors.items() if k != "status")

    @property
    def non_2xx(self) -> int:
        if self.statuses:
            return sum(n for status, n in self.statuses.items() if not 200 <= status < 300)
        return self.errors.get("status", 0)

    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is not installed: `apt-get install -y wrk` (make bench does it).")
    return found


def run(
    base_url: str,
    *,
    script: str,
    args: list[str],
    connections: int,
    seconds: int,
    threads: int = 1,
    timeout_s: int = 10,
) -> WrkResult:
    command = [
        wrk_binary(),
        f"-t{min(threads, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        f"--timeout={timeout_s}s",
        "-s",
        str(LUA_DIR / script),
        base_url,
        "--",
        *args,
    ]
    completed = subprocess.run(
        command,
        env={**os.environ, "BENCH_LUA_DIR": str(LUA_DIR)},
        capture_output=True,
        text=True,
        timeout=seconds + timeout_s + 60,
        check=False,
    )
    line = next((ln for ln in completed.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if completed.returncode != 0 or line is None:
        raise RuntimeError(
            f"wrk failed ({completed.returncode}): {completed.stderr.strip()}\n{completed.stdout}"
        )
    data = json.loads(line.removeprefix("BENCH_JSON "))
    return WrkResult(
        requests=int(data["requests"]),
        seconds=data["duration_us"] / 1e6,
        errors={k: int(v) for k, v in data["errors"].items()},
        statuses={int(k): int(v) for k, v in data.get("statuses", {}).items()},
        latency_ms={k: v / 1000 for k, v in data["latency_us"].items()},
    )
