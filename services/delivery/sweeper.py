"""The sweeper: the database, not the broker, decides what still has to be sent.

Every minute (beat) it queues a `deliver` task for each delivery that is due (pending or waiting
to retry, with its time passed) or whose lease ran out (its worker died mid-call). A message lost
with Redis, a worker killed with a message in hand, a retry too long for a countdown: each ends
up here. A delivery already on the queue may be queued twice; that is harmless, because claiming
is atomic and the second task finds nothing to do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q

from services.models import Delivery

State = Delivery.State

BATCH_SIZE = 500
# At most this many are queued per run, oldest first; the next run takes the rest. A huge backlog
# (a back office down for a day) must not flood the broker with copies every minute.
RUN_LIMIT = 20_000


def due_ids(now: datetime, *, grace: timedelta, limit: int = RUN_LIMIT) -> Iterator[int]:
    """Ids of deliveries to queue, in batches, oldest first: due for at least `grace`, or with
    their lease run out. Each condition matches one partial index (delivery_due,
    delivery_leased), so the sweeper reads only the rows it queues."""
    waiting = Q(state__in=(State.PENDING, State.RETRYING)) & (
        Q(next_attempt_at__lte=now - grace) | Q(next_attempt_at__isnull=True)
    )
    abandoned = Q(state=State.IN_FLIGHT, lease_expires_at__lte=now)
    left = limit
    for condition in (abandoned, waiting):
        last_pk = 0
        while left > 0:
            size = min(BATCH_SIZE, left)
            batch = list(
                Delivery.objects.filter(condition, pk__gt=last_pk)
                .order_by("pk")
                .values_list("pk", flat=True)[:size]
            )
            yield from batch
            left -= len(batch)
            if len(batch) < size:
                break
            last_pk = batch[-1]


def sweep(now: datetime, queue: Callable[[int], object], *, grace: timedelta | None = None) -> int:
    """Queue every delivery that needs a worker with `queue(delivery_id)`; returns how many."""
    if grace is None:
        grace = timedelta(seconds=settings.DELIVERY_SWEEP_GRACE_SECONDS)
    count = 0
    for delivery_id in due_ids(now, grace=grace):
        queue(delivery_id)
        count += 1
    return count
