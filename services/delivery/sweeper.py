"""The sweeper: the database, not the broker, decides what still has to be sent.

Every minute (beat) it queues a `deliver` task for each delivery that is due (pending or waiting
to retry, with its time passed) or whose lease ran out (its worker died mid-call). A message lost
with Redis, a worker killed with a message in hand, a retry too long for a countdown: each ends
up here. A delivery already on the queue may be queued twice; that is harmless, because claiming
is atomic and the second task finds nothing to do.

A connection whose circuit breaker is not closed is the exception. Its waiting deliveries would
only be claimed to be put off again (services/delivery/claim.py), so a day's outage would have
the worker re-reading the whole backlog after every cooldown, all for nothing. Instead, while the
cooldown runs none of them is queued, and once it is over only the oldest is, to be the breaker's
probe; when the probe succeeds the breaker closes and the next sweep queues the rest.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from services.delivery import breaker, rules
from services.models import Connection, Delivery

State = Delivery.State

BATCH_SIZE = 500
# At most this many are queued per run, oldest first; the next run takes the rest. A huge backlog
# (a back office down for a day) must not flood the broker with copies every minute.
RUN_LIMIT = 20_000


def due_ids(
    now: datetime,
    *,
    grace: timedelta,
    limit: int = RUN_LIMIT,
    rows: QuerySet[Any] | None = None,
) -> Iterator[int]:
    """Ids of deliveries to queue, in batches, oldest first: due for at least `grace`, or with
    their lease run out; of a connection whose breaker is not closed, only the oldest due one,
    and only once its cooldown is over. Each condition matches one partial index (delivery_due,
    delivery_leased), so the sweeper reads only the rows it queues.

    `rows` chooses other outbox rows to sweep by the same rule (residents' updates:
    services/conversations/sweeper.py); deliveries by default."""
    if rows is None:
        rows = Delivery.objects.all()
    # Due as a claim sees it (rules.due), with the grace for messages still on their way.
    waiting = rules.waiting(now - grace)
    abandoned = rules.abandoned(now)
    # A handful of rows at most: the connections whose back office is down. Whether one may be
    # probed now is the breaker's own rule (breaker.admit), asked without claiming anything.
    not_closed = {
        pk: breaker.admit(
            breaker.BreakerState(state, failures, open_until), now, probe_timeout=timedelta(0)
        ).probe
        for pk, state, failures, open_until in Connection.objects.exclude(
            breaker_state=Connection.Breaker.CLOSED
        ).values_list("pk", "breaker_state", "breaker_failures", "breaker_open_until")
    }
    left = limit
    for condition in (abandoned, waiting & ~Q(connection_id__in=not_closed)):
        last_pk = 0
        while left > 0:
            size = min(BATCH_SIZE, left)
            batch = list(
                rows.filter(condition, pk__gt=last_pk)
                .order_by("pk")
                .values_list("pk", flat=True)[:size]
            )
            yield from batch
            left -= len(batch)
            if len(batch) < size:
                break
            last_pk = batch[-1]
    for connection_id, may_probe in sorted(not_closed.items()):
        if left > 0 and may_probe:
            probe = (
                rows.filter(waiting, connection_id=connection_id)
                .order_by("pk")
                .values_list("pk", flat=True)
                .first()
            )
            if probe is not None:
                yield probe
                left -= 1


def sweep(now: datetime, queue: Callable[[int], object], *, grace: timedelta | None = None) -> int:
    """Queue every delivery that needs a worker with `queue(delivery_id)`; returns how many."""
    if grace is None:
        grace = timedelta(seconds=settings.DELIVERY_SWEEP_GRACE_SECONDS)
    count = 0
    for delivery_id in due_ids(now, grace=grace):
        queue(delivery_id)
        count += 1
    return count
