"""The floor of `make bench-delivery`: the least any worker of this design can cost.

Issue #4's design sends one Celery message per delivery (it carries only the delivery id) and
keeps every delivery's state in the database: claimed with a lease before the call, recorded
after it. This module is that design with nothing else: no Django, no ORM, no mapping, no
circuit breaker or concurrency limit, no logging; one statement claims a row (and reads its
payload and address), one records the outcome. It posts the same payloads to the same simulator
with the same headers and the same reliability settings as portal/celery.py (acks_late,
reject_on_worker_lost, prefetch 1), so the difference between its rate and the plain httpx loop
is what one Celery message and two durable statements per delivery cost on this machine; the
difference between it and the real worker is what the product's own code costs.

Run by services.benchmarks.delivery (a worker with `-A services.benchmarks.delivery_floor`);
the tables are the bench's own, made fresh each run in the bench's database.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import time
import uuid
from typing import Any

import httpx
import psycopg2
from celery import Celery

# The bench passes its own broker (the real worker's) in CELERY_BROKER_URL.
app = Celery("bench_floor", broker=os.environ.get("CELERY_BROKER_URL"), set_as_current=False)
# What portal/celery.py sets for the real worker and that costs or saves time per message.
app.conf.update(
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    worker_prefetch_multiplier=1,
    task_ignore_result=True,
    task_serializer="json",
    accept_content=["json"],
    broker_connection_retry_on_startup=True,
    broker_transport_options={"visibility_timeout": 600},
)

_state: dict[str, Any] = {}


def create_tables(connection: Any, count: int, url: str) -> None:
    """`count` pending deliveries (ids 1..count) of the bench's payload shape, posting to `url`.
    `connection` is a psycopg2 connection in autocommit mode, as for the functions below."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_floor_delivery, bench_floor_attempt")
        cursor.execute(
            "CREATE TABLE bench_floor_delivery (id integer PRIMARY KEY, url text NOT NULL,"
            " state text NOT NULL, payload jsonb NOT NULL, attempts integer NOT NULL DEFAULT 0,"
            " claim_token uuid, lease_expires_at timestamptz, reference text)"
        )
        cursor.execute(
            "CREATE TABLE bench_floor_attempt (id serial PRIMARY KEY, delivery_id integer NOT NULL,"
            " status_code integer, duration_ms double precision, started_at timestamptz)"
        )
        cursor.execute(
            "INSERT INTO bench_floor_delivery (id, url, state, payload) SELECT n, %s, 'pending',"
            " jsonb_build_object('reference', 'FLOOR-' || n, 'bin', 'garden',"
            " 'submitted_at', now()) FROM generate_series(1, %s) AS n",
            [url, count],
        )


def delivered_count(connection: Any) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM bench_floor_delivery WHERE state = 'delivered'")
        return int(cursor.fetchone()[0])


def drop_tables(connection: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_floor_delivery, bench_floor_attempt")


@app.task(name="bench_floor.deliver")
def deliver(delivery_id: int) -> None:
    database = _database()
    token = str(uuid.uuid4())
    with database.cursor() as cursor:
        cursor.execute(
            "UPDATE bench_floor_delivery SET state = 'in_flight', claim_token = %s, attempts ="
            " attempts + 1, lease_expires_at = now() + interval '2 minutes'"
            " WHERE id = %s AND state = 'pending' RETURNING url, payload",
            [token, delivery_id],
        )
        row = cursor.fetchone()
    database.commit()
    if row is None:
        return
    url, payload = row
    body = json.dumps(payload, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    signature = hmac.new(
        os.environ["BENCH_SIGNING_SECRET"].encode(),
        timestamp.encode() + b"." + body,
        hashlib.sha256,
    ).hexdigest()
    started = time.monotonic()
    response = _client().post(
        url,
        content=body,
        headers={
            "Content-Type": "application/json",
            "Idempotency-Key": token,
            "X-Portal-Timestamp": timestamp,
            "X-Portal-Signature": f"sha256={signature}",
        },
    )
    response.raise_for_status()
    with database.cursor() as cursor:
        cursor.execute(
            "WITH done AS (UPDATE bench_floor_delivery SET state = 'delivered', reference = %s,"
            " lease_expires_at = NULL WHERE id = %s AND claim_token = %s RETURNING id)"
            " INSERT INTO bench_floor_attempt (delivery_id, status_code, duration_ms, started_at)"
            " SELECT id, %s, %s, now() FROM done",
            [
                str(response.json().get("id")),
                delivery_id,
                token,
                response.status_code,
                (time.monotonic() - started) * 1000,
            ],
        )
    database.commit()


def _database() -> Any:
    if "database" not in _state:
        _state["database"] = psycopg2.connect(os.environ["DATABASE_URL"])
    return _state["database"]


def _client() -> httpx.Client:
    if "client" not in _state:
        _state["client"] = httpx.Client()
    return _state["client"]
