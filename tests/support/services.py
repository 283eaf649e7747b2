"""Private Redis and PostgreSQL servers, and the app under gunicorn, for fault tests.

The PostgreSQL and Redis on 127.0.0.1:5432/6379 are shared by every test run on the
machine, so a test that stops a service must stop one of its own: these start on free
ports, with their data in a temporary directory, and are stopped (and their files
removed) in fixture teardown whatever the test did. PostgreSQL refuses to run as root, so
its commands run as the ``postgres`` OS user when we are root.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
START_SECONDS = 30.0


def free_port() -> int:
    """A TCP port nothing listens on now (the caller binds it a moment later)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, *, timeout: float = START_SECONDS, up: bool = True) -> bool:
    """Wait until 127.0.0.1:port accepts connections (or, with up=False, refuses them)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                if up:
                    return True
        except OSError:
            if not up:
                return True
        time.sleep(0.05)
    return False


class PrivateRedis:
    """A redis-server of this test's own: nothing on disk, so a restart starts empty."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self) -> PrivateRedis:
        command = [
            REDIS_SERVER,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--loglevel",
            "warning",
        ]
        self.process = subprocess.Popen(  # noqa: S603 - a fixed binary and arguments
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if not wait_for_port(self.port):
            self.kill()
            raise RuntimeError(f"redis-server did not start on port {self.port}")
        return self

    def kill(self) -> None:
        """SIGKILL: no shutdown, and (nothing being saved) every key is gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=START_SECONDS)
        wait_for_port(self.port, up=False, timeout=5)

    stop = kill


class PrivatePostgres:
    """A PostgreSQL cluster of this test's own (trust auth on 127.0.0.1, a free port)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="evidentia-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")

    def url(self, name: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        prefix = ["runuser", "-u", "postgres", "--"] if self._as_postgres else []
        return subprocess.run(  # noqa: S603 - fixed binaries, arguments of our own
            [*prefix, *command],
            check=check,
            capture_output=True,
            text=True,
            timeout=120,
            cwd=self.dir,
        )

    def init(self) -> PrivatePostgres:
        self._run(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        return self

    def start(self) -> PrivatePostgres:
        # fsync off: a test cluster whose loss costs nothing; sockets in its own directory.
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        result = self._run(
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "-t",
            str(int(START_SECONDS)),
            "start",
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"pg_ctl start failed: {result.stderr}\n{self.log_tail()}")
        return self

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def createdb(self, name: str) -> str:
        self._run(str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.port), name)
        return self.url(name)

    def log_tail(self, lines: int = 30) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def manage(*args: str, env: dict[str, str], timeout: float = 300) -> str:
    """Run ``manage.py <args>`` in a subprocess; fail the test with its output on error."""
    result = subprocess.run(  # noqa: S603 - this interpreter and manage.py
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        pytest.fail(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def app_env(**overrides: str) -> dict[str, str]:
    """The environment of an app process under production settings over plain HTTP."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": "fault-tests-only-not-a-secret",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "API_ANON_RATE": "100000/minute",
            "API_USER_RATE": "100000/minute",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(overrides)
    return env


class AppServer:
    """gunicorn serving config.wsgi on a free port, in a process group of its own."""

    def __init__(self, *, env: dict[str, str], log: Path, workers: int = 2, threads: int = 4):
        self.port = free_port()
        self.log = log
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
        ]
        with log.open("wb") as out:
            self.process = subprocess.Popen(  # noqa: S603 - this interpreter and gunicorn
                command,
                cwd=BASE_DIR,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        if not wait_for_port(self.port):
            self.stop()
            raise RuntimeError(f"gunicorn did not start:\n{self.log_tail()}")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)
        except ProcessLookupError:
            pass

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    """A started redis-server of this test's own, killed after the test."""
    server = PrivateRedis().start()
    try:
        yield server
    finally:
        server.kill()


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    """A started PostgreSQL cluster of this test's own, stopped and removed after."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"needs PostgreSQL's server binaries in {PG_BIN} (set PG_BIN)")
    cluster = PrivatePostgres()
    try:
        cluster.init().start()
        yield cluster
    finally:
        cluster.destroy()
