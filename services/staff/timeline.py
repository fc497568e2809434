"""A case's whole story as one list of events, newest first, for the MOJ timeline.

The facts come from the delivery admin's `timeline()` (routing rounds, deliveries with every
attempt, what people did, status updates): one owner for that read. This module lays them out
as dated events an agent reads top to bottom, with reads of its own: what staff did on the case
(notes, contacts), each time a back-office system fetched one of its files by signed link
(FileFetch), the messages sent to the resident about it with what became of them (GOV.UK
Notify's delivery receipts, services/messages/receipts.py), and the conversation with the
resident (questions, replies, reopenings), each with where it was sent on and how that went
(services/conversations).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from services.delivery.timeline import timeline
from services.models import (
    CaseActivity,
    CaseMessage,
    CaseUpdate,
    Delivery,
    FileFetch,
    OutgoingMessage,
    OutgoingUpdate,
    Submission,
)


@dataclass(frozen=True)
class Event:
    at: datetime
    title: str
    by: str = ""
    lines: list[str] = field(default_factory=list)


def case_events(submission: Submission) -> list[Event]:
    facts = timeline(submission)
    events = [_sent(submission)]
    for round_ in facts["rounds"]:
        if round_["decided_at"] is not None:
            events.append(_routed(round_))
        for item in round_["deliveries"]:
            events.extend(_delivery_events(item["delivery"], item["attempts"]))
            events.extend(_actions(item["actions"]))
    events.extend(_actions(facts["submission_actions"]))
    events.extend(_update(update) for update in facts["updates"])
    activities = CaseActivity.objects.filter(submission=submission).select_related("author")
    events.extend(_activity(activity) for activity in activities)
    fetches = FileFetch.objects.filter(file__submission=submission).select_related(
        "file", "connection"
    )
    events.extend(_fetch(fetch) for fetch in fetches)
    for message in OutgoingMessage.objects.filter(submission=submission).order_by("pk"):
        events.extend(_message_events(message))
    conversation = (
        CaseMessage.objects.filter(submission=submission)
        .select_related("author")
        .prefetch_related(
            "files",
            Prefetch("outgoing", queryset=OutgoingUpdate.objects.select_related("connection")),
        )
    )
    events.extend(_message(message) for message in conversation)
    return sorted(events, key=lambda event: event.at, reverse=True)


def _sent(submission: Submission) -> Event:
    return Event(
        at=submission.created_at,
        title=_("Sent: %(channel)s") % {"channel": submission.get_channel_display()},
    )


def _routed(round_: dict[str, Any]) -> Event:
    if round_["routed"]:
        title = _("Sent on to %(destinations)s") % {
            "destinations": ", ".join(round_["destinations"])
        }
    else:
        title = _("Not sent on to any back office")
    return Event(at=round_["decided_at"], title=title, lines=list(round_["reasons"]))


def _delivery_events(delivery: Delivery, attempts: list[Any]) -> list[Event]:
    name = delivery.connection.name
    events = []
    for attempt in attempts:
        lines = [str(attempt.get_outcome_display())]
        if attempt.status_code:
            lines.append(_("Response: %(code)s") % {"code": attempt.status_code})
        events.append(
            Event(
                at=attempt.started_at,
                title=_("Delivery attempt %(number)s to %(system)s")
                % {"number": attempt.number, "system": name},
                lines=lines,
            )
        )
    if delivery.state == Delivery.State.DELIVERED and delivery.delivered_at:
        lines = []
        if delivery.external_reference:
            lines.append(
                _("Back-office reference: %(reference)s")
                % {"reference": delivery.external_reference}
            )
        events.append(
            Event(
                at=delivery.delivered_at,
                title=_("Delivered to %(system)s") % {"system": name},
                lines=lines,
            )
        )
    elif delivery.state == Delivery.State.FAILED:
        events.append(
            Event(
                at=delivery.updated_at,
                title=_("Delivery to %(system)s failed") % {"system": name},
                lines=[delivery.last_error] if delivery.last_error else [],
            )
        )
    return events


def _actions(entries: list[Any]) -> list[Event]:
    return [
        Event(
            at=entry.action_time,
            title=entry.get_change_message() or str(entry),
            by=entry.user.get_full_name() or entry.user.email,
        )
        for entry in entries
    ]


def _update(update: Any) -> Event:
    if update.source == CaseUpdate.Source.RESIDENT:
        return Event(
            at=update.occurred_at,
            title=_("Status changed to %(status)s")
            % {"status": update.get_portal_status_display()},
            by=_("the resident"),
        )
    if update.changed_by is not None:
        return _staff_update(update)
    lines = [str(update.get_outcome_display())]
    if update.description:
        lines.append(update.description)
    return Event(
        at=update.occurred_at,
        title=_("Status update from %(system)s: %(status)s")
        % {"system": update.connection.name, "status": update.external_status},
        lines=lines,
    )


def _staff_update(update: Any) -> Event:
    lines = [_("Message to the resident: %(text)s") % {"text": update.public_text_en}]
    if update.description:
        lines.append(_("Internal note: %(note)s") % {"note": update.description})
    return Event(
        at=update.occurred_at,
        title=_("Status changed to %(status)s") % {"status": update.get_portal_status_display()},
        by=update.changed_by.get_full_name() or update.changed_by.email,
        lines=lines,
    )


def _activity(activity: CaseActivity) -> Event:
    lines = [activity.text]
    if activity.outcome:
        lines.insert(0, _("Outcome: %(outcome)s") % {"outcome": activity.get_outcome_display()})
    return Event(
        at=activity.at,
        title=str(activity.get_kind_display()),
        by=activity.author.get_full_name() or activity.author.email,
        lines=lines,
    )


def _fetch(fetch: FileFetch) -> Event:
    system = fetch.connection.name if fetch.connection else _("a system since removed")
    if fetch.method == "HEAD":
        how = _("Checked the file without downloading it")
    elif fetch.status == 206:
        how = _("Downloaded part of the file")
    else:
        how = _("Downloaded the file")
    return Event(
        at=fetch.at,
        title=_("Fetched by %(system)s") % {"system": system},
        lines=[fetch.file.name, how],
    )


def message_kind(kind: str) -> str:
    """What a message was for, in words (the kinds services send about a case)."""
    names = {
        "acknowledgement": pgettext("message kind", "confirmation of the request"),
        "status_update": pgettext("message kind", "status update"),
        "information_request": pgettext("message kind", "request for information"),
        "reminder": pgettext("message kind", "reminder"),
    }
    return str(names.get(kind, kind))


def _message_events(message: OutgoingMessage) -> list[Event]:
    what = {"kind": message_kind(message.kind), "channel": message.get_channel_display()}
    events = []
    if message.sent_at is not None:
        title = _("Message to the resident sent: %(kind)s (%(channel)s)") % what
        events.append(Event(at=message.sent_at, title=title))
    elif message.state == OutgoingMessage.State.FAILED:
        title = _("Message to the resident not sent: %(kind)s (%(channel)s)") % what
        lines = [message.last_error] if message.last_error else []
        events.append(Event(at=message.created_at, title=title, lines=lines))
    if message.delivery_status and message.delivery_status_at is not None:
        if message.delivery_status == OutgoingMessage.DeliveryStatus.DELIVERED:
            title = _("Message to the resident delivered: %(kind)s (%(channel)s)") % what
            lines = []
        else:
            title = _("Message to the resident not delivered: %(kind)s (%(channel)s)") % what
            lines = [str(message.get_delivery_status_display())]
        events.append(Event(at=message.delivery_status_at, title=title, lines=lines))
    return events


def undelivered_messages(submission: Submission) -> list[OutgoingMessage]:
    """Messages about the case that GOV.UK Notify could not deliver for good (a wrong address or
    number): staff see them above the case, to check the resident's details with them."""
    return list(
        OutgoingMessage.objects.filter(
            submission=submission,
            delivery_status=OutgoingMessage.DeliveryStatus.PERMANENT_FAILURE,
        ).order_by("-delivery_status_at")
    )


def _message(message: CaseMessage) -> Event:
    """A question or what the resident said, with its files and, for each back office that
    holds the case, how sending it on went (a failure stays visible here)."""
    if message.author is not None:
        by = message.author.get_full_name() or message.author.email
    elif message.kind == CaseMessage.Kind.QUESTION:
        by = _("the back office")
    else:
        by = _("the resident")
    lines = [message.text]
    lines.extend(_("File: %(name)s") % {"name": file.name} for file in message.files.all())
    lines.extend(_sent_on(update) for update in message.outgoing.all())
    return Event(at=message.created_at, title=str(message.get_kind_display()), by=by, lines=lines)


def _sent_on(update: OutgoingUpdate) -> str:
    system = update.connection.name
    if update.state == OutgoingUpdate.State.FAILED:
        return _("Not sent to %(system)s: %(error)s") % {
            "system": system,
            "error": update.last_error,
        }
    if update.state == OutgoingUpdate.State.NOT_SUPPORTED:
        return _("Not sent to %(system)s: it does not take updates. Pass this on by hand.") % {
            "system": system
        }
    if update.state == OutgoingUpdate.State.DELIVERED:
        return _("Sent to %(system)s") % {"system": system}
    return _("Waiting to be sent to %(system)s") % {"system": system}
