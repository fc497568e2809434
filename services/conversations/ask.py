"""Staff ask the resident a question from the workspace.

The question is the public message of a change to "needs your reply" (services/staff/status.py
`change_status`, the same decide/apply path as every status change), which records it and tells
the resident (services/updates/apply.py `apply_decision`). A case already waiting for an answer
keeps its status: the further question is recorded and sent on its own.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from services.conversations.questions import record_question
from services.models import CaseMessage, Submission
from services.staff.status import change_status

NEEDS_INFORMATION = Submission.Status.NEEDS_INFORMATION


def ask_resident(submission: Submission, by: Any, question: str) -> CaseMessage:
    """Record `question` on the case, set it to "needs your reply" and tell the resident; or
    raise services.staff.status.StatusChangeRefused and change nothing."""
    with transaction.atomic():
        case = (
            Submission.objects.select_for_update(of=("self",))
            .select_related("user", "service")
            .get(pk=submission.pk)
        )
        if case.status == NEEDS_INFORMATION:
            message = record_question(case, question, case_update=None, author=by).message
        else:
            change = change_status(case, by, status=NEEDS_INFORMATION, message=question)
            message = CaseMessage.objects.get(
                case_update=change.update, kind=CaseMessage.Kind.QUESTION
            )
    submission.status = NEEDS_INFORMATION
    return message
