"""Telling the resident that the council has asked them something.

It is a message of kind "information_request" (services/notifications): on the channels the
resident chose for questions (never none: the council is waiting for their answer), in their
language, linking to the reply form on their request's page. It goes through the outbox, so it
is sent once the question is committed and never for one rolled back.
"""

from __future__ import annotations

from services.models import OutgoingMessage, Submission
from services.notifications.rules import Kind
from services.notifications.tell import tell_resident
from services.tracking import resident_link


def notify_question(submission: Submission, question: str) -> list[OutgoingMessage]:
    """Send the resident the council's question: the messages queued, none when they cannot be
    reached."""
    link = f"{resident_link(submission)}#reply"
    return tell_resident(submission, Kind.INFORMATION_REQUEST, {"text": question}, link=link)
