"""The outbox of updates to back offices: written with the resident's message, queued on commit.

One OutgoingUpdate per back office that holds the case: the deliveries of the case's current
routing round that reached it or are still on their way (a failed or cancelled delivery made no
case to add to). An update whose back office takes no updates (its adapter does not declare
`sends_updates`) is marked so at once: staff read the message on the case, and nothing waits.
"""

from __future__ import annotations

from collections.abc import Sequence

import structlog
from django.db import transaction
from django.utils import timezone

from integrations.registry import UnknownAdapter, registry
from services.models import CaseMessage, Delivery, OutgoingUpdate

logger = structlog.get_logger(__name__)

State = OutgoingUpdate.State
# Deliveries whose back office has the case, or will have it once the delivery is made.
HOLDING_STATES = (
    Delivery.State.DELIVERED,
    Delivery.State.PENDING,
    Delivery.State.IN_FLIGHT,
    Delivery.State.RETRYING,
)


def sends_updates(adapter_id: str) -> bool | None:
    """Whether the adapter sends updates; None if no adapter has that id (its send fails and
    says so, rather than the update being quietly set aside)."""
    try:
        return bool(registry.get(adapter_id).sends_updates)
    except UnknownAdapter:
        return None


def create_outgoing(message: CaseMessage) -> list[OutgoingUpdate]:
    """An OutgoingUpdate per back office holding the case of `message`, queued on commit.

    Call inside the transaction that saved `message`."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("create_outgoing must run inside the message's transaction")
    submission = message.submission
    deliveries = Delivery.objects.filter(
        submission=submission,
        routing_round=submission.routing_round,
        state__in=HOLDING_STATES,
    ).select_related("connection")
    now = timezone.now()
    rows = [
        OutgoingUpdate(
            message=message,
            delivery=delivery,
            connection_id=delivery.connection_id,
            state=State.NOT_SUPPORTED
            if sends_updates(delivery.connection.adapter) is False
            else State.PENDING,
            next_attempt_at=now,
            created_at=now,
        )
        for delivery in deliveries.order_by("pk")
    ]
    created = OutgoingUpdate.objects.bulk_create(rows)
    ids = [row.pk for row in created if row.state == State.PENDING]
    # robust: after commit, no failure here may turn the resident's saved reply into an error.
    transaction.on_commit(lambda: queue_updates(ids), robust=True)
    return created


def queue_updates(ids: Sequence[int]) -> None:
    """Queue a task per update. A broker failure loses nothing: the sweeper finds them."""
    from services.conversations.tasks import send_update

    for update_id in ids:
        try:
            send_update.delay(update_id)
        except Exception as exc:
            logger.warning(
                "update_not_queued", update_id=update_id, error_class=exc.__class__.__name__
            )
            return
