"""Telling the resident that the council has asked them something, in their language.

The message goes through the outbox (services/messages) as kind "information_request", so it
is sent once the question is committed and never for one rolled back.
"""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from services.messages.outbox import queue_message
from services.models import Submission
from services.tracking import resident_link

KIND = "information_request"


def resident_address(submission: Submission) -> str:
    """Where the resident's messages about `submission` go ("" if nowhere)."""
    if submission.user is not None and submission.user.email:
        return str(submission.user.email)
    return submission.contact_email


def notify_question(submission: Submission, question: str) -> bool:
    """E-mail the resident the council's question; queued when the transaction commits."""
    address = resident_address(submission)
    if not address:
        return False
    language = submission.language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "reference": submission.reference,
            "service_name": submission.service.name,
            "question": question,
            "link": f"{resident_link(submission)}#reply",
            "council_name": settings.COUNCIL_NAME,
        }
        subject = " ".join(
            render_to_string("services/conversations/email/question_subject.txt", context).split()
        )
        body = render_to_string("services/conversations/email/question_message.txt", context)
    queue_message(kind=KIND, recipient=address, subject=subject, body=body, language=language)
    return True
