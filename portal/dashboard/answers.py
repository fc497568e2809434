"""A sent form's answers as rows of a GOV.UK summary list, in the language it was sent in."""

from __future__ import annotations

from dataclasses import dataclass

from services.forms.questions import resident_answer
from services.forms.text import text
from services.models import Submission


@dataclass(frozen=True)
class AnswerRow:
    question: str
    answer: str  # plain text; lines separated by "\n"


def answer_rows(submission: Submission) -> list[AnswerRow]:
    """One row per answered question, in the order the form asks them.

    The questions come from the version the resident filled in (which never changes), so an
    answer always meets the question it answered.
    """
    lang = submission.language
    answers = submission.answers if isinstance(submission.answers, dict) else {}
    return [
        AnswerRow(text(question.label, lang), resident_answer(question, answers[question.id], lang))
        for question in submission.form_version.parsed.questions
        if answers.get(question.id) not in (None, "", [], {})
    ]
