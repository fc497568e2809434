"""Every way of running the portal starts a dead worker or beat again, and stops when told.

docker compose restarts a container whose process exits (`restart: unless-stopped`); honcho, which
`make run` uses, never does, so Procfile.dev wraps worker and beat in a loop that does.
"""

import os
import signal
import stat
import subprocess
import time
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
LONG_RUNNING = ("web", "worker", "beat", "postgres", "redis")


def procfile_command(name: str) -> str:
    for line in (ROOT / "Procfile.dev").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"Procfile.dev has no {name} process")


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_compose_restarts_every_long_running_service_that_exits(name):
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())

    assert compose["services"][name]["restart"] == "unless-stopped"


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_make_run_starts_a_celery_process_again_after_it_exits(name, tmp_path):
    # Given a `celery` that notes each start and exits at once, as a crashed worker would
    runs = tmp_path / "runs"
    shim = tmp_path / "bin" / "celery"
    shim.parent.mkdir()
    shim.write_text(f'#!/bin/sh\necho "$@" >> {runs}\nexit 3\n')
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    env = {**os.environ, "PATH": f"{shim.parent}:{os.environ['PATH']}", "VAR_DIR": str(tmp_path)}

    # When Procfile.dev's command runs as honcho runs it (a shell leading its own group)
    process = subprocess.Popen(
        ["/bin/sh", "-c", procfile_command(name)],
        env=env,
        start_new_session=True,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if runs.exists() and len(runs.read_text().splitlines()) >= 2:
                break
            time.sleep(0.1)
        # Then it was started again after it exited
        started = runs.read_text().splitlines() if runs.exists() else []
        assert len(started) >= 2, started
        assert started[0].startswith(f"-A portal {name}")
    finally:
        # And stopping it as honcho does (SIGTERM to the group) ends the loop too
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
        assert process.stderr is not None
        process.stderr.close()
