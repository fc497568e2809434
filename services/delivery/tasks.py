"""Celery tasks of delivery. Thin: each loads nothing itself and calls a domain function.

The app runs with acks_late and reject_on_worker_lost (portal/celery.py), so a task may run
twice or after its worker died; `deliver` is safe either way because claiming is atomic and the
back office sees the same idempotency key. Messages carry only the delivery id.
"""

from __future__ import annotations

from datetime import timedelta

import structlog
from celery import Task, shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from services.delivery import engine, sweeper

logger = structlog.get_logger(__name__)


# While the database cannot be reached (a restart, a failover), a deliver task asks again after
# min(cap, base x 2^retries) seconds, this many times; after that the sweeper finds the delivery.
DATABASE_RETRY_BASE_SECONDS = 2.0
DATABASE_RETRY_CAP_SECONDS = 60.0
DATABASE_RETRIES = 20


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    max_retries=DATABASE_RETRIES,
)
def deliver(self: Task, delivery_id: int) -> str:
    """Attempt one delivery if it is due. The soft time limit (portal/celery.py) fires inside
    the adapter's call, which the engine records as a transient failure; the hard limit kills
    the process, and the lease and the sweeper take it from there.

    A database that cannot be reached fails the task before or after the call; it is queued
    again rather than dropped (acknowledged as failed, it would wait for the sweeper's grace and
    schedule). Before the call nothing happened; after it, the lease runs out and the next
    attempt is a redeliver, which finds what the call made."""
    try:
        result = engine.attempt_delivery(delivery_id)
    except (OperationalError, InterfaceError) as exc:
        wait = min(
            DATABASE_RETRY_CAP_SECONDS, DATABASE_RETRY_BASE_SECONDS * 2**self.request.retries
        )
        logger.warning(
            "delivery_database_unreachable",
            delivery_id=delivery_id,
            error_class=exc.__class__.__name__,
            retry_in=wait,
        )
        raise self.retry(exc=exc, countdown=wait) from None
    if result.requeue_in is not None:
        deliver.apply_async((delivery_id,), countdown=result.requeue_in)
    return result.outcome


@shared_task(ignore_result=True)
def sweep() -> int:
    """Every DELIVERY_SWEEP_INTERVAL, from beat: queue the deliveries, messages and residents'
    updates that are due or abandoned, and tell people what waits. Returns how many deliveries
    it queued."""
    from services.conversations import sweeper as update_sweeper
    from services.conversations.tasks import send_update
    from services.delivery.alerts import alert_overdue
    from services.messages import sweeper as message_sweeper
    from services.messages.tasks import send_message

    now = timezone.now()
    queued = sweeper.sweep(now, deliver.delay)
    alert_overdue(now)
    grace = timedelta(seconds=settings.DELIVERY_SWEEP_GRACE_SECONDS)
    messages = message_sweeper.sweep(now, send_message.delay, grace=grace)
    updates = update_sweeper.sweep(now, send_update.delay, grace=grace)
    if queued or messages or updates:
        logger.info("deliveries_swept", queued=queued, messages=messages, updates=updates)
    return queued
