"""Which outgoing updates the sweeper queues: due or abandoned ones whose case is delivered.

Run by the delivery sweep task (services/delivery/tasks.py), with the same definitions of "due"
(services/delivery/rules.py) and the same grace as deliveries. An update waiting for its case's
delivery is left alone until that delivery is made; the next sweep after it queues the update.
So is one whose back office's circuit breaker is open, until its cooldown is over
(services/conversations/send.py `paused`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from services.conversations.send import paused
from services.delivery import rules
from services.models import Delivery, OutgoingUpdate

# At most this many per run, oldest first; the next run takes the rest.
RUN_LIMIT = 5_000


def sweep(now: datetime, queue: Callable[[int], object], *, grace: timedelta) -> int:
    """Queue each update that needs a worker with `queue(update_id)`; returns how many."""
    ids = (
        OutgoingUpdate.objects.filter(
            rules.waiting(now - grace) | rules.abandoned(now),
            ~paused(now),
            delivery__state=Delivery.State.DELIVERED,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:RUN_LIMIT]
    )
    count = 0
    for update_id in ids:
        queue(update_id)
        count += 1
    return count
