"""Question pages: showing one page of a draft's form and saving what the resident posts.

Kept apart from the views so that the save-for-later view can read a page's answers the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, QueryDict
from django.urls import reverse

from portal.accounts.templatetags.govuk_forms import ErrorLink
from portal.journey.addresses import resolve, state_for_answer
from portal.journey.fields import AddressState, Field, _one, build_fields_for
from portal.journey.uploads import too_big_fields
from services.drafts import add_upload, prefill_answer
from services.forms.navigation import exit_page, unanswered_required, visible_questions
from services.forms.questions import AnswerError, clean_answer, clean_page
from services.forms.schema import FormSchema, Page, Question
from services.forms.uploads import DEFAULT_MAX_BYTES
from services.models import Draft


@dataclass
class PageForm:
    """What base.html reads as `form`: with errors, the page title starts "Error: "."""

    errors: dict[str, AnswerError] = field(default_factory=dict)


@dataclass
class Posted:
    """A question page's POST, read: field data for the engine, and what happened on the way."""

    data: dict[str, Any]
    errors: dict[str, AnswerError]
    states: dict[str, AddressState]
    step: bool  # a step within a question (address lookup), not an answer to save
    files_changed: bool


def page_url(draft: Draft, page: Page | str, *, change: bool = False) -> str:
    url = reverse(
        "journey:page",
        kwargs={
            "slug": draft.form_version.form.service.slug,
            "draft_id": draft.id,
            "page_id": page if isinstance(page, str) else page.id,
        },
    )
    return f"{url}?change=1" if change else url


def check_url(draft: Draft) -> str:
    return reverse(
        "journey:check",
        kwargs={"slug": draft.form_version.form.service.slug, "draft_id": draft.id},
    )


def first_to_do(draft: Draft, schema: FormSchema, *, change: bool = False) -> str:
    """An exit page that applies, else the first unanswered required question, else the check."""
    leaving = exit_page(schema, draft.answers)
    if leaving is not None:
        return page_url(draft, leaving)
    missing = unanswered_required(schema, draft.answers)
    if missing:
        return page_url(draft, missing[0][0], change=change)
    return check_url(draft)


def post_data(post: QueryDict) -> dict[str, Any]:
    """A QueryDict as the engine reads it: one value as a string, several as a list."""
    return {key: values[0] if len(values) == 1 else values for key, values in post.lists()}


def stored_data(schema: FormSchema, page: Page, draft: Draft) -> dict[str, Any]:
    """Field data showing the draft's answers for `page` (or a profile value to start from)."""
    data: dict[str, Any] = {}
    for question in page.questions:
        value = draft.answers.get(question.id)
        if value is None and draft.user is not None:
            value = prefill_answer(question, draft.user)
        if value is not None:
            data.update(question.kind.to_data(question, value))
    return data


def address_states(schema: FormSchema, page: Page, draft: Draft) -> dict[str, AddressState]:
    states = {}
    for question in page.questions:
        if question.type == "address":
            value = draft.answers.get(question.id)
            if value is None and draft.user is not None:
                value = prefill_answer(question, draft.user)
            states[question.id] = state_for_answer(question, value)
    return states


def read_post(
    request: HttpRequest, draft: Draft, schema: FormSchema, page: Page, lang: str
) -> Posted:
    """Turn the POST into engine field data, resolving addresses and storing uploaded files."""
    post = post_data(request.POST)
    action = _one(post, "action")
    posted = Posted(dict(post), {}, {}, False, False)
    for question in visible_questions(schema, page, draft.answers):
        if question.type == "address":
            _read_address(question, post, action, posted)
        elif question.type == "file":
            _read_file(request, draft, question, lang, posted)
    return posted


def _read_address(question: Question, post: Mapping[str, Any], action: str, out: Posted) -> None:
    state, data, step = resolve(question, post, action)
    out.states[question.id] = state
    out.step = out.step or step
    for name in question.kind.field_names(question):
        out.data.pop(name, None)
    if data is not None:
        out.data.update(data)
    if state.error is not None:
        out.errors[question.id] = state.error


def _read_file(
    request: HttpRequest, draft: Draft, question: Question, lang: str, out: Posted
) -> None:
    # The stored reference never comes from the browser: only from this draft's own answer.
    for name in question.kind.field_names(question):
        out.data.pop(name, None)
    upload = request.FILES.get(question.id)
    if question.id in too_big_fields(request):
        limit = question.validation.max_size_mb or DEFAULT_MAX_BYTES // 1024 // 1024
        out.errors[question.id] = question.kind.error(question, "too_big", lang, max=f"{limit:g}")
    elif upload is not None:
        try:
            accepted = question.kind.accept(question, upload, upload.name or "", lang)  # type: ignore[attr-defined]
            value = clean_answer(question, accepted, lang)
        except AnswerError as error:
            out.errors[question.id] = error
        else:
            add_upload(draft, value["reference"])
            draft.answers = {**draft.answers, question.id: value}
            out.files_changed = True
    existing = draft.answers.get(question.id)
    if existing:
        out.data.update(question.kind.to_data(question, existing))


def clean_posted(
    draft: Draft, schema: FormSchema, page: Page, posted: Posted, lang: str
) -> tuple[dict[str, Any], dict[str, AnswerError]]:
    """The page's clean answers and its errors in page order (lookup and upload errors first)."""
    result = clean_page(page, posted.data, draft.answers, lang)
    errors = {}
    for question in page.questions:
        error = posted.errors.get(question.id) or result.errors.get(question.id)
        if error is not None:
            errors[question.id] = error
    return result.answers, errors


def build_fields(
    schema: FormSchema,
    page: Page,
    draft: Draft,
    data: Mapping[str, Any],
    errors: Mapping[str, AnswerError],
    states: Mapping[str, AddressState],
    lang: str,
) -> list[Field]:
    """The fields of the questions of `page` this draft's answers show."""
    questions = visible_questions(schema, page, draft.answers)
    uploaded = {
        q.id: (draft.answers.get(q.id) or {}).get("name", "") for q in questions if q.type == "file"
    }
    return build_fields_for(questions, data, errors, states, lang, uploaded)


def error_links(fields: list[Field]) -> list[ErrorLink]:
    return [ErrorLink(f.error.message, f"#{f.error_target}") for f in fields if f.error]
