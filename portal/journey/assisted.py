"""The journey while an agent fills a draft in for a resident (services/assisted.py).

The pages are the resident's own (these views, the same form engine and checks); only their
frame changes: the staff workspace's layout, with an identity bar saying whom the agent acts
for and a way to stop. Who may use such a draft, and where sending it leads, are here too.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from services.assisted import acting_for
from services.models import Draft, Submission
from services.staff.scope import may_assist_with

LAYOUT = "staff/assist/layout.html"


def may_fill_in(request: HttpRequest, draft: Draft) -> bool:
    """Only the agent who started it, and only while they may still assist with its service
    (an agent who leaves the team loses the drafts they had open with it)."""
    user = request.user
    return (
        user.is_authenticated
        and user.pk == draft.created_by_id
        and may_assist_with(user, draft.form_version.form.service)
    )


def frame(draft: Draft) -> dict[str, Any]:
    """What a journey page adds to its context for an assisted draft: the workspace's layout
    and who the agent acts for. Nothing for a resident's own draft."""
    caller = acting_for(draft)
    if caller is None:
        return {}
    return {"layout": LAYOUT, "acting_for": caller, "assisted_draft": draft, "active": "assist"}


def account_link(request: HttpRequest, draft: Draft) -> str:
    """Where the acknowledgement sends a resident with an account: their account, in their own
    language. A caller without one gets their signed tracking link (services.tracking)."""
    if draft.user_id is None:
        return ""
    with translation.override(draft.language or None):
        return request.build_absolute_uri(reverse("dashboard:home"))


def confirmation_url(submission: Submission) -> str:
    return reverse("staff:assist_sent", args=[submission.reference])
