"""What the Celery app is told by the environment: read in a fresh process, as a worker reads it."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PROBE = (
    "import json; from portal.celery import app; "
    "print(json.dumps([app.conf.beat_schedule['sweep-deliveries']['schedule'],"
    " app.conf.broker_transport]))"
)


def celery_conf(**env: str) -> list:
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_beat_sweeps_as_often_as_delivery_sweep_interval_says():
    assert celery_conf(DELIVERY_SWEEP_INTERVAL="15")[0] == 15.0
    assert celery_conf()[0] == 60.0


def test_a_redis_broker_uses_the_transport_that_survives_a_redis_restart():
    assert celery_conf(CELERY_BROKER_URL="redis://127.0.0.1:6379/0")[1] == "portal.broker:Transport"
    assert celery_conf(CELERY_BROKER_URL="filesystem://")[1] is None
