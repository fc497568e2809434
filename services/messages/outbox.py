"""Queueing a message: a row in the transaction that decides to send it, a task after commit.

`queue_message` is the one way the portal sends a message. The row is written in the caller's
transaction (or at once, in autocommit), so a message is never sent for a change that was rolled
back and never lost once the change is committed. After commit a `send_message` task is asked for;
if the broker is down then, nothing fails: the message is pending in PostgreSQL and the sweeper
queues it (services/messages/sweeper.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import structlog
from django.db import transaction

from services.models import OutgoingMessage

if TYPE_CHECKING:
    from services.models import Submission

logger = structlog.get_logger(__name__)

Channel = OutgoingMessage.Channel


def queue_message(
    *,
    kind: str,
    recipient: str,
    body: str,
    subject: str = "",
    html: str = "",
    language: str = "",
    channel: str = Channel.EMAIL,
    address_lines: Sequence[str] = (),
    user: Any = None,
    submission: Submission | None = None,
) -> OutgoingMessage:
    """Keep one rendered message for `recipient` until it is sent; sent after commit.

    `kind` says what it is for (shown to admins, never the content); `language` is the one it
    was rendered in. An e-mail has a subject, a plain-text body and optionally an HTML part; a
    text message only uses the body (the recipient is a phone number); a letter needs the
    postal address in `address_lines` (3 to 7 lines, the postcode last; the recipient is the
    name on the first line). `submission`: the case the message is about, where a delivery
    failure is shown to staff.
    `user` says whose message it is, when known: it puts it in the resident's data download
    and lets their account's deletion remove it; `submission` also lets retention delete it
    with the case.
    """
    if channel not in Channel.values:
        raise ValueError(f"Unknown channel {str(channel)!r}")
    if not recipient.strip():
        raise ValueError("A message needs a recipient")
    if channel == Channel.SMS and (subject or html):
        raise ValueError("A text message has a body only")
    content: dict[str, object] = {"body": body}
    if channel != Channel.SMS:
        content["subject"] = subject
    if html:
        content["html"] = html
    if channel == Channel.LETTER:
        lines = [line.strip() for line in address_lines if line and line.strip()]
        if not 3 <= len(lines) <= 7:
            raise ValueError("A letter needs a postal address of 3 to 7 lines, the postcode last")
        content["address_lines"] = lines
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
