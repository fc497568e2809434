"""Question types: the registry and the functions a journey calls for each answer.

`QUESTION_TYPES` maps a type name to its QuestionType object:

    short_text long_text number email phone postcode vehicle_registration   (types_text.py)
    radios select checkboxes yes_no declaration                            (types_choice.py)
    date address location                                                  (types_composite.py)
    file                                                                   (types_file.py)
    repeat  ("add another": a list of items, each with its own sub-questions)  (types_repeat.py)

Each has `field_names(question)` (the inputs a page renders), `clean(question, data, lang)`
(-> JSON-serialisable value or None, raising AnswerError with a GOV.UK-style message),
`display(question, value, lang)` (plain text for check-your-answers; lines separated by "\\n"),
and `to_data(question, value)` (fields that clean back to the value, to show a page again).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

# Importing the type modules registers their types.
from services.forms import (  # noqa: F401
    types_choice,
    types_composite,
    types_file,
    types_repeat,
    types_text,
)
from services.forms.base import QUESTION_TYPES, AnswerError, FieldData, QuestionType, register
from services.forms.conditions import evaluate

if TYPE_CHECKING:
    from services.forms.schema import Page, Question

__all__ = [
    "QUESTION_TYPES",
    "AnswerError",
    "PageResult",
    "QuestionType",
    "clean_answer",
    "clean_page",
    "display_answer",
    "register",
    "resident_answer",
]


def clean_answer(question: Question, data: FieldData, lang: str = "en") -> Any:
    """Clean one question's POSTed fields; raises AnswerError."""
    return question.kind.clean(question, data, lang)


def display_answer(question: Question, value: Any, lang: str = "en") -> str:
    """An answer as complete plain text, for staff and back-office text."""
    return question.kind.display(question, value, lang)


def resident_answer(question: Question, value: Any, lang: str = "en") -> str:
    """An answer as plain text for the resident: check your answers and their account."""
    return question.kind.display_for_resident(question, value, lang)


@dataclass
class PageResult:
    """Clean answers of a page's visible questions, and errors by question id (in page order)."""

    answers: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, AnswerError] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def clean_page(
    page: Page, data: FieldData, answers: Mapping[str, Any], lang: str = "en"
) -> PageResult:
    """Clean every question on `page` that is visible given the `answers` from earlier pages.

    Hidden questions and blank optional ones are left out of `result.answers`, so the caller
    should replace this page's stored answers with them (and then `navigation.prune`).
    """
    result = PageResult()
    for question in page.questions:
        if not evaluate(question.show_if, answers):
            continue
        fields = {name: data[name] for name in question.kind.field_names(question) if name in data}
        try:
            value = clean_answer(question, fields, lang)
        except AnswerError as error:
            result.errors[question.id] = error
            continue
        if value is not None:
            result.answers[question.id] = value
    return result
