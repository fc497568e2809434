"""Which messages the sweeper queues: every one that is due or whose sender died.

Run by the delivery sweep task (services/delivery/tasks.py) every DELIVERY_SWEEP_INTERVAL, so a
message whose task was lost with Redis, or never queued because the broker was down at commit, is
sent a little late instead of never. A message already on the queue may be queued twice; the
claim (services/messages/send.py) lets one send and the other find nothing to do.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from services.messages.send import due
from services.models import OutgoingMessage

# At most this many per run, oldest first; the next run takes the rest.
RUN_LIMIT = 5_000


def sweep(now: datetime, queue: Callable[[int], object], *, grace: timedelta) -> int:
    """Queue each due message with `queue(message_id)`; returns how many. `grace` leaves alone
    what became due a moment ago, whose own task is probably still on its way."""
    ids = (
        OutgoingMessage.objects.filter(due(now - grace))
        .order_by("pk")
        .values_list("pk", flat=True)[:RUN_LIMIT]
    )
    count = 0
    for message_id in ids:
        queue(message_id)
        count += 1
    return count
