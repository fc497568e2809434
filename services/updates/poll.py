"""Polling back offices that can be asked for status updates (Adapter.fetch_updates).

Each connection keeps a watermark: the time up to which updates have been fetched. A poll asks
for updates since it, applies them (services/updates/apply.py), and only then moves it forward,
to the newest update seen less a small overlap: a back office whose clock or indexing lags a little
may list an update late, and fetching the last few minutes again costs only duplicates, which
the unique update id makes harmless. A failed fetch leaves the watermark where it was, so the
next poll asks again, and is recorded on the connection for the admin to see.

One poll per connection at a time, by a lock in the shared cache rather than a row lock: a row
lock on the Connection would be held across the back office's answer and block deliveries
(which update the same row) for as long.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import structlog
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from integrations.base import DeliveryError
from services.models import CaseUpdate, Connection
from services.updates.apply import ApplyResult, apply_updates

logger = structlog.get_logger(__name__)

OVERLAP = timedelta(minutes=2)
# Longer than the task's hard time limit (portal/celery.py), so a lock outlives its holder only
# when the holder was killed, and then not for long.
LOCK_SECONDS = 180


@dataclass(frozen=True)
class PollResult:
    fetched: int
    applied: ApplyResult | None  # None when the fetch failed
    error: str = ""


def why_not_pollable(connection: Connection) -> str | None:
    """Why `connection` is not polled, or None if it is: active, and its adapter can be asked."""
    if not connection.is_active:
        return "it is switched off (not active)"
    adapter_class = connection.adapter_class
    if adapter_class is None:
        return f"there is no adapter called “{connection.adapter}”"
    if not adapter_class.supports_updates():
        return f"{adapter_class.name} cannot be asked for updates; it sends them by callback"
    return None


def pollable_connections() -> list[Connection]:
    """Active connections whose adapter can be asked for updates."""
    return [
        c
        for c in Connection.objects.filter(is_active=True).order_by("pk")
        if why_not_pollable(c) is None
    ]


def poll_connection(connection_id: int) -> PollResult | None:
    """Fetch and apply one connection's new updates; None if it is being polled already."""
    lock_key = f"updates-poll:{connection_id}"
    token = uuid.uuid4().hex
    if not cache.add(lock_key, token, timeout=LOCK_SECONDS):
        return None
    try:
        return _poll(connection_id)
    finally:
        if cache.get(lock_key) == token:
            cache.delete(lock_key)


def _poll(connection_id: int) -> PollResult | None:
    connection = Connection.objects.filter(pk=connection_id, is_active=True).first()
    if connection is None or connection.adapter_class is None:
        return None
    since = connection.updates_watermark
    try:
        updates = connection.build_adapter().fetch_updates(since)
    except DeliveryError as error:
        message = f"Fetching status updates failed: {error.message}"
        _record_failure(connection, message)
        return PollResult(fetched=0, applied=None, error=message)
    except Exception as error:  # any adapter fault is the back office's: recorded
        # The class only: an unexpected error's text may quote what the back office sent.
        message = f"Fetching status updates failed: {error.__class__.__name__}"
        logger.exception("status update poll failed", connection=connection.slug)
        _record_failure(connection, message)
        return PollResult(fetched=0, applied=None, error=message)
    result = apply_updates(connection, updates, source=CaseUpdate.Source.POLL)
    if updates:
        newest = max(u.occurred_at for u in updates) - OVERLAP
        with transaction.atomic():
            # Never backwards: a slow poll finishing after a newer one keeps the newer mark.
            locked = Connection.objects.select_for_update().get(pk=connection.pk)
            if locked.updates_watermark is None or newest > locked.updates_watermark:
                Connection.objects.filter(pk=connection.pk).update(updates_watermark=newest)
    logger.info("status updates polled", connection=connection.slug, **result.as_dict())
    return PollResult(fetched=len(updates), applied=result)


def _record_failure(connection: Connection, message: str) -> None:
    logger.warning("status update poll failed", connection=connection.slug)
    Connection.objects.filter(pk=connection.pk).update(
        last_failure_at=timezone.now(), last_failure_message=message[:300]
    )
