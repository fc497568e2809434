"""Queueing a message: a row in the transaction that decides to send it, a task after commit.

`queue_message` is the one way the portal sends a message. The row is written in the caller's
transaction (or at once, in autocommit), so a message is never sent for a change that was rolled
back and never lost once the change is committed. After commit a `send_message` task is asked for;
if the broker is down then, nothing fails: the message is pending in PostgreSQL and the sweeper
queues it (services/messages/sweeper.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import structlog
from django.db import transaction

from services.models import OutgoingMessage

logger = structlog.get_logger(__name__)

Channel = OutgoingMessage.Channel


def queue_message(
    *,
    kind: str,
    recipient: str,
    subject: str,
    body: str,
    html: str = "",
    language: str = "",
    channel: str = Channel.EMAIL,
    user: Any = None,
    submission: Any = None,
) -> OutgoingMessage:
    """Keep one rendered message for `recipient` until it is sent; sent after commit.

    `kind` says what it is for (shown to admins, never the content); `language` is the one it
    was rendered in. An e-mail has a subject, a plain-text body and optionally an HTML part.
    `user` and `submission` say whose message it is and about which case, when known: they put
    it in the resident's data download and let retention delete it with the case.
    """
    if channel != Channel.EMAIL:
        raise ValueError(f"No transport sends {str(channel)!r} messages yet")
    content = {"subject": subject, "body": body}
    if html:
        content["html"] = html
    message = OutgoingMessage.objects.create(
        channel=channel,
        kind=kind,
        recipient=recipient,
        language=language,
        content=content,
        user=user,
        submission=submission,
    )
    # robust: after commit, no failure here may turn the saved request into an error page.
    transaction.on_commit(lambda: queue_sends([message.pk]), robust=True)
    return message


def queue_sends(ids: Sequence[int]) -> None:
    """Ask a worker to send each message. A broker failure loses nothing: the sweeper finds
    them; so it is logged, never raised into the request that has already committed."""
    from services.messages.tasks import send_message

    for message_id in ids:
        try:
            send_message.delay(message_id)
        except Exception as exc:
            logger.warning(
                "message_not_queued", message_id=message_id, error_class=exc.__class__.__name__
            )
            return
