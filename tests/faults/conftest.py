"""The fault-injection suite's machinery: its own Redis and PostgreSQL servers, simulator
processes, workers."""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "faults: the fault-injection suite (workers killed, Redis flushed)"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if condition():
                return
        time.sleep(0.1)
    pytest.fail(f"Timed out after {timeout}s waiting for {what}")


class RedisServer:
    """A redis-server of the suite's own on a free port, so flushing or restarting it touches
    nothing else (not the other xdist worker's queue and cache in the shared test Redis)."""

    def __init__(self, workdir: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("The fault suite needs redis-server (apt-get install redis-server)")
        self.binary = binary
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        wait_until(lambda: redis.Redis.from_url(self.url).ping(), 10, "redis-server to start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def restart(self) -> None:
        """Killed and started again: every queued message and unacknowledged task is gone."""
        self.stop()
        self.start()

    def flushall(self) -> None:
        import redis

        redis.Redis.from_url(self.url).flushall()


class PostgresServer:
    """A PostgreSQL cluster of the suite's own (initdb into a temporary folder, pg_ctl on a free
    port), so that stopping it stops nothing else: never the machine's shared server, where the
    other xdist worker and other people's tests live.

    initdb refuses to run as root, so as root the cluster belongs to the postgres user."""

    def __init__(self) -> None:
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not found:
            pytest.fail("The fault suite needs PostgreSQL's server binaries (postgresql-15)")
        self.bin = found[-1].parent
        self.port = free_port()
        self.user = "postgres" if os.geteuid() == 0 else None
        self.root = Path(tempfile.mkdtemp(prefix="faults-postgres-"))
        if self.user is not None:
            shutil.chown(self.root, self.user)
        self.data = self.root / "data"
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")

    def _run(self, program: str, *args: str) -> None:
        subprocess.run(
            [str(self.bin / program), *args],
            user=self.user,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def start(self) -> None:
        # fsync off: the machine does not crash here, only the server stops, and what it wrote
        # is in the OS's cache. Commits stay synchronous: an immediate stop must not lose one
        # that a caller was told of (it would look like a lost submission).
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c full_page_writes=off -c max_connections=100"
        )
        log = str(self.root / "postgres.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-o", options, "-w", "start")

    def stop(self) -> None:
        """Stopped at once, as a crash or a failover would: connections are cut mid-query."""
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def restart(self, down_for: float) -> None:
        self.stop()
        time.sleep(down_for)
        self.start()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def copy_of(self, settings_dict: dict) -> str:
        """A copy of the database `settings_dict` names (the test database, migrated), here."""
        name = str(settings_dict["NAME"])
        dump = self.root / "dump"
        source = [
            "-h",
            str(settings_dict.get("HOST") or "127.0.0.1"),
            "-p",
            str(settings_dict.get("PORT") or 5432),
            "-U",
            str(settings_dict.get("USER") or "postgres"),
        ]
        env = {**os.environ, "PGPASSWORD": str(settings_dict.get("PASSWORD") or "")}
        subprocess.run(
            [str(self.bin / "pg_dump"), *source, "-Fc", "-f", str(dump), name], env=env, check=True
        )
        here = ["-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]
        self._run("createdb", *here, name)
        self._run("pg_restore", *here, "--no-owner", "-d", name, str(dump))
        return name


@contextlib.contextmanager
def database_on(server: PostgresServer) -> Iterator[None]:
    """This process's threads, and the workers started inside the block, use a copy of the test
    database on `server`. The settings dict is Django's own for the alias, shared by every
    thread's connection, so it is changed in place and put back as it was."""
    from django.db import connections

    settings_dict = connections["default"].settings_dict
    saved = dict(settings_dict)
    name = server.copy_of(saved)
    connections["default"].close()
    settings_dict.update(HOST="127.0.0.1", PORT=str(server.port), NAME=name, USER="postgres")
    settings_dict.update(PASSWORD="")
    try:
        yield
    finally:
        connections["default"].close()
        settings_dict.clear()
        settings_dict.update(saved)


class SimulatorProcess:
    """A simulator (integrations.simulators.<module>) in a process of its own, with faults, read
    over HTTP."""

    def __init__(
        self,
        module: str,
        args: list[str],
        faults: dict[str, float],
        log_path: Path,
        *,
        port: int | None = None,
    ) -> None:
        # `port`: the one a simulator stopped earlier used, to start it again where clients
        # expect it (a back office that went down and came back).
        self.port = port or free_port()
        command = [
            sys.executable,
            "-m",
            f"integrations.simulators.{module}",
            "--port",
            str(self.port),
            "--seed",
            "20251106",
            *args,
        ]
        for name, value in faults.items():
            command += ["--" + name.replace("_", "-"), str(value)]
        with log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT
            )
        wait_until(lambda: httpx.get(f"{self.url}/_faults").status_code == 200, 20, module)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def records(self) -> dict:
        """What the simulator itself holds: {"count", "records": [...], ...}, or no records if
        it is not running."""
        if self.process.poll() is not None:
            return {"count": 0, "records": []}
        return httpx.get(f"{self.url}/_records", timeout=60).json()

    def stats(self) -> dict:
        if self.process.poll() is not None:
            return {}
        return httpx.get(f"{self.url}/_stats", timeout=30).json()

    def set_faults(self, **changes: float) -> None:
        """Change some faults, keeping the others."""
        httpx.post(f"{self.url}/_faults", json=changes, timeout=10).raise_for_status()

    def clear_faults(self) -> None:
        httpx.delete(f"{self.url}/_faults")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@contextlib.contextmanager
def publishing_to(broker_url: str) -> Iterator[None]:
    """Tasks this process queues go to `broker_url` inside the block (the app's cached
    connection pools are dropped on the way in and out, as Celery does after a fork)."""
    from portal.celery import app

    def drop_pools() -> None:
        app._pool = None  # type: ignore[attr-defined]
        with contextlib.suppress(AttributeError, KeyError):
            app.__dict__["amqp"]._producer_pool = None

    previous = app.conf.broker_url
    app.conf.update(broker_url=broker_url)
    drop_pools()
    try:
        yield
    finally:
        app.conf.update(broker_url=previous)
        drop_pools()


@pytest.fixture
def fault_workdir(tmp_path_factory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("faults")
    yield path
    shutil.rmtree(path, ignore_errors=True)


class SMTPProcess:
    """The SMTP simulator in a process of its own (tests/faults/smtp_process.py), refusing or
    dropping some messages at random; what it stored is read from its records file."""

    def __init__(self, workdir: Path, *, seed: int, reject_rate: float, drop_rate: float) -> None:
        self.port = free_port()
        self.records_path = workdir / "smtp-records.jsonl"
        command = [
            sys.executable,
            "-m",
            "tests.faults.smtp_process",
            "--port",
            str(self.port),
            "--records",
            str(self.records_path),
            "--seed",
            str(seed),
            "--reject-rate",
            str(reject_rate),
            "--drop-rate",
            str(drop_rate),
        ]
        with (workdir / "smtp.log").open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT
            )

        def listening() -> bool:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True

        wait_until(listening, 20, "the SMTP simulator")

    @property
    def url(self) -> str:
        """For the workers' EMAIL_URL."""
        return f"smtp://127.0.0.1:{self.port}"

    def lines(self) -> list[dict]:
        if not self.records_path.exists():
            return []
        text = self.records_path.read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines() if line.strip()]

    def messages(self) -> list[dict]:
        """Each message stored: {"message_id", "subject"}, repeats included."""
        return [line for line in self.lines() if "message_id" in line]

    def injected(self) -> dict[str, int]:
        return dict(Counter(line["fault"] for line in self.lines() if "fault" in line))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
