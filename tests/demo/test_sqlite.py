"""The embedded default of `make run` (SQLite) when processes work at once.

Web, worker and beat share one SQLite file there. SQLite's default (DEFERRED) transactions fail at
once with "database is locked" when two that have read both try to write, which is what a claim
does; portal/settings.py makes them IMMEDIATE, with write-ahead logging and a busy timeout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_concurrent_claims_and_submissions_on_sqlite_each_claim_once_without_errors(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        "VAR_DIR": str(tmp_path),
        # Queued deliveries and e-mails go nowhere: this is about the database alone.
        "CELERY_BROKER_URL": "memory://",
        "EMAIL_URL": "dummymail://",
        "REDIS_URL": "",
    }
    run = subprocess.run(
        [sys.executable, "-m", "tests.demo.sqlite_claims"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=200,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    outcome = json.loads(run.stdout.strip().splitlines()[-1])

    assert outcome["errors"] == []
    assert sorted(outcome["claimed"]) == sorted(outcome["deliveries"])
