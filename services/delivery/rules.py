"""Which deliveries may be claimed, and what a claim writes: the one definition of each.

Everything that asks "may this delivery be claimed now?" uses these: the single claim
(claim.py), the batch claim (batch.py), the sweeper (sweeper.py), and the hot path's SQL
(sql.py), which renders them through the ORM's compiler once per process rather than restating
them. A second hand-written copy would drift from the first. The conditions are on the fields
of every outbox row (services/models/outbox.py), so residents' updates (services/conversations)
are claimed by the same ones.

    due(now)            pending or retrying with its time come (waiting), or in flight with its
                        lease run out because its worker died (abandoned)
    leased(now)         in flight under a live lease: a call the back office may be answering
    has_free_slot(now)  a connection with fewer than max_concurrency calls leased (at least 1)
    breaker_closed()    its connection's circuit breaker closed: no need to ask the breaker
    claimed_fields(..)  the claim's UPDATE: in flight, a lease and a token, one attempt more
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.db.models.lookups import GreaterThan

from services.models import Connection, Delivery
from services.models.outbox import IN_FLIGHT, PENDING, RETRYING

CLOSED = Connection.Breaker.CLOSED.value


def waiting(at: datetime) -> Q:
    """Pending or waiting to retry, with its time come by `at`."""
    return Q(state__in=(PENDING, RETRYING)) & (
        Q(next_attempt_at__lte=at) | Q(next_attempt_at__isnull=True)
    )


def abandoned(now: datetime) -> Q:
    """In flight, but its lease ran out: its worker died mid-call."""
    return Q(state=IN_FLIGHT, lease_expires_at__lte=now)


def due(now: datetime) -> Q:
    """Deliveries a worker may claim at `now` (if their connection lets it call)."""
    return waiting(now) | abandoned(now)


def leased(now: datetime) -> Q:
    """Deliveries whose worker holds a live lease: calls that count against the limit."""
    return Q(state=IN_FLIGHT, lease_expires_at__gt=now)


def has_free_slot(now: datetime) -> GreaterThan:
    """Connections with fewer calls leased than they allow (a limit below 1 counts as 1).

    A connection has millions of delivered rows over the years: the count reads only the
    leased ones, through the partial index of in-flight leases (delivery_leased)."""
    in_flight = (
        Delivery.objects.filter(leased(now), connection_id=OuterRef("pk"))
        .order_by()
        .values("connection_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return GreaterThan(
        Greatest(F("max_concurrency"), Value(1)), Coalesce(Subquery(in_flight), Value(0))
    )


def breaker_closed() -> Exists:
    """Rows whose connection's circuit breaker is closed: the only ones a claim's common case
    takes without asking the breaker (services/delivery/breaker.py)."""
    return Exists(Connection.objects.filter(pk=OuterRef("connection_id"), breaker_state=CLOSED))


def claimed_fields(now: datetime, lease_expires_at: datetime, token: uuid.UUID) -> dict[str, Any]:
    """What a claim writes on the delivery rows it takes (the UPDATE's SET)."""
    return {
        "state": IN_FLIGHT,
        "lease_expires_at": lease_expires_at,
        "claim_token": token,
        "attempts": F("attempts") + 1,
        "first_attempt_at": Coalesce(F("first_attempt_at"), Value(now)),
        "next_attempt_at": None,
    }
