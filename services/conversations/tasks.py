"""Celery task of the update outbox. Thin: it calls the domain function with the update's id.

The app runs with acks_late and reject_on_worker_lost (portal/celery.py), so this may run twice
or after its worker died; the claim lets one run send and the others find nothing to do, and the
back office sees the same idempotency key on every attempt.
"""

from __future__ import annotations

from celery import shared_task

from services.conversations import send


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_update(update_id: int) -> str:
    """Attempt one outgoing update if it is due; a retry due soon is queued with a countdown,
    later ones wait in the database for the sweeper."""
    result = send.send_update(update_id)
    if result.requeue_in is not None:
        send_update.apply_async((update_id,), countdown=result.requeue_in)
    return result.outcome
