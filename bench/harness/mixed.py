"""The mixed load: reading traffic and editor writes together, at the highest rate the
machine sustains, for several minutes; zero 5xx, p99, and the workers' memory.

Traffic (one schedule, shuffled; wrk's mixed.lua takes it in turn on every connection):
pages (home, condition pages, pair pages including the largest pair, the demo's),
the summary API, search with varied terms, and an Editor's writes through the API with
a token: PATCH a study's outcome summary (a different text each time, so it is a real
write) and POST a study to a scratch pair, which the same connection's next request
DELETEs. The page cache is on, as in production, so writes also exercise invalidation.

Rate: closed-loop, so the rate is set by the number of connections; steps of increasing
concurrency (BENCH_LOAD_CONCURRENCY) find where throughput stops rising, and the run uses
the smallest concurrency within 5% of the best throughput seen.

Latency per kind of request is the server's own (gunicorn's access log, %(D)s); the p99
of the whole mix is wrk's, as a client sees it (queueing included).
"""

from __future__ import annotations

import json
import random
import statistics
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote_plus

from . import wrk
from .corpus import Targets
from .endpoints import drain, flush_cache, warm
from .options import OUT_DIR, Options
from .progress import say
from .server import Gunicorn

SCRATCH_OUTCOME = "Load test"
MIX = [  # (kind, share of requests in percent)
    ("home", 6),
    ("condition", 20),
    ("pair", 26),
    ("summary", 16),
    ("search", 16),
    ("patch study", 4),
    ("post study", 2),  # each followed by a DELETE of the new study
]
RSS_SAMPLE_SECONDS = 30


@dataclass
class Scenario:
    token: str
    pages: dict[str, list[str]]  # kind -> paths
    patch_study_ids: list[int]
    scratch: dict  # reference id, therapy and condition slugs for new studies
    kinds: list[str] = field(default_factory=list)


def build_scenario(targets: Targets, token: str, seed: int = 1) -> Scenario:
    from django.db.models import Count

    from evidence.models import Condition, Study, Verdict
    from references.models import Reference

    rng = random.Random(seed)
    verdicts = list(
        Verdict.objects.order_by("id").values_list("condition__slug", "therapy__slug")[:5000]
    )
    pairs = rng.sample(verdicts, min(300, len(verdicts)))
    condition_slugs = list(
        Condition.objects.annotate(n=Count("verdicts"))
        .filter(n__gt=0)
        .order_by("id")
        .values_list("slug", flat=True)[:5000]
    )
    conditions = rng.sample(condition_slugs, min(200, len(condition_slugs)))
    big_c, big_t, _ = targets.largest_pair
    # The demo's pages are part of the mix whenever the demo is loaded.
    demo = [p for p in verdicts if p[0] in {"rheumatoid-arthritis", "systemic-lupus-erythematosus"}]
    pair_paths = [f"/conditions/{c}/{t}/" for c, t in pairs + demo]
    pair_paths += [f"/conditions/{big_c}/{big_t}/"] * max(1, len(pair_paths) // 5)
    pages = {
        "home": ["/"],
        "condition": [f"/conditions/{c}/" for c in conditions],
        "pair": pair_paths,
        "summary": [f"/api/v1/conditions/{c}/summary/" for c in conditions],
        "search": [f"/search/?q={quote_plus(term)}" for term in targets.search_terms],
    }
    study_ids = list(Study.objects.order_by("?").values_list("id", flat=True)[:300])
    small_c, small_t, _ = targets.smallest_pair
    reference = Reference.objects.order_by("-id").values_list("id", flat=True).first()
    return Scenario(
        token=token,
        pages=pages,
        patch_study_ids=study_ids,
        scratch={"reference": reference, "therapy": small_t, "condition": small_c},
    )


def write_schedule(scenario: Scenario, path: Path, *, size: int = 4000, seed: int = 1) -> None:
    """One line per request: METHOD, path, JSON body; a fresh nonce in each new study."""
    rng = random.Random(seed)
    nonce = uuid.uuid4().hex[:8]
    kinds = [kind for kind, share in MIX for _ in range(share)]
    lines = []
    for _ in range(size):
        kind = rng.choice(kinds)
        if kind == "patch study":
            study = rng.choice(scenario.patch_study_ids)
            body = json.dumps({"outcome_summary": "Edited under load, @U@."})
            lines.append(f"PATCH\t/api/v1/studies/{study}/\t{body}")
        elif kind == "post study":
            body = json.dumps(
                {
                    **scenario.scratch,
                    "design": "rct",
                    "direction": "benefit",
                    "outcome": f"{SCRATCH_OUTCOME} {nonce} @U@",
                    "outcome_summary": "Created under load; deleted by the next request.",
                    "participants": 10,
                }
            )
            lines.append(f"POST\t/api/v1/studies/\t{body}")
        else:
            lines.append(f"GET\t{rng.choice(scenario.pages[kind])}")
    path.write_text("\n".join(lines) + "\n")


def classify(method: str, path: str) -> str:
    if path.startswith("/api/v1/studies/"):
        return {"PATCH": "patch study", "POST": "post study", "DELETE": "delete study"}.get(
            method, "studies API"
        )
    if path.startswith("/api/v1/conditions/") and path.endswith("/summary/"):
        return "summary"
    if path.startswith("/search/"):
        return "search"
    if path.startswith("/conditions/"):
        return "pair" if path.rstrip("/").count("/") == 3 else "condition"
    if path == "/":
        return "home"
    if path.startswith("/bench/"):
        return "ceiling"
    return "other"


def read_access_log(path: Path, since: int = 0) -> tuple[dict[str, list[float]], Counter, int]:
    """Server-side ms per kind and (kind, status) counts, from byte offset `since`."""
    times: dict[str, list[float]] = defaultdict(list)
    statuses: Counter = Counter()
    with path.open("rb") as log:
        log.seek(since)
        for raw in log:
            parts = raw.decode("utf-8", "replace").split()
            if len(parts) != 4 or not parts[3].isdigit():
                continue
            method, url, status, micros = parts
            kind = classify(method, url)
            times[kind].append(int(micros) / 1000)
            statuses[(kind, int(status))] += 1
        end = log.tell()
    return times, statuses, end


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def _rss_mib(server: Gunicorn) -> dict[str, float]:
    return {str(pid): kib / 1024 for pid, kib in server.worker_rss_kib().items()}


# Long function: the run's steps share one server and its log, in the order they happen.
def run_load(options: Options, scenario: Scenario) -> dict:
    access_log = OUT_DIR / "load-access.log"
    access_log.unlink(missing_ok=True)
    schedule = OUT_DIR / "load-schedule.txt"
    flush_cache(options)
    result: dict = {"mix": MIX, "steps": [], "rss_mib": {}}
    with Gunicorn(options, page_cache=True, access_log=access_log) as server:
        result["server"] = server.description
        result["rss_mib"]["after start"] = _rss_mib(server)
        warm(server, {k: v[:20] for k, v in scenario.pages.items()})
        best = 0.0
        for step, c in enumerate(options.load_concurrency):
            write_schedule(scenario, schedule, seed=step)
            r = wrk.run(
                server.url,
                script="mixed.lua",
                args=[str(schedule), scenario.token],
                connections=c,
                seconds=options.load_step,
            )
            result["steps"].append(
                {
                    "connections": c,
                    "rps": r.rps,
                    "p99": r.latency_ms["p99"],
                    "5xx": r.server_errors(),
                    "non_2xx": r.non_2xx,
                    "socket_errors": r.socket_errors,
                }
            )
            say(
                f"mixed load step c={c:<3} {r.rps:7.1f} req/s  p99 {r.latency_ms['p99']:7.1f} ms"
                f"  5xx {r.server_errors()}  statuses {dict(sorted(r.statuses.items()))}"
            )
            drain(server)
            if step >= 2 and r.rps < best * 1.05 and result["steps"][-2]["rps"] < best * 1.05:
                break  # two steps in a row without a 5% gain: saturated
            best = max(best, r.rps)
        best = max(s["rps"] for s in result["steps"])
        chosen = min(s["connections"] for s in result["steps"] if s["rps"] >= 0.95 * best)
        result["connections"] = chosen
        say(f"mixed load: {options.load_duration} s at c={chosen} (best step {best:.0f} req/s)")

        offset = access_log.stat().st_size
        result["rss_mib"]["before"] = _rss_mib(server)
        samples: list[tuple[float, dict[str, float]]] = []
        stop = threading.Event()

        def sample_rss() -> None:
            started = time.monotonic()
            while not stop.wait(RSS_SAMPLE_SECONDS):
                samples.append((time.monotonic() - started, _rss_mib(server)))

        sampler = threading.Thread(target=sample_rss, daemon=True)
        sampler.start()
        write_schedule(scenario, schedule, seed=99)
        r = wrk.run(
            server.url,
            script="mixed.lua",
            args=[str(schedule), scenario.token],
            connections=chosen,
            seconds=options.load_duration,
            timeout_s=30,
        )
        stop.set()
        sampler.join()
        time.sleep(1)  # the access log is written after each response
        result["rss_mib"]["after"] = _rss_mib(server)
        result["rss_samples"] = samples
        pids_after = server.worker_pids()
        result["workers_replaced"] = sorted(
            set(result["rss_mib"]["before"]) - {str(p) for p in pids_after}
        )
    times, statuses, _ = read_access_log(access_log, since=offset)
    result["run"] = {
        "seconds": r.seconds,
        "requests": r.requests,
        "rps": r.rps,
        "latency_ms": r.latency_ms,
        "statuses": {str(k): v for k, v in sorted(r.statuses.items())},
        "5xx": r.server_errors(),
        "socket_errors": r.errors,
    }
    result["per_kind"] = {
        kind: {
            "requests": len(values),
            "p50": statistics.median(values),
            "p95": percentile(values, 95),
            "p99": percentile(values, 99),
            "max": max(values),
            "statuses": {
                str(status): n for (k, status), n in sorted(statuses.items()) if k == kind
            },
        }
        for kind, values in sorted(times.items())
    }
    result["server_5xx"] = sum(n for (_, status), n in statuses.items() if status >= 500)
    say(
        f"mixed load: {r.requests:,} requests, {r.rps:.1f} req/s, p99 {r.latency_ms['p99']:.1f} ms,"
        f" 5xx {result['run']['5xx']} (client) / {result['server_5xx']} (server log)"
    )
    return result


def clean_up() -> int:
    """Studies a POST created and no DELETE removed (in flight when a run stopped)."""
    from evidence.models import Study
    from evidence.services import study_delete

    left = list(Study.objects.filter(outcome__startswith=f"{SCRATCH_OUTCOME} "))
    for study in left:
        study_delete(study=study)
    return len(left)
