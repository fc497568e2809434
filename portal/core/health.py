"""What `/health/` checks: can this process reach everything it needs to serve a request?

Load balancers, docker compose and orchestrators poll it, so it must be cheap, must never raise
(a failing dependency is a 503 with a reason, never a 500), and must say nothing an outsider could
use: the body names each check and whether it passed, and the detail of a failure goes to the log
only, because an exception message can carry a host name or a password from a URL.
"""

from collections.abc import Callable
from dataclasses import dataclass

import structlog
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

logger = structlog.get_logger(__name__)

# A health check must answer before the poller gives up (docker compose waits a few seconds).
BROKER_TIMEOUT_SECONDS = 2


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str = ""

    def as_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"ok": self.ok}
        if self.detail:
            body["detail"] = self.detail
        return body


def check_database(alias: str = DEFAULT_DB_ALIAS) -> str:
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("SELECT 1 returned something else")
    return ""


def check_broker() -> str:
    from portal.celery import app

    with app.connection_for_write() as connection:
        # One attempt, bounded: a dead Redis must turn into a 503 quickly, not a hung probe.
        connection.ensure_connection(
            max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT_SECONDS
        )
    return ""


def check_migrations(alias: str = DEFAULT_DB_ALIAS) -> str:
    """A new release whose migrations have not run would fail on its first query; say so early."""
    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise UnappliedMigrations(f"{len(plan)} unapplied migration(s)")
    return ""


class UnappliedMigrations(Exception):
    """Raised by the migrations check; its message is safe to show (a count, no names)."""


CHECKS: dict[str, Callable[[], str]] = {
    "database": check_database,
    "broker": check_broker,
    "migrations": check_migrations,
}


def run_checks() -> list[CheckResult]:
    results = []
    for name, check in CHECKS.items():
        try:
            results.append(CheckResult(name, ok=True, detail=check()))
        except UnappliedMigrations as exc:
            logger.warning("health_check_failed", check=name, error=str(exc))
            results.append(CheckResult(name, ok=False, detail=str(exc)))
        except Exception as exc:
            # Any failure of a dependency is a failed check, whatever its type; the type and
            # message go to the log for operators, the client only learns that it failed.
            logger.warning(
                "health_check_failed", check=name, error_type=type(exc).__name__, error=str(exc)
            )
            results.append(CheckResult(name, ok=False, detail="unavailable"))
    return results
