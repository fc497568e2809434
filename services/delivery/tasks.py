"""Celery tasks of delivery. Thin: each loads nothing itself and calls a domain function.

The app runs with acks_late and reject_on_worker_lost (portal/celery.py), so a task may run
twice or after its worker died; `deliver` is safe either way because claiming is atomic and the
back office sees the same idempotency key. Messages carry only the delivery id.
"""

from __future__ import annotations

from datetime import timedelta

import structlog
from celery import shared_task
from django.conf import settings
from django.utils import timezone

from services.delivery import engine, sweeper

logger = structlog.get_logger(__name__)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def deliver(delivery_id: int) -> str:
    """Attempt one delivery if it is due. The soft time limit (portal/celery.py) fires inside
    the adapter's call, which the engine records as a transient failure; the hard limit kills
    the process, and the lease and the sweeper take it from there."""
    result = engine.attempt_delivery(delivery_id)
    if result.requeue_in is not None:
        deliver.apply_async((delivery_id,), countdown=result.requeue_in)
    return result.outcome


@shared_task(ignore_result=True)
def sweep() -> int:
    """Every DELIVERY_SWEEP_INTERVAL, from beat: queue the deliveries and messages that are due
    or abandoned, and tell people what waits. Returns how many deliveries it queued."""
    from services.delivery.alerts import alert_overdue
    from services.messages import sweeper as message_sweeper
    from services.messages.tasks import send_message

    now = timezone.now()
    queued = sweeper.sweep(now, deliver.delay)
    alert_overdue(now)
    grace = timedelta(seconds=settings.DELIVERY_SWEEP_GRACE_SECONDS)
    messages = message_sweeper.sweep(now, send_message.delay, grace=grace)
    if queued or messages:
        logger.info("deliveries_swept", queued=queued, messages=messages)
    return queued
