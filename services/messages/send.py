"""Sending one message: claim it, hand it to its channel's transport, record what happened.

The claim is one conditional UPDATE: the row becomes `sending` with a lease and a fresh claim
token only if it is still due (pending or retrying with its time passed, or sending with its
lease run out because its worker died), so of two workers holding the same task exactly one
sends. The outcome is recorded only where the token still matches.

Sending is at least once: a worker killed after the mail server took the message, before the
outcome was recorded, leaves the lease to run out and the message to be sent again, with the
same Message-ID. A transient failure (the server unreachable, a 4xx answer) is tried again later
(services/delivery/retry.py `next_retry`, within MESSAGE_RETRY_BUDGET_SECONDS); a refusal for good
(a 5xx answer to the recipient or the content) fails the message, listed in the admin as failed.

Which transport: with NOTIFY_API_KEY set, GOV.UK Notify for every channel (services/messages/
notify.py: it looks a message up by its reference before sending it a second time, so through
Notify a message is sent once even when an answer was lost); without it, e-mail by SMTP
(EMAIL_URL), and a text message or letter fails at once as "no transport" (visible in the admin)
rather than waiting for a transport that is not coming.
"""

from __future__ import annotations

import random
import smtplib
import uuid
from datetime import datetime, timedelta

import structlog
from django.conf import settings
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.db.models import F, Q
from django.utils import timezone

from services.delivery.retry import next_retry
from services.messages import notify
from services.models import OutgoingMessage

logger = structlog.get_logger(__name__)

State = OutgoingMessage.State
_rng = random.SystemRandom()


class SendFailed(Exception):
    """A send did not go through; `permanent` says whether trying again could help."""

    def __init__(self, reason: str, *, permanent: bool, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.retry_after = retry_after


def due(now: datetime) -> Q:
    """Messages a worker may take now: waiting with their time passed, or abandoned."""
    waiting = Q(state__in=(State.PENDING, State.RETRYING)) & (
        Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True)
    )
    return waiting | Q(state=State.SENDING, lease_expires_at__lte=now)


def send_message(message_id: int) -> str:
    """Send message `message_id` if it is due; returns what happened ("sent", "retrying",
    "failed", or "not_due" when it was sent, is held by another worker, or is not due yet)."""
    now = timezone.now()
    token = uuid.uuid4()
    lease = timedelta(seconds=settings.MESSAGE_LEASE_SECONDS)
    claimed = (
        OutgoingMessage.objects.filter(due(now), pk=message_id).update(
            state=State.SENDING,
            attempts=F("attempts") + 1,
            lease_expires_at=now + lease,
            claim_token=token,
        )
        == 1
    )
    if not claimed:
        return "not_due"
    message = OutgoingMessage.objects.get(pk=message_id)
    try:
        sent_as = transport(message)
    except SendFailed as failure:
        return _record_failure(message, token, failure)
    provider_id, template = sent_as or ("", "")
    OutgoingMessage.objects.filter(pk=message.pk, claim_token=token).update(
        state=State.SENT,
        sent_at=timezone.now(),
        next_attempt_at=None,
        lease_expires_at=None,
        last_error="",
        provider_id=provider_id,
        template_id=template,
    )
    logger.info("message_sent", message_id=message.pk, kind=message.kind)
    return "sent"


def transport(message: OutgoingMessage) -> tuple[str, str] | None:
    """Hand `message` to its transport; raises SendFailed. Through Notify, returns Notify's id
    for it and the template used."""
    if notify.configured():
        return _through_notify(message)
    if message.channel != OutgoingMessage.Channel.EMAIL:
        raise SendFailed(
            f"No transport for {message.channel} messages (GOV.UK Notify is not set up)",
            permanent=True,
        )
    _through_smtp(message)
    return None


def _through_notify(message: OutgoingMessage) -> tuple[str, str]:
    # After a first attempt, that attempt may have reached Notify (no answer, a 5xx, a worker
    # killed mid-call): look before sending again.
    try:
        return notify.send(message, resend=message.attempts > 1)
    except notify.TemplateMissing as exc:
        # A setting to correct; the message waits (within its budget) rather than being lost.
        raise SendFailed(str(exc), permanent=False) from exc
    except notify.NotifyError as exc:
        raise SendFailed(exc.reason, permanent=exc.permanent, retry_after=exc.retry_after) from exc
    except ValueError as exc:  # a malformed NOTIFY_API_KEY
        raise SendFailed(f"NOTIFY_API_KEY: {exc}", permanent=False) from exc


def _through_smtp(message: OutgoingMessage) -> None:
    email = EmailMultiAlternatives(
        subject=message.content["subject"],
        body=message.content["body"],
        to=[message.recipient],
        headers={"Message-ID": message.message_id},
    )
    if message.content.get("html"):
        email.attach_alternative(message.content["html"], "text/html")
    try:
        with mail.get_connection(backend=settings.CELERY_EMAIL_BACKEND) as connection:
            connection.send_messages([email])
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        raise SendFailed(
            f"Recipient refused ({', '.join(map(str, codes))})", permanent=min(codes) >= 500
        ) from exc
    except smtplib.SMTPDataError as exc:
        permanent = exc.smtp_code >= 500
        raise SendFailed(f"Message refused ({exc.smtp_code})", permanent=permanent) from exc
    except smtplib.SMTPResponseException as exc:
        # The server's answer to us, not to this message (authentication, the sender): a
        # setting to correct, after which the message should still go.
        raise SendFailed(f"Server answered {exc.smtp_code}", permanent=False) from exc
    except (smtplib.SMTPException, OSError) as exc:
        reason = f"Could not reach the mail server ({exc.__class__.__name__})"
        raise SendFailed(reason, permanent=False) from exc


def _record_failure(message: OutgoingMessage, token: uuid.UUID, failure: SendFailed) -> str:
    now = timezone.now()
    retry_at = None
    if not failure.permanent:
        retry_at = next_retry(
            message.attempts,
            message.created_at,
            now,
            retry_after=failure.retry_after,
            budget=timedelta(seconds=settings.MESSAGE_RETRY_BUDGET_SECONDS),
            rng=_rng,
        )
    state = State.FAILED if retry_at is None else State.RETRYING
    OutgoingMessage.objects.filter(pk=message.pk, claim_token=token).update(
        state=state,
        next_attempt_at=retry_at,
        lease_expires_at=None,
        last_error=failure.reason[:300],
    )
    log = logger.warning if state == State.FAILED else logger.info
    log(f"message_{state}", message_id=message.pk, kind=message.kind, reason=failure.reason)
    return str(state)
