"""The fault-injection suite's machinery: its own Redis server, a simulator process, workers."""

import contextlib
import shutil
import signal
import socket
import subprocess
import sys
import time
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


class SimulatorProcess:
    """The webhook simulator in a process of its own, with faults, read over HTTP."""

    def __init__(self, secret: str, faults: dict[str, float], log_path: Path) -> None:
        self.port = free_port()
        args = [
            sys.executable,
            "-m",
            "integrations.simulators.webhook",
            "--port",
            str(self.port),
            "--secret",
            secret,
            "--seed",
            "20251106",
        ]
        for name, value in faults.items():
            args += ["--" + name.replace("_", "-"), str(value)]
        with log_path.open("wb") as log:
            self.process = subprocess.Popen(
                args, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT
            )
        wait_until(lambda: httpx.get(f"{self.url}/_faults").status_code == 200, 20, "the simulator")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def records_url(self) -> str:
        return f"{self.url}/records"

    def records(self) -> dict:
        return httpx.get(f"{self.url}/_records", timeout=30).json()

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
