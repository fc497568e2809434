"""The numbers and lists on the delivery dashboard, as plain queries (no views, no templates).

Per connection: how many deliveries are pending, being sent, waiting to retry; how many failed
and were delivered in the last 24 hours; how many residents' updates to it failed for good
(services/conversations); the median and 95th percentile of attempt latency over those 24
hours; the circuit breaker and the last success and failure. Then the lists people act on:
failed deliveries, failed updates, stuck deliveries, and submissions routing sent nowhere.

Every figure is a fixed number of queries whatever the number of connections or deliveries.
Percentiles are PostgreSQL's percentile_cont; on SQLite (`make run`) the same interpolation is
done in Python over the day's attempt durations, so both give the same answer.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection as db_connection
from django.db.models import (
    Aggregate,
    Count,
    DateTimeField,
    ExpressionWrapper,
    F,
    FloatField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from services.models import Attempt, Connection, Delivery, OutgoingUpdate, Submission

WINDOW = timedelta(hours=24)
LIST_LIMIT = 100


class PercentileCont(Aggregate):
    """PostgreSQL's percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        fraction = float(fraction)  # a number we chose, never input: safe to put in the SQL
        if not 0.0 <= fraction <= 1.0:
            raise ValueError("A percentile is a fraction between 0 and 1.")
        super().__init__(expression, fraction=repr(fraction), **extra)


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """percentile_cont in Python: linear interpolation between the closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (position - low))


@dataclass
class ConnectionStats:
    connection: Connection
    pending: int = 0
    in_flight: int = 0
    retrying: int = 0
    failed_open: int = 0
    failed_updates: int = 0
    failed_24h: int = 0
    delivered_24h: int = 0
    attempts_24h: int = 0
    p50_ms: float | None = None
    p95_ms: float | None = None


def _latencies_in_sql(since: datetime) -> dict[int, tuple[int, float | None, float | None]]:
    rows = (
        Attempt.objects.filter(started_at__gte=since)
        .order_by()
        .values("delivery__connection_id")
        .annotate(
            n=Count("id"),
            p50=PercentileCont("duration_ms", 0.5),
            p95=PercentileCont("duration_ms", 0.95),
        )
    )
    return {row["delivery__connection_id"]: (row["n"], row["p50"], row["p95"]) for row in rows}


def latencies_in_python(since: datetime) -> dict[int, tuple[int, float | None, float | None]]:
    durations: dict[int, list[int]] = defaultdict(list)
    rows = (
        Attempt.objects.filter(started_at__gte=since)
        .order_by()
        .values_list("delivery__connection_id", "duration_ms")
    )
    for connection_id, duration in rows.iterator(chunk_size=5000):
        durations[connection_id].append(duration)
    return {
        cid: (len(values), percentile(values, 0.5), percentile(values, 0.95))
        for cid, values in durations.items()
    }


def latencies(since: datetime) -> dict[int, tuple[int, float | None, float | None]]:
    """connection id -> (attempts, median ms, p95 ms) for attempts started since `since`."""
    if db_connection.vendor == "postgresql":
        return _latencies_in_sql(since)
    return latencies_in_python(since)


def connection_stats(now: datetime) -> list[ConnectionStats]:
    """One row per connection, in three queries."""
    since = now - WINDOW
    state = "deliveries__state"
    connections = Connection.objects.order_by("name").annotate(
        n_pending=Count("deliveries", filter=Q(**{state: Delivery.State.PENDING})),
        n_in_flight=Count("deliveries", filter=Q(**{state: Delivery.State.IN_FLIGHT})),
        n_retrying=Count("deliveries", filter=Q(**{state: Delivery.State.RETRYING})),
        n_failed_open=Count("deliveries", filter=Q(**{state: Delivery.State.FAILED})),
        n_delivered_24h=Count(
            "deliveries",
            filter=Q(**{state: Delivery.State.DELIVERED}, deliveries__delivered_at__gte=since),
        ),
        # A subquery, not a second Count over a join: two joined relations would multiply.
        n_failed_updates=Coalesce(
            Subquery(
                OutgoingUpdate.objects.filter(
                    connection=OuterRef("pk"), state=OutgoingUpdate.State.FAILED
                )
                .order_by()
                .values("connection")
                .annotate(n=Count("pk"))
                .values("n")
            ),
            0,
        ),
    )
    # When a delivery failed is when its last attempt started (or, with no attempt, its last
    # change): a separate grouped query, so the counts above need no join to attempts.
    failed_recently = (
        Delivery.objects.filter(state=Delivery.State.FAILED)
        .annotate(failed_at=Coalesce(Max("attempt_set__started_at"), F("updated_at")))
        .filter(failed_at__gte=since)
        .order_by()
        .values_list("connection_id", "pk")
    )
    failed_24h: dict[int, int] = defaultdict(int)
    for connection_id, _pk in failed_recently:
        failed_24h[connection_id] += 1
    latency = latencies(since)

    stats = []
    for conn in connections:
        attempts, p50, p95 = latency.get(conn.pk, (0, None, None))
        stats.append(
            ConnectionStats(
                connection=conn,
                pending=conn.n_pending,
                in_flight=conn.n_in_flight,
                retrying=conn.n_retrying,
                failed_open=conn.n_failed_open,
                failed_updates=conn.n_failed_updates,
                failed_24h=failed_24h.get(conn.pk, 0),
                delivered_24h=conn.n_delivered_24h,
                attempts_24h=attempts,
                p50_ms=p50,
                p95_ms=p95,
            )
        )
    return stats


def _listed(queryset: QuerySet[Delivery]) -> QuerySet[Delivery]:
    return queryset.select_related("submission", "connection", "destination")


def failed_deliveries() -> QuerySet[Delivery]:
    """Deliveries given up on, waiting for a person: newest first."""
    return _listed(Delivery.objects.filter(state=Delivery.State.FAILED)).order_by("-updated_at")


def failed_updates() -> QuerySet[OutgoingUpdate]:
    """Residents' updates given up on, waiting for a person to send them again on the case."""
    return (
        OutgoingUpdate.objects.filter(state=OutgoingUpdate.State.FAILED)
        .select_related("connection", "message__submission")
        .defer("message__submission__answers", "message__text")
        .order_by("-pk")
    )


def stuck_q(now: datetime) -> Q:
    """Open longer than the connection's alert_after, or sending under a lease that ran out."""
    return Q(
        state__in=Delivery.OPEN_STATES,
        created_at__lt=ExpressionWrapper(
            Value(now) - F("connection__alert_after"), output_field=DateTimeField()
        ),
    ) | Q(state=Delivery.State.IN_FLIGHT, lease_expires_at__lt=now)


def stuck_deliveries(now: datetime) -> QuerySet[Delivery]:
    return _listed(Delivery.objects.filter(stuck_q(now))).order_by("created_at")


def unrouted_q() -> Q:
    """Routing ran (a round was recorded) and chose no destination: someone must act."""
    return Q(routing_round__gte=1, routing_decision__routed=False)


def unrouted_submissions() -> QuerySet[Submission]:
    return (
        Submission.objects.filter(unrouted_q())
        .select_related("service")
        .defer("answers")
        .order_by("-created_at")
    )
