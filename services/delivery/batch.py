"""Batched delivery: for connections whose adapter takes submissions as files on a schedule.

Some back offices import files instead of taking calls (integrations/sftp). Their adapters set
`batched = True`; instead of one `deliver` task per delivery, beat runs `deliver_batches` every
minute, which for each active batched connection whose schedule is due:

    claim_batch     one short transaction, like claim.claim: the connection's advisory lock,
                    its circuit breaker, then one conditional UPDATE that makes every due
                    delivery (up to BATCH_LIMIT) in_flight with a lease, one claim token and
                    attempts + 1. Nothing is claimed while an earlier batch of the connection is
                    still in flight: a batch is the connection's one call at a time, so
                    max_concurrency (a limit on calls, not rows) does not cap its size.
    payloads        built with the same mapping code as single deliveries; a delivery whose
                    mapping fails is recorded as a permanent failure and left out
    deliver_batch   one call with every payload and a batch id derived from the delivery ids,
                    so a retry of the same set rewrites the same files
    record          each delivery's outcome through the engine's own recording (an Attempt
                    row, delivered / retrying / failed, the breaker, alerts), guarded by the
                    claim token exactly as for a single delivery

The schedule: the time of a connection's last batch is kept in the cache (not a model field),
and a batch runs when `schedule_minutes` (an adapter option) have passed since. A lost cache
only means one batch comes early. A failed batch's deliveries wait for their own retry time
(next_attempt_at) like any other, so a retry is never sooner than the retry policy allows.

The single-delivery path must leave batched connections alone: see `is_batched`.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from integrations.base import DeliveryError
from integrations.registry import UnknownAdapter, registry
from services.delivery import breaker
from services.delivery.claim import ClaimedDelivery, Deferred, _lock_connection
from services.delivery.engine import _record, _Try
from services.delivery.rules import claimed_fields, due, leased
from services.models import Attempt, Connection, Delivery
from services.routing import MappingError, build_payload, mapping_context_for

logger = structlog.get_logger(__name__)

State = Delivery.State
Outcome = Attempt.Outcome

BATCH_LIMIT = 500
DEFAULT_SCHEDULE_MINUTES = 15
# A batch may write many files; its task gets longer limits than a single delivery's, and its
# lease outlasts them, so a live batch is never taken over.
BATCH_SOFT_TIME_LIMIT = 240
BATCH_TIME_LIMIT = 300
CACHE_KEY = "delivery:batch:last:{}"


@dataclass(frozen=True)
class BatchResult:
    batch_id: str
    delivered: int
    failed: int  # transient or permanent


def is_batched(adapter_id: str) -> bool:
    """Whether a connection with this adapter is delivered in batches (and so must be skipped
    by the single-delivery path)."""
    try:
        return registry.get(adapter_id).batched
    except UnknownAdapter:
        return False


def batch_id_for(delivery_ids: Sequence[int]) -> str:
    """The same for the same set of deliveries, whatever their order."""
    digest = hashlib.sha256(",".join(str(pk) for pk in sorted(delivery_ids)).encode())
    return f"batch-{digest.hexdigest()[:20]}"


def schedule_of(connection: Connection) -> timedelta:
    minutes = (connection.config or {}).get("schedule_minutes") or DEFAULT_SCHEDULE_MINUTES
    return timedelta(minutes=float(minutes))


def is_due(connection: Connection, now: datetime) -> bool:
    last = cache.get(CACHE_KEY.format(connection.pk))
    return last is None or now - last >= schedule_of(connection)


def run_due_batches(now: datetime | None = None) -> list[BatchResult]:
    """A batch for each active batched connection whose schedule is due and that has work."""
    now = now or timezone.now()
    results = []
    for connection in Connection.objects.filter(is_active=True).order_by("pk"):
        if is_batched(connection.adapter) and is_due(connection, now):
            result = run_batch(connection, now)
            if result is not None:
                results.append(result)
    return results


def run_batch(connection: Connection, now: datetime) -> BatchResult | None:
    """Claim the connection's due deliveries, send them as one batch, record each outcome."""
    claimed = claim_batch(connection.pk, now=now)
    if not isinstance(claimed, list) or not claimed:
        return None
    cache.set(CACHE_KEY.format(connection.pk), now, timeout=None)
    started_at = timezone.now()
    clock = time.monotonic()

    items: list[tuple[dict[str, Any], str]] = []
    batch: list[ClaimedDelivery] = []
    for one in claimed:
        delivery = one.delivery
        try:
            payload = build_payload(
                delivery.destination.mapping,
                mapping_context_for(delivery.submission, delivery.connection_id),
            )
        except MappingError as exc:
            outcome = _Try(Outcome.PERMANENT, error_class="MappingError", message=str(exc))
            _record(one, outcome, started_at, 0)
            continue
        items.append((payload, str(delivery.idempotency_key)))
        batch.append(one)
    batch_id = batch_id_for([one.delivery.pk for one in batch])
    if not batch:
        return BatchResult(batch_id, 0, len(claimed))

    outcomes = _send(connection, items, batch_id)
    duration_ms = round((time.monotonic() - clock) * 1000)
    delivered = 0
    for one, (_, key) in zip(batch, items, strict=True):
        result = _record(one, outcomes[key], started_at, duration_ms)
        delivered += result.outcome == Outcome.DELIVERED
    logger.info(
        "delivery_batch_sent",
        connection_id=connection.pk,
        batch_id=batch_id,
        size=len(batch),
        delivered=delivered,
        duration_ms=duration_ms,
    )
    return BatchResult(batch_id, delivered, len(claimed) - delivered)


def _send(
    connection: Connection, items: list[tuple[dict[str, Any], str]], batch_id: str
) -> dict[str, _Try]:
    """Each idempotency key's outcome: the batch succeeds or fails as one."""
    try:
        adapter = connection.build_adapter()
        references = adapter.deliver_batch(items, batch_id)
    except UnknownAdapter:
        failure = _Try(
            Outcome.PERMANENT,
            error_class="UnknownAdapter",
            message=f"There is no adapter called {connection.adapter!r}",
        )
    except DeliveryError as exc:
        failure = _Try.refused(exc)
    except Exception as exc:
        # As in the engine: retried, and only the class is kept (the message may hold payloads).
        name = exc.__class__.__name__
        logger.warning("delivery_batch_crashed", connection_id=connection.pk, error_class=name)
        failure = _Try(Outcome.TRANSIENT, error_class=name, message=f"Unexpected error: {name}")
    else:
        missing = _Try(
            Outcome.TRANSIENT,
            error_class="NoReference",
            message="The batch was sent but the adapter gave no reference for this delivery",
        )
        return {
            key: _Try(Outcome.DELIVERED, reference=str(references[key]))
            if references.get(key)
            else missing
            for _, key in items
        }
    return {key: failure for _, key in items}


def claim_batch(
    connection_id: int,
    *,
    now: datetime | None = None,
    limit: int = BATCH_LIMIT,
    lease_seconds: float | None = None,
) -> list[ClaimedDelivery] | Deferred | None:
    """Claim up to `limit` of the connection's due deliveries for one batch; None if a batch is
    already in flight, Deferred if its breaker is open, [] if nothing is due."""
    now = now or timezone.now()
    lease = timedelta(
        seconds=max(settings.DELIVERY_LEASE_SECONDS, BATCH_TIME_LIMIT + 60)
        if lease_seconds is None
        else lease_seconds
    )
    with transaction.atomic():
        _lock_connection(connection_id)
        ours = Delivery.objects.filter(connection_id=connection_id)
        if ours.filter(leased(now)).exists():
            return None
        gate = Connection.objects.filter(pk=connection_id).values(
            "breaker_state", "breaker_failures", "breaker_open_until"
        )[0]
        before = breaker.BreakerState(
            gate["breaker_state"], gate["breaker_failures"], gate["breaker_open_until"]
        )
        admission = breaker.admit(before, now, probe_timeout=lease)
        if not admission.allowed:
            return Deferred(admission.defer_until or now + lease, "breaker_open")
        ids = list(ours.filter(due(now)).order_by("pk").values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        token = uuid.uuid4()
        ours.filter(due(now), pk__in=ids).update(**claimed_fields(now, now + lease, token))
        if admission.probe:
            breaker.start_probe(connection_id, before, admission.state)
        deliveries = list(
            Delivery.objects.select_related(
                "submission__form_version",
                "submission__service",
                "submission__user",
                "destination",
                "connection",
            )
            .filter(claim_token=token)
            .order_by("pk")
        )
    return [
        ClaimedDelivery(
            delivery=delivery,
            token=token,
            attempt_number=delivery.attempts,
            first_attempt_at=delivery.first_attempt_at or now,
            lease_expires_at=delivery.lease_expires_at or now + lease,
            probe=admission.probe,
        )
        for delivery in deliveries
    ]


@shared_task(ignore_result=True, soft_time_limit=BATCH_SOFT_TIME_LIMIT, time_limit=BATCH_TIME_LIMIT)
def deliver_batches() -> int:
    """Every minute, from beat: send each batched connection's due deliveries as one batch.
    Safe to run twice at once: a connection's batch is claimed by one run only."""
    return len(run_due_batches())
