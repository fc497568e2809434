"""Branching and navigation: pure functions over a FormSchema and the answers so far.

`answers` maps question id -> clean value (what `clean_page` returned, accumulated). An answer
only counts while its question is visible: if a resident changes an early answer so that a
later page is skipped, that page's old answers stop influencing anything (and `prune` drops
them). Pages are walked in schema order; the walk stops at the first visible exit page, since
nobody can go past it. Conditions only refer to questions on earlier pages (parse_schema makes
sure), so each page's visibility is settled before the page is reached.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.forms.conditions import evaluate, has_answer
from services.forms.schema import FormSchema, Page, Question

__all__ = [
    "evaluate",
    "exit_page",
    "first_page",
    "is_complete",
    "next_page",
    "previous_page",
    "prune",
    "unanswered_required",
    "visible_pages",
    "visible_questions",
]


@dataclass(frozen=True)
class _Walk:
    pages: tuple[Page, ...]
    answers: dict[str, Any]  # the answers that count: visible questions, non-empty
    shown: frozenset[str]  # ids of visible questions


def _walk(schema: FormSchema, answers: Mapping[str, Any]) -> _Walk:
    counted: dict[str, Any] = {}
    shown: set[str] = set()
    pages: list[Page] = []
    for page in schema.pages:
        if not evaluate(page.show_if, counted):
            continue
        pages.append(page)
        if page.is_exit:
            break
        # Judge every question of a page on the answers before it, as clean_page does.
        before = dict(counted)
        for question in page.questions:
            if evaluate(question.show_if, before):
                shown.add(question.id)
                if has_answer(answers.get(question.id)):
                    counted[question.id] = answers[question.id]
    return _Walk(tuple(pages), counted, frozenset(shown))


def visible_pages(schema: FormSchema, answers: Mapping[str, Any]) -> list[Page]:
    """The pages this resident sees, in order, ending with an exit page if one applies."""
    return list(_walk(schema, answers).pages)


def visible_questions(schema: FormSchema, page: Page, answers: Mapping[str, Any]) -> list[Question]:
    """The questions to render on `page` (empty if the page itself is hidden)."""
    shown = _walk(schema, answers).shown
    return [q for q in page.questions if q.id in shown]


def first_page(schema: FormSchema, answers: Mapping[str, Any] | None = None) -> Page:
    """Where a journey starts (the first page cannot be conditional, so it is always shown)."""
    return _walk(schema, answers or {}).pages[0]


def next_page(schema: FormSchema, answers: Mapping[str, Any], current_page_id: str) -> Page | None:
    """The next visible page after `current_page_id` (an exit page if one now applies), or None
    when the questions are finished and check-your-answers comes next.

    Nothing follows an exit page. KeyError if `current_page_id` is not in the schema.
    """
    position = _position(schema, current_page_id)
    for page in _walk(schema, answers).pages:
        if _position(schema, page.id) > position:
            return page
    return None


def previous_page(
    schema: FormSchema, answers: Mapping[str, Any], current_page_id: str
) -> Page | None:
    """The visible question page before `current_page_id` (for the Back link), or None at the
    start. KeyError if `current_page_id` is not in the schema."""
    position = _position(schema, current_page_id)
    earlier = [
        page
        for page in _walk(schema, answers).pages
        if not page.is_exit and _position(schema, page.id) < position
    ]
    return earlier[-1] if earlier else None


def exit_page(schema: FormSchema, answers: Mapping[str, Any]) -> Page | None:
    """The exit page the answers lead to, if any: such a journey cannot be submitted."""
    pages = _walk(schema, answers).pages
    return pages[-1] if pages and pages[-1].is_exit else None


def unanswered_required(
    schema: FormSchema, answers: Mapping[str, Any]
) -> list[tuple[Page, Question]]:
    """Visible required questions still without an answer, in order, with their pages.

    Before check-your-answers or submit, send the resident to the first of these.
    """
    walk = _walk(schema, answers)
    return [
        (page, question)
        for page in walk.pages
        for question in page.questions
        if question.id in walk.shown
        and (question.required or question.type == "declaration")
        and question.id not in walk.answers
    ]


def is_complete(schema: FormSchema, answers: Mapping[str, Any]) -> bool:
    """Whether the answers can be submitted: no exit page applies, nothing required is missing."""
    return exit_page(schema, answers) is None and not unanswered_required(schema, answers)


def prune(schema: FormSchema, answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers without those of now-hidden or unknown questions (and without blanks).

    Call after every page is saved, e.g. after a change from check-your-answers, so answers
    that no longer apply are neither shown nor submitted. prune(prune(a)) == prune(a).
    """
    return _walk(schema, answers).answers


def _position(schema: FormSchema, page_id: str) -> int:
    for index, page in enumerate(schema.pages):
        if page.id == page_id:
            return index
    raise KeyError(page_id)
