"""One attempt at one outgoing update: claim it, send it through the adapter, record the outcome.

The delivery engine's rules, not a copy of them: which rows are due and what a claim writes are
services/delivery/rules.py's (an OutgoingUpdate is an OutboxRow like a Delivery), the retry time
is services/delivery/retry.py's `next_retry` within the connection's attempt budget, progress is
kept in the row like a delivery's (services/delivery/progress.py), the circuit breaker is the
deliveries' (services/delivery/breaker.py), and the resident's files reach the adapter as
DeliveryFile objects bound to the connection (services/delivery/files.py). One condition is the
update's own: its case's delivery must be delivered, so an update is never sent before the back
office has the case to add it to.

An update calls the same back office as the case's delivery, so the breaker counts it the same
way: its transient failures count toward opening it, a permanent refusal does not, a success
closes it; while it is open the update is deferred to the end of the cooldown without spending
an attempt, and once the cooldown is over it may be the breaker's probe.

    claim   one conditional UPDATE: due, its delivery delivered, its breaker closed -> in
            flight, leased, token; otherwise the deliveries' gate (services/delivery/claim.py
            `claim_past_the_gate`): deferred, or claimed as the probe
    send    adapter.send_update(case reference, update, key, progress); from the second attempt
            on resend_update, since an earlier one may have reached the back office unseen
    record  guarded by the claim token: delivered with the back office's id; retrying at
            next_retry(...); failed (permanent, or the budget spent), shown to staff on the case and
            e-mailed to the connection's owner (services/conversations/alerts.py); and the
            outcome told to the connection's breaker

No transaction is open while the back office is called; a worker killed mid-call leaves the lease
to run out, and the sweeper hands the update to another worker. Only the update's id, its
connection, the outcome and the error's class are logged; never what the resident wrote.
"""

from __future__ import annotations

import random
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

import structlog
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from integrations.base import EXCERPT_LENGTH, CaseUpdateOut, DeliveryError
from integrations.registry import UnknownAdapter
from services.conversations.alerts import alert_update_failed
from services.delivery import breaker, rules
from services.delivery.claim import Deferred, claim_past_the_gate
from services.delivery.files import delivery_file
from services.delivery.progress import DeliveryProgress
from services.delivery.retry import next_retry
from services.models import Attempt, Delivery, OutgoingUpdate, UpdateAttempt

logger = structlog.get_logger(__name__)

State = OutgoingUpdate.State
Outcome = Attempt.Outcome
# As in the delivery engine: a retry due sooner than this is also queued with a countdown.
SHORT_WAIT_SECONDS = 60.0
ERROR_LENGTH = 300

_random = random.SystemRandom()


class UpdateProgress(DeliveryProgress):
    """What earlier attempts at an outgoing update got done, kept in its row."""

    model = OutgoingUpdate


@dataclass(frozen=True)
class Result:
    outcome: str  # an Attempt.Outcome, "skipped", "deferred" or "not_supported"
    requeue_in: float | None = None


@dataclass(frozen=True)
class _Try:
    outcome: str
    external_id: str = ""
    status_code: str = ""
    error_class: str = ""
    excerpt: str = ""
    message: str = ""
    retry_after: float | None = None
    # The attempt failed after the back office took some of it (a file).
    progressed: bool = False


def claim(update_id: int, now: datetime, token: uuid.UUID) -> bool | Deferred:
    """Take `update_id` for one attempt; False if it is not due, is held by another worker, or
    waits for its case to reach the back office; Deferred (no attempt spent) if its back
    office's circuit breaker does not let it call now."""
    lease = timedelta(seconds=settings.DELIVERY_LEASE_SECONDS)
    # The delivery's condition as EXISTS, not a join: an UPDATE through a join becomes
    # "WHERE id IN (SELECT ...)", whose conditions PostgreSQL does not check again on a row
    # another claim changed meanwhile, so racing claims would each win. Every condition on
    # the row itself is checked again, and only one claim can change it.
    case_delivered = Exists(
        Delivery.objects.filter(pk=OuterRef("delivery_id"), state=Delivery.State.DELIVERED)
    )
    # The common case in one statement: due, its case delivered, its breaker closed.
    if OutgoingUpdate.objects.filter(
        rules.due(now), case_delivered, rules.breaker_closed(), pk=update_id
    ).update(**rules.claimed_fields(now, now + lease, token)):
        return True
    # Otherwise the deliveries' gate decides: nothing due, deferred while the breaker is open,
    # or (its cooldown over) claimed as the breaker's probe.
    with transaction.atomic():
        decided = claim_past_the_gate(
            OutgoingUpdate, update_id, now, lease, token, where=case_delivered, slots=False
        )
    return decided if isinstance(decided, Deferred) else decided is not None


def send_update(update_id: int) -> Result:
    """Make one attempt at `update_id` if it is due; safe to call any number of times."""
    now = timezone.now()
    token = uuid.uuid4()
    claimed = claim(update_id, now, token)
    if isinstance(claimed, Deferred):
        wait = (claimed.until - now).total_seconds()
        return Result("deferred", requeue_in=wait if wait < SHORT_WAIT_SECONDS else None)
    if not claimed:
        return Result("skipped")
    update = OutgoingUpdate.objects.select_related("message", "delivery", "connection").get(
        pk=update_id
    )
    started_at = timezone.now()
    clock = time.monotonic()
    outcome = _send(update, token)
    duration_ms = max(round((time.monotonic() - clock) * 1000), 0)
    return _record(update, token, outcome, started_at, duration_ms)


def case_update_out(update: OutgoingUpdate) -> CaseUpdateOut:
    """The resident's message as the update's adapter receives it."""
    message = update.message
    files = tuple(delivery_file(row, update.connection_id) for row in message.files.order_by("pk"))
    return CaseUpdateOut(
        kind=message.kind,
        text=message.text,
        files=files,
        sent_at=message.created_at,
        update_id=f"portal-update-{message.pk}",
    )


def _send(update: OutgoingUpdate, token: uuid.UUID) -> _Try:
    progress: UpdateProgress | None = None
    try:
        adapter = update.connection.build_adapter()
        if not adapter.sends_updates:
            return _Try(State.NOT_SUPPORTED)
        key = str(update.idempotency_key)
        reference = update.delivery.external_reference
        progress = UpdateProgress.for_claim(update, token)
        payload = case_update_out(update)
        if update.attempts > 1:
            external_id = adapter.resend_update(reference, payload, key, progress)
        else:
            external_id = adapter.send_update(reference, payload, key, progress)
    except UnknownAdapter:
        return _Try(
            Outcome.PERMANENT,
            error_class="UnknownAdapter",
            message=f"There is no adapter called {update.connection.adapter!r}",
        )
    except DeliveryError as exc:
        return _Try(
            Outcome.PERMANENT if exc.permanent else Outcome.TRANSIENT,
            status_code="" if exc.status_code is None else str(exc.status_code),
            error_class=exc.__class__.__name__,
            excerpt=exc.excerpt,
            message=exc.message,
            retry_after=exc.retry_after,
            progressed=progress is not None and progress.steps_saved > 0,
        )
    except Exception as exc:
        # As in the delivery engine: retried like a transient error; the message may hold what
        # the resident wrote, so only the class is kept and logged.
        name = exc.__class__.__name__
        logger.warning("update_attempt_crashed", update_id=update.pk, error_class=name)
        return _Try(Outcome.TRANSIENT, error_class=name, message=f"Unexpected error: {name}")
    return _Try(Outcome.DELIVERED, external_id=str(external_id or ""))


def _record(
    update: OutgoingUpdate, token: uuid.UUID, outcome: _Try, started_at: datetime, ms: int
) -> Result:
    now = timezone.now()
    ours = OutgoingUpdate.objects.filter(pk=update.pk, claim_token=token)
    released = {"lease_expires_at": None, "claim_token": None}
    if outcome.outcome == State.NOT_SUPPORTED:
        # Its connection's adapter changed since the update was written: nothing to attempt.
        ours.update(state=State.NOT_SUPPORTED, next_attempt_at=None, **released)
        return Result("not_supported")
    requeue_in: float | None = None
    failed = False
    with transaction.atomic():
        if outcome.outcome == Outcome.DELIVERED:
            held = ours.update(
                state=State.DELIVERED,
                delivered_at=now,
                external_id=outcome.external_id[:200],
                next_attempt_at=None,
                last_error="",
                **released,
            )
            breaker.record_success(update.connection_id, now)
        else:
            message = (outcome.message or outcome.error_class)[:ERROR_LENGTH]
            when = None
            if outcome.outcome == Outcome.TRANSIENT:
                when = next_retry(
                    update.attempts,
                    update.first_attempt_at or now,
                    now,
                    retry_after=outcome.retry_after,
                    budget=update.connection.attempt_budget,
                    rng=_random,
                )
            if when is not None:
                held = ours.update(
                    state=State.RETRYING, next_attempt_at=when, last_error=message, **released
                )
                wait = (when - now).total_seconds()
                requeue_in = max(wait, 0.0) if held and wait < SHORT_WAIT_SECONDS else None
            else:
                if outcome.outcome == Outcome.TRANSIENT:
                    message = f"Gave up after {update.attempts} attempts: {message}"
                held = ours.update(
                    state=State.FAILED,
                    next_attempt_at=None,
                    last_error=message[:ERROR_LENGTH],
                    **released,
                )
                failed = bool(held)
            # Its back office's health, as a delivery's attempt tells it: a transient failure
            # counts toward opening the breaker, a permanent refusal does not.
            breaker.record_failed_attempt(
                update.connection_id,
                now,
                message,
                permanent=outcome.outcome == Outcome.PERMANENT,
                answered=outcome.progressed,
            )
        if held:
            # Only under our claim: a successor's attempt has the next number.
            UpdateAttempt.objects.create(
                update=update,
                number=update.attempts,
                started_at=started_at,
                duration_ms=ms,
                outcome=outcome.outcome,
                status_code=outcome.status_code[:20],
                error_class=outcome.error_class[:100],
                excerpt=outcome.excerpt[:EXCERPT_LENGTH],
            )
        if failed:
            # Told after commit, as for a failed delivery: never about a change rolled back.
            transaction.on_commit(partial(alert_update_failed, update.pk))
    logger.info(
        "update_attempted",
        update_id=update.pk,
        connection_id=update.connection_id,
        attempt=update.attempts,
        outcome=outcome.outcome,
        status_code=outcome.status_code,
        error_class=outcome.error_class,
        duration_ms=ms,
        claim_held=bool(held),
    )
    return Result(str(outcome.outcome), requeue_in=requeue_in)
