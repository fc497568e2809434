"""Celery tasks that poll back offices for status updates. Thin: they call services/updates/poll.py.

Beat runs `poll_all` every five minutes (portal/celery.py); it queues one `poll_connection` per
pollable connection, so one slow back office delays only itself. Both are safe to run twice:
a poll holds a per-connection lock, and updates are recorded once by their id.
"""

from __future__ import annotations

from celery import shared_task

from services.models import Connection
from services.updates import poll as updates_poll


class NotPollable(Exception):
    pass


@shared_task(ignore_result=True)
def poll_all() -> int:
    connections = updates_poll.pollable_connections()
    for connection in connections:
        poll_connection.delay(connection.pk)
    return len(connections)


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def poll_connection(connection_id: int) -> int:
    """How many updates were fetched (0 as well when another worker was polling it)."""
    result = updates_poll.poll_connection(connection_id)
    return result.fetched if result is not None else 0


def poll_now(connection: Connection) -> None:
    """Queue a poll of `connection` at once, not at beat's next round (up to five minutes away):
    an admin's "Check for updates now". NotPollable says why it cannot be polled; the broker's
    own error if the task cannot be queued."""
    reason = updates_poll.why_not_pollable(connection)
    if reason is not None:
        raise NotPollable(reason)
    poll_connection.delay(connection.pk)
