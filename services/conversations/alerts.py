"""Telling people that a resident's update did not reach a back office, as for a failed delivery.

The same person is told the same way (services/delivery/alerts.py): the connection's owner, by
e-mail through the message outbox, queued in the transaction that claims the alert, once per
update (`alerted_at`, claimed with a conditional update so two workers never both send it). "Send
again" on the case clears `alerted_at`, so a later failure is told again.

The e-mail names the case's reference, the back office and the class of error of the last
attempt, with a link to the case in the staff workspace. Never the resident's words, name or
contact details, and not `last_error` either: an update's error may echo what the back office
said about the resident's text, and e-mail travels further than the portal.
"""

from __future__ import annotations

import structlog
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from services.delivery.alerts import absolute_url, dashboard_url
from services.messages.outbox import queue_message
from services.models import OutgoingUpdate


def case_url(reference: str) -> str:
    return absolute_url(reverse("staff:case_timeline", args=[reference]))


logger = structlog.get_logger(__name__)


def alert_update_failed(update: OutgoingUpdate | int) -> bool:
    """E-mail the connection's owner that `update` has failed for good; once per failure.

    Returns whether an e-mail was sent (False when it had been alerted already, or is no longer
    failed). Safe to call twice or from two processes: only the call that sets `alerted_at` sends.
    """
    pk = update if isinstance(update, int) else update.pk
    now = timezone.now()
    with transaction.atomic():
        claimed = OutgoingUpdate.objects.filter(
            pk=pk, state=OutgoingUpdate.State.FAILED, alerted_at__isnull=True
        ).update(alerted_at=now)
        if not claimed:
            return False
        fresh = OutgoingUpdate.objects.select_related("connection", "message__submission").get(
            pk=pk
        )
        last = fresh.attempt_set.order_by("-number").first()
        reference = fresh.message.submission.reference
        context = {
            "update": fresh,
            "connection": fresh.connection,
            "reference": reference,
            "error_class": (last.error_class if last else "") or "not recorded",
            "status_code": last.status_code if last else "",
            "case_url": case_url(reference),
            "dashboard_url": dashboard_url(),
        }
        queue_message(
            kind="update_failed",
            recipient=fresh.connection.owner_email,
            subject=f"Update not sent: {reference} to {fresh.connection.name}",
            body=render_to_string("services/conversations/email/update_failed.txt", context),
        )
    if not isinstance(update, int):
        update.alerted_at = now
    logger.warning("update_failed_alerted", update_id=pk, connection_id=fresh.connection_id)
    return True
