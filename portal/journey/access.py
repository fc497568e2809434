"""Who may use a draft or see a confirmation.

A signed-in resident's draft is theirs alone, and one an agent fills in for a resident is the
agent's (assisted.py). A guest's draft is reachable from the session that
started it (or that opened its resume link). A confirmation page is for the resident who owns the
submission, or the session that sent it. Anything else is a 404: whether a draft or reference
exists is not given away.
"""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest
from django.utils import timezone

from portal.journey.assisted import may_fill_in
from services.models import Draft, Submission

SESSION_DRAFTS = "journey.drafts"  # ids of guest drafts this session may use
SESSION_SENT = "journey.sent"  # {draft id: reference} for drafts sent from this session
MAX_REMEMBERED = 20  # a session remembers this many drafts and references at most


def remember_draft(request: HttpRequest, draft_id: uuid.UUID) -> None:
    ids = [i for i in request.session.get(SESSION_DRAFTS, []) if i != str(draft_id)]
    request.session[SESSION_DRAFTS] = [*ids, str(draft_id)][-MAX_REMEMBERED:]


def remember_sent(request: HttpRequest, draft_id: uuid.UUID, reference: str) -> None:
    sent = dict(request.session.get(SESSION_SENT, {}))
    sent[str(draft_id)] = reference
    request.session[SESSION_SENT] = dict(list(sent.items())[-MAX_REMEMBERED:])
    ids = [i for i in request.session.get(SESSION_DRAFTS, []) if i != str(draft_id)]
    request.session[SESSION_DRAFTS] = ids


def sent_reference(request: HttpRequest, draft_id: uuid.UUID) -> str | None:
    """The reference of a draft this session sent, if it did."""
    return request.session.get(SESSION_SENT, {}).get(str(draft_id))


def may_use(request: HttpRequest, draft: Draft) -> bool:
    if draft.created_by_id is not None:  # an agent's, for a resident: theirs alone
        return may_fill_in(request, draft)
    if draft.user_id is not None:
        return request.user.is_authenticated and request.user.pk == draft.user_id
    return str(draft.id) in request.session.get(SESSION_DRAFTS, [])


def find_draft(request: HttpRequest, slug: str, draft_id: uuid.UUID) -> Draft | None:
    """The draft if this request may use it; None if it is gone; Http404 if it is not theirs."""
    draft = (
        Draft.objects.select_related("form_version__form__service", "user")
        .filter(pk=draft_id)
        .first()
    )
    if draft is None:
        return None
    if not may_use(request, draft) or draft.form_version.form.service.slug != slug:
        raise Http404
    return draft


def is_expired(draft: Draft) -> bool:
    return draft.expires_at <= timezone.now()


def may_see(request: HttpRequest, submission: Submission) -> bool:
    if request.user.is_authenticated and submission.user_id == request.user.pk:
        return True
    return submission.reference in request.session.get(SESSION_SENT, {}).values()
