"""A sent form's answers as rows of a GOV.UK summary list, in the language it was sent in.

The reading itself is the domain's (services/cases.py), shared with the admin and the staff
workspace; the resident sees each answer as they gave it (a place by its description, not its
coordinates)."""

from __future__ import annotations

from services import cases
from services.cases import AnswerRow
from services.models import Submission

__all__ = ["AnswerRow", "answer_rows"]


def answer_rows(submission: Submission) -> list[AnswerRow]:
    return cases.answer_rows(submission, for_resident=True)
