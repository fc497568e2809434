"""The circuit breaker that protects a back office from being hammered while it is down.

After DELIVERY_BREAKER_THRESHOLD failed attempts in a row a connection's breaker opens for a
cooldown (DELIVERY_BREAKER_COOLDOWN_SECONDS, doubled by each failed probe, at most 15 minutes); an
attempt that got part of a case accepted before it failed (the case made, a file taken) does not
count, since the back office answered it. While it is
open, claims for its deliveries are deferred to the end of the cooldown without spending an
attempt. When the cooldown is over the next claim goes through as the one half-open probe (other
claims wait for it); its success closes the breaker, its failure opens it again for longer.

Every call to the back office counts, a case's delivery or a resident's update to a case
(services/conversations/send.py): both go through the same gate when claimed
(services/delivery/claim.py) and tell the breaker how they went with the same functions here
(`record_failed_attempt`, and a success's closing). A transient failure (refused connection,
timeout, 5xx) counts; a permanent refusal does not: the back office answered, and refusing one
case or one update is not being down.

The transitions are pure functions of a BreakerState; the functions at the end apply them to a
Connection row. A success closes the breaker whatever it was (`record_success`; a delivery's
does it in the round trip that records it, services/delivery/sql.py), writing the row only when
the breaker must change or `last_success_at` is more than SUCCESS_RESOLUTION old: every
worker's success would otherwise write the same connection row, one commit after another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from services.models import Connection

CLOSED = Connection.Breaker.CLOSED.value
OPEN = Connection.Breaker.OPEN.value
HALF_OPEN = Connection.Breaker.HALF_OPEN.value

MAX_COOLDOWN = timedelta(minutes=15)
PROBE_RECHECK = timedelta(seconds=2)
SUCCESS_RESOLUTION = timedelta(seconds=1)
FAILURE_MESSAGE_LENGTH = 300


@dataclass(frozen=True)
class BreakerState:
    state: str
    failures: int = 0
    # Open: when the cooldown ends. Half-open: when the probe counts as lost (its worker died).
    open_until: datetime | None = None


@dataclass(frozen=True)
class Admission:
    """Whether a claim may call the back office now, and the breaker state if it does."""

    allowed: bool
    state: BreakerState
    probe: bool = False
    defer_until: datetime | None = None


def cooldown_for(failures: int, *, threshold: int, cooldown: timedelta) -> timedelta:
    """The cooldown after `failures` failures in a row: doubling for each beyond the threshold."""
    doublings = min(max(failures - threshold, 0), 10)
    return min(cooldown * 2**doublings, MAX_COOLDOWN)


def admit(state: BreakerState, now: datetime, *, probe_timeout: timedelta) -> Admission:
    """May a delivery be attempted now? The claim that ends a cooldown is the probe."""
    if state.state == CLOSED:
        return Admission(allowed=True, state=state)
    if state.open_until is not None and now < state.open_until:
        until = state.open_until
        if state.state == HALF_OPEN:
            # The probe's answer usually comes in well under its lease: look again soon.
            until = min(until, now + PROBE_RECHECK)
        return Admission(allowed=False, state=state, defer_until=until)
    # Open with the cooldown over, or half-open with the probe given up for lost: probe now.
    probing = BreakerState(HALF_OPEN, state.failures, now + probe_timeout)
    return Admission(allowed=True, state=probing, probe=True)


def after_success(state: BreakerState) -> BreakerState:
    return BreakerState(CLOSED)


def after_failure(
    state: BreakerState, now: datetime, *, threshold: int, cooldown: timedelta
) -> BreakerState:
    if state.state == OPEN:
        # The late answer of a call made before the breaker opened: already counted as down.
        return state
    failures = state.failures + 1
    if state.state == HALF_OPEN:
        failures = max(failures, threshold)
    elif failures < threshold:
        return BreakerState(CLOSED, failures)
    return BreakerState(
        OPEN, failures, now + cooldown_for(failures, threshold=threshold, cooldown=cooldown)
    )


# --- Applied to connections --------------------------------------------------------------------


def state_of(connection: Connection) -> BreakerState:
    return BreakerState(
        connection.breaker_state, connection.breaker_failures, connection.breaker_open_until
    )


def record_failure(connection_id: int, now: datetime, message: str) -> BreakerState:
    """Count a failed call against the connection (row-locked read, then write)."""
    with transaction.atomic():
        connection = (
            Connection.objects.select_for_update()
            .only("breaker_state", "breaker_failures", "breaker_open_until")
            .get(pk=connection_id)
        )
        new = after_failure(
            state_of(connection),
            now,
            threshold=settings.DELIVERY_BREAKER_THRESHOLD,
            cooldown=timedelta(seconds=settings.DELIVERY_BREAKER_COOLDOWN_SECONDS),
        )
        Connection.objects.filter(pk=connection_id).update(
            breaker_state=new.state,
            breaker_failures=new.failures,
            breaker_open_until=new.open_until,
            last_failure_at=now,
            last_failure_message=message[:FAILURE_MESSAGE_LENGTH],
        )
    return new


def record_failed_attempt(
    connection_id: int, now: datetime, message: str, *, permanent: bool, answered: bool
) -> None:
    """What a failed attempt at a delivery or an update tells its connection's breaker.

    A permanent refusal says nothing of the connection's health (the back office answered);
    a transient failure after the back office took part of it (`answered`: a case made, a file
    taken) is proof that it is up; any other transient failure counts toward opening."""
    if permanent:
        return
    if answered:
        record_answered_failure(connection_id, now, message)
    else:
        record_failure(connection_id, now, message)


def must_write_success(stale_before: datetime) -> Q:
    """Connections whose row a success must write: its breaker not closed or with failures
    counted, or its `last_success_at` older than `stale_before` (or never set)."""
    return (
        ~Q(breaker_state=CLOSED)
        | Q(breaker_failures__gt=0)
        | Q(last_success_at__isnull=True)
        | Q(last_success_at__lt=stale_before)
    )


def success_fields(now: datetime) -> dict[str, Any]:
    """What a success writes on its connection: closed, no failures, `last_success_at`."""
    return {
        "last_success_at": now,
        "breaker_state": CLOSED,
        "breaker_failures": 0,
        "breaker_open_until": None,
    }


def record_success(connection_id: int, now: datetime) -> None:
    """Close the breaker after a successful call. A delivery's success does this in its own
    round trip (services/delivery/sql.py renders these same two rules into it); an UPDATE
    that matches no row takes no lock, so most successes leave the busy row alone."""
    Connection.objects.filter(
        must_write_success(now - SUCCESS_RESOLUTION), pk=connection_id
    ).update(**success_fields(now))


def record_answered_failure(connection_id: int, now: datetime, message: str) -> None:
    """A failed attempt that the back office partly accepted (it made the case, or took a file,
    before a later call failed): proof that it is up, so the breaker closes as after a success,
    while the failure is still shown on the connection. Without this, a system whose cases take
    several calls would look down at a call failure rate that a one-call system rides out."""
    Connection.objects.filter(pk=connection_id).update(
        breaker_state=CLOSED,
        breaker_failures=0,
        breaker_open_until=None,
        last_failure_at=now,
        last_failure_message=message[:FAILURE_MESSAGE_LENGTH],
    )


def start_probe(connection_id: int, before: BreakerState, probing: BreakerState) -> bool:
    """Move the breaker to half-open for a probe, unless someone changed it meanwhile."""
    unchanged = Q(breaker_state=before.state) & (
        Q(breaker_open_until=before.open_until)
        if before.open_until is not None
        else Q(breaker_open_until__isnull=True)
    )
    return bool(
        Connection.objects.filter(unchanged, pk=connection_id).update(
            breaker_state=probing.state, breaker_open_until=probing.open_until
        )
    )
