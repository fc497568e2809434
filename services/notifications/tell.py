"""`tell_resident`: the one way the portal writes to a resident about their request.

Every message about a request (the acknowledgement, a change of status, whether a back office or
a member of staff made it, a request for information, a reminder) is rendered here, in the
resident's language (services/notifications/residents.py), and queued once per channel they
chose, in the caller's transaction: a rolled-back change sends nothing, a committed one is in the
outbox for the worker. An e-mail has a subject, a text body and sometimes an HTML part; a text
message has a body only; a letter (to someone with neither an e-mail address nor a mobile
number) has the e-mail's subject as its heading, a body of its own, and the postal address.

Each kind's words are templates, one set per kind; the text of every template is translated, so
rendering inside `translation.override(language)` gives the Welsh or the English message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from services.delivery.alerts import absolute_url
from services.messages.outbox import queue_message
from services.models import OutgoingMessage, Submission
from services.notifications.residents import resident_of
from services.notifications.rules import ACKNOWLEDGEMENT, Channel, Kind
from services.tracking import resident_link

_DIR = "services/notifications"


@dataclass(frozen=True)
class Templates:
    email_subject: str
    email_text: str
    sms: str
    letter: str
    email_html: str = ""


TEMPLATES: dict[str, Templates] = {
    ACKNOWLEDGEMENT: Templates(
        email_subject=f"{_DIR}/acknowledgement/email_subject.txt",
        email_text="journey/email/acknowledgement.txt",
        email_html="journey/email/acknowledgement.html",
        sms=f"{_DIR}/acknowledgement/sms.txt",
        letter=f"{_DIR}/acknowledgement/letter.txt",
    ),
    # context: case_update (its resident_text is read in the resident's language)
    Kind.STATUS_UPDATE.value: Templates(
        email_subject="services/updates/email/status_subject.txt",
        email_text="services/updates/email/status_message.txt",
        sms=f"{_DIR}/status_update/sms.txt",
        letter=f"{_DIR}/status_update/letter.txt",
    ),
    # context: text (what the council asks), the same in both languages as its author wrote it
    Kind.INFORMATION_REQUEST.value: Templates(
        email_subject=f"{_DIR}/information_request/email_subject.txt",
        email_text=f"{_DIR}/information_request/email.txt",
        sms=f"{_DIR}/information_request/sms.txt",
        letter=f"{_DIR}/information_request/letter.txt",
    ),
    # context: text (what the resident is reminded of)
    Kind.REMINDER.value: Templates(
        email_subject=f"{_DIR}/reminder/email_subject.txt",
        email_text=f"{_DIR}/reminder/email.txt",
        sms=f"{_DIR}/reminder/sms.txt",
        letter=f"{_DIR}/reminder/letter.txt",
    ),
}


def tell_resident(
    submission: Submission,
    kind: str,
    context: Mapping[str, Any] | None = None,
    *,
    link: str = "",
) -> list[OutgoingMessage]:
    """Queue the `kind` message about `submission` on each channel its resident chose.

    `context` adds to what every template has (submission, reference, service_name, status,
    link, council_name); `link` is where to see the request (by default their account's page
    for it, or a guest's signed tracking link, in their language). Returns the messages queued:
    none when the resident chose none, or cannot be reached.
    """
    templates = TEMPLATES.get(kind)
    if templates is None:
        raise ValueError(f"no message templates for {kind!r}")
    resident = resident_of(submission)
    queued = []
    with translation.override(resident.language):
        full = {
            "submission": submission,
            "reference": submission.reference,
            "service_name": submission.service.name,
            "status": submission.get_status_display(),
            "link": link or resident_link(submission),
            "council_name": settings.COUNCIL_NAME,
            **(context or {}),
        }
        for channel in resident.channels(kind):
            content: dict[str, Any]
            if channel == Channel.SMS:
                content = {"body": _sms_text(templates.sms, full)}
            elif channel == Channel.LETTER:
                on_paper = {
                    **full,
                    "link": _link_on_paper(submission, full["link"]),
                    "track_url": _track_url_on_paper(submission, resident.language),
                }
                content = {
                    "subject": " ".join(render_to_string(templates.email_subject, full).split()),
                    "body": render_to_string(templates.letter, on_paper).strip(),
                    "address_lines": resident.postal_address,
                }
            else:
                content = {
                    "subject": " ".join(render_to_string(templates.email_subject, full).split()),
                    "body": render_to_string(templates.email_text, full),
                    "html": render_to_string(templates.email_html, full)
                    if templates.email_html
                    else "",
                }
            queued.append(
                queue_message(
                    kind=kind,
                    recipient=resident.address(channel),
                    language=resident.language,
                    user=submission.user,
                    submission=submission,
                    channel=channel,
                    **content,
                )
            )
    return queued


def _link_on_paper(submission: Submission, link: str) -> str:
    """The link a letter may print: an account's request page, never a guest's signed tracking
    link, which cannot be typed from paper and may have expired (TRACK_LINK_MAX_AGE) by the time
    the post arrives; a guest's letter tells them to quote their reference instead."""
    return link if submission.user is not None else ""


def _track_url_on_paper(submission: Submission, language: str) -> str:
    """For a guest's letter: the page where the reference and the postcode on the envelope show
    the request (portal/dashboard/views/track.py), short enough to type from paper."""
    if submission.user is not None:
        return ""
    # English is LANGUAGE_CODE ("en-gb") at unprefixed addresses; plain "en" reverses to /en/.
    with translation.override(settings.LANGUAGE_CODE if language == "en" else language):
        return absolute_url(reverse("dashboard:track"))


def _sms_text(template: str, context: Mapping[str, Any]) -> str:
    # Templates are laid out for people to read; a text message has no room for blank lines.
    lines = render_to_string(template, dict(context)).strip().splitlines()
    return "\n".join(line.strip() for line in lines if line.strip())
