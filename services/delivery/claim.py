"""Claiming a delivery: one worker at a time may call the back office for it.

A claim is one short transaction whose heart is a conditional UPDATE: the row becomes in_flight
with a lease and a fresh claim token only if it is still due (pending or retrying with
next_attempt_at passed, or in_flight with its lease run out because its worker died). Two workers
claiming the same delivery both run the UPDATE; the database lets exactly one of them change the
row. The winner holds the claim token; the engine records the outcome only where the token still
matches, so a worker whose lease ran out cannot overwrite what its successor did.

Before the UPDATE the claim asks whether the back office may be called at all:
- the connection's circuit breaker (services/delivery/breaker.py) may be open: the delivery is
  deferred to the end of the cooldown;
- the connection may already have `max_concurrency` calls in flight: the delivery is deferred a
  few seconds.
Either way nothing is attempted and `attempts` is not touched. On PostgreSQL the claim takes a
transaction-level advisory lock on the connection first, so the in-flight count and the breaker
probe are decided by one claim at a time per connection; SQLite serialises writers anyway.
The common case (breaker closed, a call slot free) is decided inside the UPDATE itself, sent
with the lock and the read of what the delivery needs in one round trip (services/delivery/sql.py);
only a refusal reads the breaker to decide what to do instead. Which deliveries are due, what
counts as a call slot and what a claim writes are defined once, in services/delivery/rules.py.

A resident's update (services/conversations/send.py) calls the same back office, so it passes
the same gate (`claim_past_the_gate`, under the same lock): deferred while the breaker is open,
possibly the probe once the cooldown is over. It is not limited to the connection's call slots,
and does not take one: the limit is the deliveries'.

The attempt budget (services/delivery/retry.py) counts from the first actual attempt, and giving
up is decided only after an actual attempt has failed. A deferral is not an attempt: it neither
spends an attempt nor gives up, so a long outage behind an open breaker ends with every waiting
delivery getting at least one real attempt once the breaker lets calls through; a delivery whose
budget ran out meanwhile is given up after that attempt fails, not before.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Case, Exists, F, Q, QuerySet, Value, When
from django.utils import timezone

from services.delivery import breaker, sql
from services.delivery.rules import claimed_fields, due, has_free_slot
from services.delivery.sql import ADVISORY_LOCK_NAMESPACE
from services.models import Connection, Delivery, OutgoingUpdate
from services.models.forms import locked_version
from services.models.outbox import IN_FLIGHT, RETRYING

# A delivery refused because its connection is busy comes back after about this long.
BUSY_DEFERRAL_SECONDS = (1.0, 3.0)

# No condition beyond being due.
_ANY = Q()


@dataclass(frozen=True)
class ClaimedDelivery:
    """The right to attempt one delivery now; `delivery` has its submission, destination and
    connection loaded."""

    delivery: Delivery
    token: uuid.UUID
    attempt_number: int
    first_attempt_at: datetime
    lease_expires_at: datetime
    probe: bool = False


@dataclass(frozen=True)
class Deferred:
    """The delivery (or update) is due but its connection may not be called now; it is due
    again `until`."""

    until: datetime
    reason: str  # "breaker_open" or "busy"


def claim(
    delivery_id: int,
    *,
    now: datetime | None = None,
    lease_seconds: float | None = None,
    exclude_adapters: Collection[str] = (),
) -> ClaimedDelivery | Deferred | None:
    """Claim `delivery_id` for one attempt; None if it is not due (done, cancelled, someone else
    holds it, it waits for a retry time, or its connection's adapter is in `exclude_adapters`),
    Deferred if its connection may not be called now."""
    now = now or timezone.now()
    lease = timedelta(
        seconds=settings.DELIVERY_LEASE_SECONDS if lease_seconds is None else lease_seconds
    )
    token = uuid.uuid4()
    probe = False
    # The common case in one round trip: due, breaker closed and a call slot free.
    delivery = sql.claim_and_load(delivery_id, now, now + lease, token, tuple(exclude_adapters))
    if delivery is None:
        with transaction.atomic():
            decided = claim_past_the_gate(
                Delivery, delivery_id, now, lease, token, exclude_adapters=exclude_adapters
            )
        if not isinstance(decided, bool):
            return decided
        probe = decided
        # Everything the mapping reads, as the common case reads it; the lease keeps other
        # workers off the row.
        delivery = sql.load(delivery_id, token)
        if delivery is None:  # changed by hand since (cancelled): nothing to send
            return None
    delivery.submission.form_version = locked_version(delivery.submission.form_version_id)
    return ClaimedDelivery(
        delivery=delivery,
        token=token,
        attempt_number=delivery.attempts,
        first_attempt_at=delivery.first_attempt_at or now,
        lease_expires_at=delivery.lease_expires_at or now + lease,
        probe=probe,
    )


def claim_past_the_gate(
    model: type[Delivery] | type[OutgoingUpdate],
    row_id: int,
    now: datetime,
    lease: timedelta,
    token: uuid.UUID,
    *,
    where: Q | Exists = _ANY,
    exclude_adapters: Collection[str] = (),
    slots: bool = True,
) -> bool | Deferred | None:
    """Claim outbox row `row_id` of `model` (a delivery, or a resident's update) if it is due
    and meets `where` (conditions on the row itself, no joins: they go into an UPDATE), asking
    its connection's breaker first and, with `slots`, whether a call slot is free. True: claimed
    as the breaker's probe; False: claimed; Deferred: put off without an attempt; None: not due.

    Deliveries and updates go through this one gate, under the same per-connection lock: both
    call the same back office, so while its breaker is open both wait, and after the cooldown
    only one call of either kind is its probe. Call inside a transaction."""
    connection_id = (
        model._default_manager.filter(due(now), where, pk=row_id)
        .exclude(connection__adapter__in=exclude_adapters)
        .values_list("connection_id", flat=True)
        .first()
    )
    if connection_id is None:
        return None
    _lock_connection(connection_id)
    gate = Connection.objects.filter(pk=connection_id).values(
        "breaker_state", "breaker_failures", "breaker_open_until"
    )
    found: dict[str, Any] = dict(
        gate.annotate(free=has_free_slot(now)).get() if slots else gate.get()
    )
    before = breaker.BreakerState(
        found["breaker_state"], found["breaker_failures"], found["breaker_open_until"]
    )
    admission = breaker.admit(before, now, probe_timeout=lease)
    rows = model._default_manager.filter(due(now), where, pk=row_id)
    if not admission.allowed:
        return _defer(rows, admission.defer_until or now + lease, "breaker_open")
    if slots and not found["free"]:
        wait = random.uniform(*BUSY_DEFERRAL_SECONDS)  # noqa: S311 - spreading, not secrecy
        return _defer(rows, now + timedelta(seconds=wait), "busy")

    claimed = rows.update(**claimed_fields(now, now + lease, token))
    if not claimed:
        return None
    if admission.probe:
        breaker.start_probe(connection_id, before, admission.state)
    return admission.probe


def _lock_connection(connection_id: int) -> None:
    if db_connection.vendor == "postgresql":
        with db_connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)", [ADVISORY_LOCK_NAMESPACE, connection_id]
            )


def _defer(rows: QuerySet[Any], until: datetime, reason: str) -> Deferred | None:
    """Make the due outbox row of `rows` due again at `until`, without an attempt.

    One whose worker died mid-call (in_flight, lease run out) goes back to retrying: its last
    attempt's outcome is unknown, and the idempotency key makes the next one safe.
    """
    moved = rows.update(
        state=Case(When(state=IN_FLIGHT, then=Value(RETRYING)), default=F("state")),
        next_attempt_at=until,
        lease_expires_at=None,
        claim_token=None,
    )
    return Deferred(until, reason) if moved else None
