"""A sent form's answers as rows of a GOV.UK summary list, in the language it was sent in.

The reading itself is the domain's (services/cases.py), shared with the admin and the staff
workspace; this module keeps the dashboard's name for it."""

from services.cases import AnswerRow, answer_rows

__all__ = ["AnswerRow", "answer_rows"]
