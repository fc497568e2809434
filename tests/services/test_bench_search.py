"""`make bench-search` still runs against today's schema.

The benchmark loads its cases by COPY, beside the ORM, so a column added to a loaded table (a new
NOT NULL field) breaks it without any other test noticing. This runs the real benchmark, on a few
hundred cases in a database of its own, and checks that it loads them and times every kind of
query. It asserts nothing about the timings: those are for the benchmark's own run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

REPO_ROOT = Path(__file__).resolve().parents[2]
BENCH_ARGS = ("--cases", "400", "--repeats", "2", "--reload")
KINDS = ("reference", "name", "e-mail", "phone", "postcode", "address words", "filtered list")


@pytest.fixture
def bench_database_url() -> str:
    """A database beside the test database, named after it (one per xdist worker)."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        pytest.fail("the benchmark needs PostgreSQL: run the suite with TEST_DATABASE_URL")
    name = f"{connection.settings_dict['NAME']}_bench"
    host, port = database.get("HOST") or "127.0.0.1", database.get("PORT") or 5432
    return f"postgres://{database['USER']}@{host}:{port}/{name}"


@pytest.mark.django_db
def test_the_search_benchmark_loads_its_cases_and_times_every_kind_of_query(bench_database_url):
    run = subprocess.run(
        [sys.executable, "-m", "services.benchmarks.search", *BENCH_ARGS],
        cwd=REPO_ROOT,
        env={**os.environ, "DATABASE_URL": bench_database_url},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert run.returncode == 0, run.stderr[-3000:]
    assert "loaded 400 cases" in run.stdout
    timed = [line.split("  ")[0] for line in run.stdout.splitlines()]
    for kind in KINDS:
        assert any(line.startswith(kind) for line in timed), run.stdout
