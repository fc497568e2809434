"""E-mail sent through Django's mail API goes into the message outbox like every other message.

The portal's own messages call services.messages.outbox.queue_message with a kind of their own;
this backend (EMAIL_BACKEND) catches what is sent through `send_mail` or `EmailMessage.send()`
by code that is not ours (allauth, Django), so that too is kept in PostgreSQL until a worker has
sent it, and never slows or breaks a page. The real transport (SMTP in production) is
CELERY_EMAIL_BACKEND, used by the worker that sends from the outbox.
"""

from collections.abc import Sequence
from typing import Any

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import translation

from portal.accounts.models import User
from services.messages.outbox import queue_message


def queue_email(message: EmailMessage, *, kind: str) -> None:
    """Put `message` in the outbox, one copy per recipient (each is sent and retried alone)."""
    html = ""
    for content, mimetype in getattr(message, "alternatives", []):
        if mimetype == "text/html":
            html = str(content)
    for recipient in [*message.to, *message.cc, *message.bcc]:
        # An account's own mail (sign-in codes, address confirmations) goes to its address: so
        # linked, it is in the resident's data download and goes with their account. (Exact,
        # as the account stores it: the unique index answers, where iexact would read them all.)
        owner = User.objects.filter(email=recipient).first()
        queue_message(
            kind=kind,
            recipient=recipient,
            subject=str(message.subject),
            body=str(message.body),
            html=html,
            language=translation.get_language() or "",
            user=owner,
        )


class OutboxEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            queue_email(message, kind="other")
        return len(email_messages)


def deserialise(data: dict[str, Any]) -> EmailMultiAlternatives:
    """A message queued by the release before the outbox (portal.core.tasks.send_email)."""
    message = EmailMultiAlternatives(
        subject=data["subject"],
        body=data["body"],
        from_email=data["from_email"],
        to=data["to"],
        cc=data["cc"],
        bcc=data["bcc"],
        reply_to=data["reply_to"],
        headers=data["headers"],
    )
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    return message
