"""Celery task of the message outbox. Thin: it calls the domain function with the message id.

The app runs with acks_late (portal/celery.py), so this may run twice or after its worker died;
the claim lets one run send and the others find nothing to do.
"""

from __future__ import annotations

from celery import shared_task

from services.messages import send


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def send_message(message_id: int) -> str:
    """Send one message if it is due. A transient failure is retried by the sweeper when its
    next attempt is due (no countdown on the broker, which may lose it)."""
    return send.send_message(message_id)
