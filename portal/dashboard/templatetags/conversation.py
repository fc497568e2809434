"""The conversation part of a request's page (templates/dashboard/_reply.html): what the council
asked and what the resident said, the reply form while a question waits, and the way to reopen
a recently closed request. One tag, so the request page needs one line for all of it."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from portal.dashboard.forms import ReplyForm
from services.conversations.resident import to_do
from services.models import CaseMessage, Submission

register = template.Library()


@register.inclusion_tag("dashboard/_reply.html", takes_context=True)
def conversation(
    context: template.Context, submission: Submission, form: Any = None, token: str = ""
) -> dict[str, Any]:
    """`form` is the reply form with its errors when the reply page shows it again; `token`
    the guest's tracking token on the guest's page."""
    if token:
        reply_url = reverse("dashboard:track_reply", args=[token])
        reopen_url = reverse("dashboard:track_reopen", args=[token])
    else:
        reply_url = reverse("dashboard:reply", args=[submission.reference])
        reopen_url = reverse("dashboard:reopen", args=[submission.reference])
    said = list(CaseMessage.objects.filter(submission=submission).prefetch_related("files"))
    questions = [m for m in said if m.kind == CaseMessage.Kind.QUESTION]
    todo = to_do(submission)
    question = questions[-1] if questions and todo.reply else None
    return {
        "submission": submission,
        # The question waiting for an answer is shown above the form, not again below it.
        "said": [m for m in said if m is not question],
        "question": question,
        "to_do": todo,
        "form": form if form is not None else ReplyForm(),
        "reply_url": reply_url,
        "reopen_url": reopen_url,
        "csrf_token": context.get("csrf_token"),
        "standalone": form is not None,
    }
