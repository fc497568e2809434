"""Delivery receipts from GOV.UK Notify: what became of a message after Notify took it.

Notify POSTs one receipt per notification when it reaches a final status (portal/callbacks/
notify.py checks who sent it and reads it). Recording is idempotent and ordered: the receipt is
kept on the message with its time, a repeat changes nothing, and a receipt older than the one
kept is ignored (Notify retries, so receipts may arrive late and out of order).

A permanent failure (an address that does not exist, a number that is not a mobile) is for
people to act on: it shows on the case the message was about (services/staff/timeline.py), and
the resident whose address or number it was is asked to correct it when they next sign in
(`contact_problems`, shown on their account pages). What is stored on the account is a hash of
the address or number, not the value: the prompt shows only while the resident still has it, so
changing it by any route (the profile page, the e-mail change journey, an admin) ends the prompt,
and a later delivered message to the same address ends it too.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from services.models import OutgoingMessage

Status = OutgoingMessage.DeliveryStatus
Channel = OutgoingMessage.Channel

# Notify's statuses in receipts, as the portal records them. Letters have their own: "received"
# (printed and posted) counts as delivered; "accepted" (at the printer) and "cancelled" are
# not final for us and are acknowledged without being recorded.
STATUSES: dict[str, Status | None] = {
    "delivered": Status.DELIVERED,
    "permanent-failure": Status.PERMANENT_FAILURE,
    "temporary-failure": Status.TEMPORARY_FAILURE,
    "technical-failure": Status.TECHNICAL_FAILURE,
    "received": Status.DELIVERED,
    "validation-failed": Status.PERMANENT_FAILURE,
    "accepted": None,
    "cancelled": None,
}


class UnknownNotification(LookupError):
    """No outbox message has this Notify id or reference."""


@dataclass(frozen=True)
class Receipt:
    notification_id: str
    reference: str | None
    status: str  # one of STATUSES
    at: datetime


def record(receipt: Receipt) -> str:
    """Keep `receipt` on its message; returns "recorded", "repeat", "older" or "not_final".
    Raises UnknownNotification."""
    with transaction.atomic():
        message = _message(receipt)
        status = STATUSES[receipt.status]
        if status is None:
            return "not_final"
        kept_at = message.delivery_status_at
        if kept_at is not None and receipt.at < kept_at:
            return "older"
        if kept_at == receipt.at and message.delivery_status == status:
            return "repeat"
        message.delivery_status = status
        message.delivery_status_at = receipt.at
        message.provider_id = message.provider_id or receipt.notification_id
        message.save(update_fields=["delivery_status", "delivery_status_at", "provider_id"])
        _update_residents(message, status)
    return "recorded"


def _message(receipt: Receipt) -> OutgoingMessage:
    # Locked, so two copies of a receipt arriving at once are recorded once, in order.
    messages = OutgoingMessage.objects.select_for_update()
    found = messages.filter(provider_id=receipt.notification_id).first()
    if found is None and receipt.reference:
        # The receipt can come before the sender recorded Notify's id (its answer was lost, and
        # it has not looked the reference up yet): the reference is our own message id.
        found = messages.filter(message_id=receipt.reference, provider_id="").first()
    if found is None:
        raise UnknownNotification(receipt.notification_id)
    return found


# --- The resident's contact details -------------------------------------------------------------


def fingerprint(channel: str, value: str) -> str:
    """A hash of an e-mail address or phone number in a normal form (case, spaces, +44)."""
    value = value.strip().lower()
    if channel == Channel.SMS:
        value = re.sub(r"[^\d+]", "", value)
        value = re.sub(r"^(\+44|0044)", "0", value)
    return hashlib.sha256(f"{channel}:{value}".encode()).hexdigest()


def _current(user: Any, channel: str) -> str:
    return str((user.email if channel == Channel.EMAIL else user.phone) or "")


def _update_residents(message: OutgoingMessage, status: Status) -> None:
    """Ask the resident to fix an address that failed for good; stop asking once it works."""
    channel = str(message.channel)
    if channel not in (Channel.EMAIL, Channel.SMS):
        return  # a letter's address is the council's records, not the resident's sign-in
    failed = fingerprint(channel, message.recipient)
    for user in _residents(message, channel):
        if fingerprint(channel, _current(user, channel)) != failed:
            continue  # they have changed it since
        flags = dict(user.undeliverable or {})
        if status == Status.PERMANENT_FAILURE:
            flags[channel] = failed
        elif status == Status.DELIVERED and flags.get(channel) == failed:
            del flags[channel]
        else:
            continue
        user.undeliverable = flags
        user.save(update_fields=["undeliverable"])


def _residents(message: OutgoingMessage, channel: str) -> list[Any]:
    users = get_user_model().objects.select_for_update()
    found = {}
    if message.submission_id is not None and message.submission is not None:
        owner = message.submission.user_id
        if owner is not None:
            found.update({u.pk: u for u in users.filter(pk=owner)})
    if channel == Channel.EMAIL:
        found.update({u.pk: u for u in users.filter(email__iexact=message.recipient.strip())})
    return list(found.values())


def contact_problems(user: Any) -> list[str]:
    """The channels ("email", "sms") whose address or number, as the resident has it now, Notify
    could not deliver to for good: what their account pages ask them to correct."""
    flags = getattr(user, "undeliverable", None) or {}
    return [
        str(channel)
        for channel in (Channel.EMAIL, Channel.SMS)
        if flags.get(channel) and flags[channel] == fingerprint(channel, _current(user, channel))
    ]
