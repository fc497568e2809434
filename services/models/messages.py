"""The message outbox: every e-mail (and later SMS or letter) the portal sends, one row each.

A message is written in the transaction that decides to send it, so a resident's "we have your
request" is in PostgreSQL as surely as the request is; a Celery message only says "send message
N now", and the sweeper queues whatever is due, so a flushed or restarted Redis delays a message
but never loses it. A worker claims a message with a lease before sending, so two workers never
send it at once; sending is at least once (a worker killed after the SMTP server took the message
sends it again), and every copy carries the same Message-ID, so mail software can tell a repeat.

What is stored is the rendered message, encrypted, rather than a template and its context:
allauth renders its own messages, and a message rendered when it was asked for says what was true
then. It is linked to the resident and the case when the sender knows them, and deleted with the
case by retention or, if not sent yet, with the resident's account; the admin list shows only its
kind, state and timings, never the address or the words.

Through GOV.UK Notify (services/messages/notify.py) the row also keeps Notify's id for the
notification and the template it used, and the delivery receipt Notify sends later
(`delivery_status`, `delivery_status_at`): "sent" means Notify took it, "delivered" or
"permanent-failure" is what happened next. A message about a submission points at it, so a
permanent failure shows on the case.

States:  pending -> sending -> sent
                          \\-> retrying -> sending ...   (transient failure, within budget)
                          \\-> failed                    (refused for good, or budget spent)
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedCharField, EncryptedJSONField


def new_message_id() -> str:
    # The domain part only has to be ours and stable; it is never looked up.
    return f"<{uuid.uuid4().hex}@outbox.my-council.invalid>"


class OutgoingMessage(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("Text message")
        LETTER = "letter", _("Letter")

    class DeliveryStatus(models.TextChoices):
        # Notify's final statuses, as its delivery receipts name them.
        DELIVERED = "delivered", _("Delivered")
        PERMANENT_FAILURE = "permanent-failure", _("Not delivered: the address or number is wrong")
        TEMPORARY_FAILURE = "temporary-failure", _("Not delivered: inbox full or phone off")
        TECHNICAL_FAILURE = "technical-failure", _("Not delivered: a technical problem")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        RETRYING = "retrying", _("Waiting to retry")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    # What the message is for ("acknowledgement", "status_update", "account:login_code", ...):
    # enough for people to see what failed without reading anyone's mail.
    kind = models.CharField(_("kind"), max_length=80)
    recipient = EncryptedCharField(_("recipient"), max_length=320)
    language = models.CharField(_("language"), max_length=10, blank=True)
    # The rendered message for its channel: for e-mail subject, body and html (optional).
    content = EncryptedJSONField(_("content"), default=dict)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now, null=True)
    lease_expires_at = models.DateTimeField(_("lease expires"), null=True, blank=True)
    # Set by each claim; a worker may only record the outcome of the claim it holds.
    claim_token = models.UUIDField(_("claim"), null=True, blank=True)
    message_id = models.CharField(
        _("message ID"), max_length=200, unique=True, default=new_message_id
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # The server's code and the error's class, never the address or the content.
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    # Whose message and about which case, when known: what lets a resident download their own
    # notification log, their account's deletion remove what was not sent yet, and retention
    # delete a closed case's messages with it (services/privacy, services/retention.py). The
    # encrypted recipient cannot be searched for.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resident"),
    )
    # The submission the message is about, if any: its delivery failures show on the case.
    submission = models.ForeignKey(
        "services.Submission",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
        verbose_name=_("submission"),
    )
    # GOV.UK Notify's id for the notification and the template it was sent with (not secret).
    provider_id = models.CharField(_("Notify ID"), max_length=64, blank=True, db_index=True)
    template_id = models.CharField(_("Notify template"), max_length=64, blank=True)
    # The latest delivery receipt: what became of the message after Notify took it.
    delivery_status = models.CharField(
        _("delivery status"), max_length=20, choices=DeliveryStatus.choices, blank=True
    )
    delivery_status_at = models.DateTimeField(_("delivery status time"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        indexes = [
            # What the sweeper reads: waiting messages, and those whose sender died.
            models.Index(
                fields=["next_attempt_at"],
                name="message_due",
                condition=Q(state__in=["pending", "retrying"]),
            ),
            models.Index(
                fields=["lease_expires_at"],
                name="message_leased",
                condition=Q(state="sending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.get_state_display()})"
