"""The statements every successful delivery runs, written as SQL.

A delivery's own work is a few short statements, and the ORM's compilation of them cost more
than the database's execution and the HTTP call together (`make bench-delivery` shows the
throughput; py-spy showed where it went). The rarer paths (deferrals, probes, retries, failures)
stay in the ORM in claim.py, engine.py and breaker.py; these are the same statements they
would run. Tables and columns are the models' own and every value is a parameter; the SQL is
the subset PostgreSQL and SQLite share.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Any

from django.db import connection as db_connection

from services.models import Attempt, Connection, Delivery

# Distinguishes our advisory locks from any other user's of pg_advisory_xact_lock(int, int).
ADVISORY_LOCK_NAMESPACE = 0x0DE1

State = Delivery.State
CLOSED = Connection.Breaker.CLOSED.value

_DELIVERY = Delivery._meta.db_table
_CONNECTION = Connection._meta.db_table
_ATTEMPT = Attempt._meta.db_table
# services.delivery.claim.due(now), for the statements below.
_DUE = (
    "((state IN (%(pending)s, %(retrying)s)"
    " AND (next_attempt_at IS NULL OR next_attempt_at <= %(now)s))"
    " OR (state = %(in_flight)s AND lease_expires_at <= %(now)s))"
)


def lock_due_connection(
    delivery_id: int, now: datetime, exclude_adapters: Collection[str] = ()
) -> int | None:
    """The connection of `delivery_id` if the delivery is due and its connection's adapter is
    not one of `exclude_adapters`; on PostgreSQL the connection's advisory lock is taken by the
    same statement and held to the end of the transaction."""
    params = _params(now, id=delivery_id, namespace=ADVISORY_LOCK_NAMESPACE)
    lock = ""
    if db_connection.vendor == "postgresql":
        lock = ", pg_advisory_xact_lock(%(namespace)s, CAST(connection_id AS integer))"
    excluded = ""
    if exclude_adapters:
        names = {f"adapter_{i}": name for i, name in enumerate(sorted(exclude_adapters))}
        params.update(names)
        placeholders = ", ".join(f"%({key})s" for key in names)
        excluded = (
            f" AND connection_id NOT IN (SELECT id FROM {_CONNECTION}"
            f" WHERE adapter IN ({placeholders}))"
        )
    row = _fetchone(
        f"SELECT connection_id{lock} FROM {_DELIVERY} WHERE id = %(id)s AND {_DUE}{excluded}",
        params,
    )
    return None if row is None else int(row[0])


def claim_if_closed_and_free(
    delivery_id: int,
    connection_id: int,
    now: datetime,
    lease_expires_at: datetime,
    token: uuid.UUID,
) -> bool:
    """Claim the delivery if it is due, its connection's breaker is closed and the connection
    has fewer than `max_concurrency` calls in flight. Run under the connection's lock, so the
    count sees every claim committed before this one."""
    params = _params(
        now,
        id=delivery_id,
        connection=connection_id,
        closed=CLOSED,
        lease_expires_at=_datetime(lease_expires_at),
        token=_uuid(token),
    )
    claimed = _rowcount(
        f"UPDATE {_DELIVERY} SET state = %(in_flight)s,"
        " lease_expires_at = %(lease_expires_at)s, claim_token = %(token)s,"
        " attempts = attempts + 1, first_attempt_at = COALESCE(first_attempt_at, %(now)s),"
        f" next_attempt_at = NULL WHERE id = %(id)s AND {_DUE}"
        f" AND EXISTS (SELECT 1 FROM {_CONNECTION} c"
        "  WHERE c.id = %(connection)s AND c.breaker_state = %(closed)s"
        f"  AND (SELECT COUNT(*) FROM {_DELIVERY} f WHERE f.connection_id = %(connection)s"
        "       AND f.state = %(in_flight)s AND f.lease_expires_at > %(now)s)"
        "    < CASE WHEN c.max_concurrency > 1 THEN c.max_concurrency ELSE 1 END)",
        params,
    )
    return claimed == 1


def insert_attempt(
    delivery_id: int,
    *,
    number: int,
    started_at: datetime,
    duration_ms: int,
    outcome: str,
    status_code: str,
    error_class: str,
    excerpt: str,
) -> None:
    _rowcount(
        f"INSERT INTO {_ATTEMPT} (delivery_id, number, started_at, duration_ms, outcome,"
        " status_code, error_class, excerpt) VALUES (%(delivery)s, %(number)s, %(started_at)s,"
        " %(duration_ms)s, %(outcome)s, %(status_code)s, %(error_class)s, %(excerpt)s)",
        {
            "delivery": delivery_id,
            "number": number,
            "started_at": _datetime(started_at),
            "duration_ms": duration_ms,
            "outcome": outcome,
            "status_code": status_code,
            "error_class": error_class,
            "excerpt": excerpt,
        },
    )


def mark_delivered(delivery_id: int, token: uuid.UUID, reference: str, now: datetime) -> bool:
    """Delivered, where the claim `token` still holds the delivery; False if it does not."""
    return bool(
        _rowcount(
            f"UPDATE {_DELIVERY} SET state = %(delivered)s, external_reference = %(reference)s,"
            " delivered_at = %(now)s, lease_expires_at = NULL, claim_token = NULL,"
            " last_error = '' WHERE id = %(id)s AND claim_token = %(token)s",
            {
                "delivered": State.DELIVERED.value,
                "reference": reference,
                "now": _datetime(now),
                "id": delivery_id,
                "token": _uuid(token),
            },
        )
    )


def close_breaker(connection_id: int, now: datetime, stale_before: datetime) -> None:
    """breaker.record_success: closed, no failures, and `last_success_at` = now; the row is
    written only if one of those is not so already (or the last success is before
    `stale_before`), because an UPDATE that matches no row takes no lock."""
    _rowcount(
        f"UPDATE {_CONNECTION} SET last_success_at = %(now)s, breaker_state = %(closed)s,"
        " breaker_failures = 0, breaker_open_until = NULL WHERE id = %(id)s"
        " AND (breaker_state <> %(closed)s OR breaker_failures > 0"
        " OR last_success_at IS NULL OR last_success_at < %(stale_before)s)",
        {
            "now": _datetime(now),
            "closed": CLOSED,
            "id": connection_id,
            "stale_before": _datetime(stale_before),
        },
    )


def _params(now: datetime, **values: Any) -> dict[str, Any]:
    """The parameters of `_DUE`, and `values`."""
    return {
        "pending": State.PENDING.value,
        "retrying": State.RETRYING.value,
        "in_flight": State.IN_FLIGHT.value,
        "now": _datetime(now),
        **values,
    }


def _datetime(value: datetime) -> Any:
    return db_connection.ops.adapt_datetimefield_value(value)


def _uuid(value: uuid.UUID) -> Any:
    return Delivery._meta.get_field("claim_token").get_db_prep_value(value, db_connection)


def _fetchone(statement: str, params: dict[str, Any]) -> tuple[Any, ...] | None:
    with db_connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.fetchone()


def _rowcount(statement: str, params: dict[str, Any]) -> int:
    with db_connection.cursor() as cursor:
        cursor.execute(statement, params)
        return int(cursor.rowcount)
