"""Which outgoing updates the sweeper queues: due or abandoned ones whose case is delivered.

Run by the delivery sweep task (services/delivery/tasks.py), by the deliveries' own rule
(services/delivery/sweeper.py `due_ids`): the same definition of "due", the same grace, and the
same care for a back office whose circuit breaker is not closed: none of its waiting updates is
queued while the cooldown runs, and once it is over only the oldest, which may be the breaker's
probe (its claim decides, with the deliveries'). An update waiting for its case's delivery is
left alone until that delivery is made; the next sweep after it queues the update.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from services.delivery.sweeper import due_ids
from services.models import Delivery, OutgoingUpdate

# At most this many per run, oldest first; the next run takes the rest.
RUN_LIMIT = 5_000


def sweep(now: datetime, queue: Callable[[int], object], *, grace: timedelta) -> int:
    """Queue each update that needs a worker with `queue(update_id)`; returns how many."""
    rows = OutgoingUpdate.objects.filter(delivery__state=Delivery.State.DELIVERED)
    count = 0
    for update_id in due_ids(now, grace=grace, limit=RUN_LIMIT, rows=rows):
        queue(update_id)
        count += 1
    return count
