"""One attempt at one delivery: claim it, send it, record what happened.

    attempt_delivery(delivery_id)
      guard: gone, delivered, failed, cancelled or resolved -> nothing to do
      claim (services/delivery/claim.py): not due / held by another -> nothing to do;
                                          connection busy or breaker open -> deferred
      payload = the destination's field mapping applied to the submission (its files as
                DeliveryFile objects bound to the connection: services/delivery/files.py)
      reference = adapter.deliver(payload, idempotency_key, progress)  <- the only slow part
                  (adapter.redeliver(...) from the second attempt on: the first may have
                  made the record unseen; its note goes on the attempt). `progress` is what
                  earlier attempts got done (a case made, files sent), saved in the row at
                  each step under the claim token (services/delivery/progress.py)
      record, in one short transaction guarded by the claim token:
        success           -> delivered, with the back office's reference, at once
        TransientError    -> retrying at next_retry(...), or failed when the budget is spent
        PermanentError    -> failed (so are mapping errors: the configuration must change)
        anything else     -> like a transient error; only the exception's class is logged

No transaction is open while the back office is called: the claim's lease, not a row lock, keeps
other workers off. If this worker dies mid-call, the lease runs out and the sweeper hands the
delivery to another worker, whose attempt (the second or later) calls the adapter's redeliver:
the same idempotency key, or for a protocol without one a lookup that adopts the record the first
call made (docs/idempotency.md), instead of making a second.

Payloads and answers are never logged; attempts keep the adapter's sanitised excerpt only.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import datetime
from functools import partial

import structlog
from django.db import transaction
from django.utils import timezone

from integrations.base import EXCERPT_LENGTH, DeliveryError
from integrations.registry import UnknownAdapter, registry
from services.delivery import breaker, sql
from services.delivery.claim import ClaimedDelivery, Deferred, claim
from services.delivery.progress import DeliveryProgress
from services.delivery.retry import next_retry
from services.models import Attempt, Delivery
from services.routing import MappingError, build_payload, mapping_context_for

logger = structlog.get_logger(__name__)

State = Delivery.State
Outcome = Attempt.Outcome

# A retry due sooner than this is also queued with a countdown, so it happens on time; later
# ones wait in the database for the sweeper (Redis countdowns are lost with Redis, and hold a
# worker's memory meanwhile).
SHORT_WAIT_SECONDS = 60.0
ERROR_LENGTH = 300

_random = random.SystemRandom()


@dataclass(frozen=True)
class Result:
    """What came of asking for an attempt; `requeue_in` asks the caller to queue it again."""

    outcome: str  # an Attempt.Outcome, or "skipped" / "deferred"
    requeue_in: float | None = None
    reference: str = ""


SKIPPED = Result("skipped")


@dataclass(frozen=True)
class _Try:
    outcome: str
    reference: str = ""
    status_code: str = ""
    error_class: str = ""
    excerpt: str = ""
    message: str = ""
    retry_after: float | None = None
    # The attempt failed after the back office accepted some of it (the case, a file).
    progressed: bool = False

    @classmethod
    def refused(cls, exc: DeliveryError, *, progressed: bool = False) -> _Try:
        """The attempt whose adapter raised `exc`."""
        return cls(
            Outcome.PERMANENT if exc.permanent else Outcome.TRANSIENT,
            status_code="" if exc.status_code is None else str(exc.status_code),
            error_class=exc.__class__.__name__,
            excerpt=exc.excerpt,
            message=exc.message,
            retry_after=exc.retry_after,
            progressed=progressed,
        )


def attempt_delivery(delivery_id: int) -> Result:
    """Make one attempt at `delivery_id` if it is due; safe to call any number of times."""
    now = timezone.now()
    # Batched systems (file drops) are sent by the batch task, many deliveries to one file.
    claimed = claim(delivery_id, now=now, exclude_adapters=registry.batched_ids())
    if claimed is None:
        return SKIPPED
    if isinstance(claimed, Deferred):
        wait = (claimed.until - now).total_seconds()
        return Result("deferred", requeue_in=wait if wait < SHORT_WAIT_SECONDS else None)

    return attempt_claimed(claimed)


def attempt_claimed(claimed: ClaimedDelivery) -> Result:
    """Send a delivery this worker has claimed, and record what happened."""
    started_at = timezone.now()
    clock = time.monotonic()
    outcome = _send(claimed)
    duration_ms = round((time.monotonic() - clock) * 1000)
    return _record(claimed, outcome, started_at, duration_ms)


def _send(claimed: ClaimedDelivery) -> _Try:
    delivery = claimed.delivery
    progress: DeliveryProgress | None = None
    try:
        payload = build_payload(
            delivery.destination.mapping,
            mapping_context_for(delivery.submission, delivery.connection_id),
        )
        adapter = delivery.connection.build_adapter()
        key, note = str(delivery.idempotency_key), ""
        # What earlier attempts got done (a case made, files sent), saved as this one goes on.
        progress = DeliveryProgress.for_claim(delivery, claimed.token)
        if claimed.attempt_number > 1:
            # An earlier attempt may have reached the back office unseen (see integrations.base).
            again = adapter.redeliver(payload, key, claimed.first_attempt_at, progress)
            reference, note = again.reference, again.note
        else:
            reference = adapter.deliver(payload, key, progress)
    except MappingError as exc:
        return _Try(Outcome.PERMANENT, error_class="MappingError", message=str(exc))
    except UnknownAdapter:
        return _Try(
            Outcome.PERMANENT,
            error_class="UnknownAdapter",
            message=f"There is no adapter called {delivery.connection.adapter!r}",
        )
    except DeliveryError as exc:
        return _Try.refused(exc, progressed=progress is not None and progress.steps_saved > 0)
    except Exception as exc:
        # A bug or an adapter's unexpected failure (also Celery's soft time limit): retried like
        # a transient error, since a fix or a quieter moment may help. The message may hold
        # payload values, so only the class is kept and logged.
        name = exc.__class__.__name__
        logger.warning(
            "delivery_attempt_crashed", delivery_id=delivery.pk, error_class=name, exc_info=False
        )
        return _Try(Outcome.TRANSIENT, error_class=name, message=f"Unexpected error: {name}")
    return _Try(Outcome.DELIVERED, reference=str(reference), excerpt=note)


def _record(
    claimed: ClaimedDelivery, outcome: _Try, started_at: datetime, duration_ms: int
) -> Result:
    delivery = claimed.delivery
    now = timezone.now()
    duration_ms = max(duration_ms, 0)
    requeue_in: float | None = None
    if outcome.outcome == Outcome.DELIVERED:
        # The common case in one round trip of its own (services/delivery/sql.py).
        held = sql.record_success(
            delivery.pk,
            delivery.connection_id,
            claimed.token,
            outcome.reference,
            now,
            stale_before=now - breaker.SUCCESS_RESOLUTION,
            number=claimed.attempt_number,
            started_at=started_at,
            duration_ms=duration_ms,
            excerpt=outcome.excerpt[:EXCERPT_LENGTH],
        )
    else:
        held, requeue_in = _record_failure(claimed, outcome, started_at, duration_ms, now)
    if not held:
        logger.info(
            "delivery_claim_lost",
            delivery_id=delivery.pk,
            attempt=claimed.attempt_number,
            outcome=outcome.outcome,
        )
    logger.info(
        "delivery_attempted",
        delivery_id=delivery.pk,
        connection_id=delivery.connection_id,
        attempt=claimed.attempt_number,
        outcome=outcome.outcome,
        status_code=outcome.status_code,
        error_class=outcome.error_class,
        duration_ms=duration_ms,
    )
    return Result(outcome.outcome, requeue_in=requeue_in, reference=outcome.reference)


def _record_failure(
    claimed: ClaimedDelivery, outcome: _Try, started_at: datetime, duration_ms: int, now: datetime
) -> tuple[bool, float | None]:
    """Record a failed attempt: retrying or failed, where the claim token still holds the
    delivery. Whether it held, and how soon to queue the retry (None: the sweeper's)."""
    delivery = claimed.delivery
    requeue_in: float | None = None
    failed = False
    with transaction.atomic():
        sql.insert_attempt(
            delivery.pk,
            number=claimed.attempt_number,
            started_at=started_at,
            duration_ms=duration_ms,
            outcome=outcome.outcome,
            status_code=outcome.status_code[:20],
            error_class=outcome.error_class[:100],
            excerpt=outcome.excerpt[:EXCERPT_LENGTH],
        )
        message = (outcome.message or outcome.error_class)[:ERROR_LENGTH]
        when = None
        if outcome.outcome == Outcome.TRANSIENT:
            when = next_retry(
                claimed.attempt_number,
                claimed.first_attempt_at,
                now,
                retry_after=outcome.retry_after,
                budget=delivery.connection.attempt_budget,
                rng=_random,
            )
        ours = Delivery.objects.filter(pk=delivery.pk, claim_token=claimed.token)
        if when is not None:
            updated = ours.update(
                state=State.RETRYING,
                next_attempt_at=when,
                lease_expires_at=None,
                claim_token=None,
                last_error=message,
            )
            held = updated == 1
            wait = (when - now).total_seconds()
            requeue_in = max(wait, 0.0) if held and wait < SHORT_WAIT_SECONDS else None
        else:
            if outcome.outcome == Outcome.TRANSIENT:
                message = f"Gave up after {claimed.attempt_number} attempts: {message}"
            updated = ours.update(
                state=State.FAILED,
                next_attempt_at=None,
                lease_expires_at=None,
                claim_token=None,
                last_error=message[:ERROR_LENGTH],
            )
            held = updated == 1
            failed = held
        # A transient failure after it made the case or sent a file does not count: the back
        # office is up and answering, which is all the breaker asks; only the delivery is
        # retried.
        breaker.record_failed_attempt(
            delivery.connection_id,
            now,
            message,
            permanent=outcome.outcome == Outcome.PERMANENT,
            answered=outcome.progressed,
        )
        if failed:
            transaction.on_commit(partial(_alert_failed, delivery.pk))
    return held, requeue_in


def _alert_failed(delivery_id: int) -> None:
    from services.delivery.alerts import alert_failed

    delivery = Delivery.objects.filter(pk=delivery_id).first()
    if delivery is not None:
        alert_failed(delivery)
