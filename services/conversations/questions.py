"""A question to the resident: whoever asks it, it is recorded and the resident is told once.

Staff ask from the workspace (services/conversations/ask.py); a back office asks by sending a
status that maps to "needs your reply" (services/updates/apply.py), and the mapping's public
text is its question. Both end here, inside the transaction that changed the case's status.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import translation

from services.conversations.notify import notify_question
from services.models import CaseMessage, CaseUpdate, OutgoingMessage, Submission


def question_text(submission: Submission, case_update: CaseUpdate) -> str:
    """The question as the resident reads it: the update's public text in their language."""
    with translation.override(submission.language or settings.LANGUAGE_CODE):
        return case_update.resident_text


@dataclass(frozen=True)
class RecordedQuestion:
    message: CaseMessage
    queued: list[OutgoingMessage]  # what the resident is sent; none if they cannot be reached


def record_question(
    submission: Submission, text: str, *, case_update: CaseUpdate | None, author: Any = None
) -> RecordedQuestion:
    """Keep the question on the case and e-mail it to the resident (on commit)."""
    message = CaseMessage.objects.create(
        submission=submission,
        kind=CaseMessage.Kind.QUESTION,
        text=text,
        author=author,
        case_update=case_update,
    )
    return RecordedQuestion(message, notify_question(submission, text))
