"""The benchmarked server: gunicorn with config.settings.bench on a free port of 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from .options import OUT_DIR, PAGE_CACHE_ENV, ROOT, SETTINGS_MODULE, Options
from .progress import say

GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
CONF = Path(__file__).with_name("gunicorn_conf.py")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Gunicorn:
    """Started in __enter__, stopped (SIGTERM, then SIGKILL) in __exit__."""

    def __init__(
        self, options: Options, *, page_cache: bool, access_log: Path | None = None
    ) -> None:
        self.options = options
        self.page_cache = page_cache
        self.access_log = access_log
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log_path = OUT_DIR / f"gunicorn-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def description(self) -> str:
        o = self.options
        threads = f" x {o.threads} threads" if o.worker_class == "gthread" else ""
        return f"gunicorn, {o.workers} {o.worker_class} workers{threads}, no preload"

    def command(self) -> list[str]:
        o = self.options
        command = [
            str(GUNICORN),
            "config.wsgi:application",
            "-c",
            str(CONF),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(o.workers),
            "--worker-class",
            o.worker_class,
            "--threads",
            str(o.threads),
        ]
        if self.access_log:
            # Server-side time in microseconds (%(D)s) per request, for the mixed load.
            command += [
                "--access-logfile",
                str(self.access_log),
                "--access-logformat",
                "%(m)s %(U)s %(s)s %(D)s",
            ]
        return command

    def __enter__(self) -> Gunicorn:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "PYTHONUNBUFFERED": "1",
            "LOG_LEVEL": "WARNING",
            PAGE_CACHE_ENV: "1" if self.page_cache else "0",
        }
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            self.command(), cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited at start-up; see {self.log_path}")
            if len(self.worker_pids()) == self.options.workers and self._answers():
                cache = "on" if self.page_cache else "off"
                say(f"{self.description} on {self.url} (page cache {cache})")
                return self
            time.sleep(0.5)
        self.__exit__(None, None, None)
        raise RuntimeError(f"gunicorn did not answer within 90 s; see {self.log_path}")

    def _answers(self) -> bool:
        try:
            ceiling = f"{self.url}/bench/ceiling/"  # http://127.0.0.1:<port>
            with urllib.request.urlopen(ceiling, timeout=5) as response:  # noqa: S310
                return response.status == 200
        except OSError:
            return False

    def worker_pids(self) -> list[int]:
        if not self.process:
            return []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return sorted(int(pid) for pid in children.read_text().split())
        except OSError:
            return []

    def worker_rss_kib(self) -> dict[int, int]:
        return {pid: rss_kib(pid) for pid in self.worker_pids()}

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        if hasattr(self, "log"):
            self.log.close()
