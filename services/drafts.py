"""Drafts: starting one (with "tell us once" answers), saving a page, and resume links.

A draft holds clean answers only: every value in `draft.answers` came out of the form engine
(`clean_page`, `clean_answer`), so whatever reads a draft can trust its shape.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing

from services.addresses import with_uprn
from services.forms.navigation import prune
from services.forms.questions import AnswerError, clean_answer
from services.forms.schema import FormSchema, Page, Question
from services.models import Channel, Draft, FormVersion
from services.models.submissions import draft_expiry

RESUME_SALT = "journey.resume"


def resume_token(draft: Draft) -> str:
    """A signed token naming `draft`, for the resume link e-mailed to a guest.

    It is valid for DRAFT_LIFETIME_DAYS; the journey's resume view turns it back into the draft.
    """
    return signing.dumps(str(draft.id), salt=RESUME_SALT, compress=False)


def draft_id_from_token(token: str) -> uuid.UUID | None:
    """The draft id a resume token names, or None if it is forged, damaged or too old."""
    max_age = timedelta(days=settings.DRAFT_LIFETIME_DAYS)
    try:
        value = signing.loads(token, salt=RESUME_SALT, max_age=max_age)
        return uuid.UUID(str(value))
    except (signing.BadSignature, ValueError, TypeError):
        return None


def profile_value(user: Any, source: str) -> Any:
    """What a signed-in resident's profile holds for a prefill source, as POST-like field data
    is built from it by `prefill_answer`; None when the profile has nothing."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    value = {
        "full_name": getattr(user, "full_name", ""),
        "email": getattr(user, "email", ""),
        "phone": getattr(user, "phone", ""),
        "address": getattr(user, "address", None),
    }.get(source)
    return value or None


def prefill_answer(question: Question, user: Any) -> Any:
    """The clean answer "tell us once" gives `question` from `user`'s profile, or None.

    The profile value goes through the question's own cleaning, so a prefilled answer obeys the
    same rules as a typed one (a stale phone number that no longer validates is left out).
    """
    if not question.prefill:
        return None
    value = profile_value(user, question.prefill)
    if value is None:
        return None
    if question.type == "address":
        if not isinstance(value, Mapping):
            return None
        data = question.kind.to_data(question, dict(value))
    else:
        data = {question.kind.field_names(question)[0]: str(value)}
    try:
        return clean_answer(question, data)
    except AnswerError:
        return None


def prefilled_answers(schema: FormSchema, user: Any) -> dict[str, Any]:
    answers = {}
    for question in schema.questions:
        value = prefill_answer(question, user)
        if value is not None:
            answers[question.id] = value
    return answers


def start_draft(
    version: FormVersion,
    *,
    user: Any = None,
    channel: str = Channel.WEB,
    created_by: Any = None,
) -> Draft:
    """A new draft on `version`; a signed-in resident's profile answers are filled in."""
    owner = user if user is not None and user.is_authenticated else None
    return Draft.objects.create(
        form_version=version,
        user=owner,
        channel=channel,
        created_by=created_by,
        answers=prefilled_answers(version.parsed, owner),
    )


def save_page(draft: Draft, schema: FormSchema, page: Page, answers: Mapping[str, Any]) -> None:
    """Replace `page`'s answers in the draft with `answers` (from clean_page), drop answers
    that no longer apply, note where the resident is, and push the expiry back."""
    on_page = {question.id for question in page.questions}
    merged = {k: v for k, v in draft.answers.items() if k not in on_page}
    merged.update(answers)
    for question in page.questions:
        # A typed address gets the UPRN of the one gazetteer address it matches, as if chosen.
        if question.type == "address" and isinstance(merged.get(question.id), dict):
            merged[question.id] = with_uprn(merged[question.id])
    draft.answers = prune(schema, merged)
    draft.last_page = page.id
    draft.expires_at = draft_expiry()
    draft.save(update_fields=["answers", "uploads", "last_page", "expires_at", "updated_at"])


def add_upload(draft: Draft, reference: str) -> None:
    """Remember a file stored through this draft: only such files may be submitted with it."""
    if reference not in draft.uploads:
        draft.uploads = [*draft.uploads, reference]
