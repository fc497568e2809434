"""Sending an outbox message through GOV.UK Notify: which template, what personalisation, and
never the same message twice.

Templates: NOTIFY_TEMPLATES maps channel -> message kind (or "default") -> language -> template
id. The portal renders every message itself (in the resident's language), so most councils need
only one generic template per channel and language, whose content is `((subject))` / `((body))`
(an e-mail or a letter) or `((body))` (a text message); a kind with a template of its own (a
branded acknowledgement) is listed under its kind. The personalisation is always the same:
subject, body, and for a letter address_line_1..7 (what Notify reads the address from).

Nothing twice: Notify has no idempotency key, so each message's `reference` is its outbox
message_id, unique per message. A message being sent for a second time (its first attempt's
outcome unknown: no answer, a 5xx, a worker killed mid-call) is first looked up by that reference,
and if Notify has it, the message is adopted as sent instead of sent again. A lookup that fails
is a transient failure: better late than twice.
"""

from __future__ import annotations

from functools import cache
from typing import cast

from django.conf import settings

from integrations.notify.client import NotifyChannel, NotifyClient, NotifyError, key_problem
from services.models import OutgoingMessage

MAX_ADDRESS_LINES = 7  # Notify's address_line_1..7; the last line is the postcode


class TemplateMissing(LookupError):
    """No template is configured for a message's channel, kind and language."""


def configured() -> bool:
    """Whether messages go through Notify (NOTIFY_API_KEY is set)."""
    return bool(settings.NOTIFY_API_KEY)


def setting_problems() -> list[str]:
    """What is wrong with the Notify settings (for `manage.py check --deploy`), never echoing
    the key: a malformed key, no e-mail template, no token for delivery receipts."""
    if not configured():
        return []
    problems = []
    if (problem := key_problem(settings.NOTIFY_API_KEY)) is not None:
        problems.append(f"NOTIFY_API_KEY: {problem}")
    try:
        template_id("email", "default", "en")
    except TemplateMissing:
        problems.append('NOTIFY_TEMPLATES has no e-mail template ("email": {"default": {"en"}})')
    if not settings.NOTIFY_CALLBACK_TOKEN:
        problems.append("NOTIFY_CALLBACK_TOKEN is not set: every delivery receipt is refused")
    return problems


def template_id(channel: str, kind: str, language: str) -> str:
    """The template for a message: its kind's own, else the channel's default; in its language,
    else English (a Welsh template not yet approved should not stop the message)."""
    templates = settings.NOTIFY_TEMPLATES.get(channel) or {}
    language = (language or "en").split("-")[0].lower()
    for key in (kind, "default"):
        by_language = templates.get(key)
        if not isinstance(by_language, dict):
            continue
        for lang in (language, "en"):
            found = by_language.get(lang)
            if isinstance(found, str) and found:
                return found
    raise TemplateMissing(f"No Notify template for {channel} {kind!r} ({language})")


def personalisation(message: OutgoingMessage) -> dict[str, str]:
    """What fills the template's ((placeholders)), from the stored message content."""
    content = message.content or {}
    fields = {"subject": str(content.get("subject", "")), "body": str(content.get("body", ""))}
    if message.channel == OutgoingMessage.Channel.LETTER:
        lines = [str(line) for line in content.get("address_lines") or []]
        for n, line in enumerate(lines[:MAX_ADDRESS_LINES], start=1):
            fields[f"address_line_{n}"] = line
    return fields


@cache
def _client(api_key: str, base_url: str, timeout: float) -> NotifyClient:
    # One client (and so one pooled HTTP session) per worker process and key.
    return NotifyClient(api_key, base_url=base_url, timeout=timeout)


def client() -> NotifyClient:
    return _client(
        settings.NOTIFY_API_KEY, settings.NOTIFY_BASE_URL, settings.NOTIFY_TIMEOUT_SECONDS
    )


def send(message: OutgoingMessage, *, resend: bool) -> tuple[str, str]:
    """Have Notify send `message`; returns (Notify's notification id, the template used).

    `resend`: an earlier attempt may have reached Notify, so look the reference up first and
    adopt what is found. Raises NotifyError or TemplateMissing.
    """
    template = template_id(message.channel, message.kind, message.language)
    notify = client()
    if resend:
        found = notify.find_by_reference(message.message_id)
        if found is not None:
            return found.id, template
    sent = notify.send(
        cast(NotifyChannel, str(message.channel)),
        recipient=message.recipient,
        template_id=template,
        personalisation=personalisation(message),
        reference=message.message_id,
    )
    return sent.id, template


__all__ = ["NotifyError", "TemplateMissing", "configured", "send", "template_id"]
