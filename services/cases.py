"""A case as people read it: its answers as the resident saw the questions, its contact details
and its files. The domain's one reading of a submission for every screen that shows one (the
resident's account, the admin's submission page, next the staff workspace); screens only present
what these return, and record who looked (services.audit) where the reader is staff.

Its timeline is services/delivery/timeline.py; the payload a destination would be sent is
services/routing/preview.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.forms.questions import display_answer, resident_answer
from services.forms.schema import SchemaError
from services.forms.text import text
from services.forms.uploads import REFERENCE_PATTERN
from services.models import Submission
from services.routing.mapping import mapping_context_for


@dataclass(frozen=True)
class AnswerRow:
    question: str
    answer: str  # plain text; lines separated by "\n"


@dataclass(frozen=True)
class CaseFile:
    """A file the resident uploaded: `question` it answered, `name` they gave it."""

    question: str
    name: str
    reference: str  # where services/forms/uploads.py stored it (private storage)


@dataclass(frozen=True)
class ContactDetails:
    name: str
    email: str
    phone: str


def answer_rows(submission: Submission, *, for_resident: bool = False) -> list[AnswerRow]:
    """One row per answered question, in the order the form asks them, in the case's language.

    For the resident, each answer reads as they gave it (services/forms/questions.py
    resident_answer); for staff and back offices, with every detail (a place's coordinates too).

    The questions come from the version the resident filled in (which never changes), so an
    answer always meets the question it answered.
    """
    lang = submission.language
    answers = submission.answers if isinstance(submission.answers, dict) else {}
    show = resident_answer if for_resident else display_answer
    return [
        AnswerRow(text(question.label, lang), show(question, answers[question.id], lang))
        for question in submission.form_version.parsed.questions
        if answers.get(question.id) not in (None, "", [], {})
    ]


def contact_details(submission: Submission) -> ContactDetails:
    """The resident's name, e-mail and phone: their account's, else what the form asked.

    The same reading a destination's mapping gets for {"profile": ...}, so what staff see is
    what the back office was sent."""
    profile: Mapping[str, Any] = mapping_context_for(submission).profile
    return ContactDetails(
        name=str(profile.get("full_name") or ""),
        email=str(profile.get("email") or ""),
        phone=str(profile.get("phone") or ""),
    )


def case_files(submission: Submission) -> list[CaseFile]:
    """The case's uploaded files, in the order the form asks for them.

    Only a stored upload's reference is taken (REFERENCE_PATTERN), so an answer that merely
    looks like a file can never point a reader at some other stored file."""
    try:
        questions = submission.form_version.parsed.questions
    except SchemaError:
        return []
    answers = submission.answers if isinstance(submission.answers, dict) else {}
    files = []
    for question in questions:
        value = answers.get(question.id)
        if question.type != "file" or not isinstance(value, dict):
            continue
        reference = value.get("reference")
        if isinstance(reference, str) and REFERENCE_PATTERN.fullmatch(reference):
            label = text(question.label, submission.language)
            files.append(CaseFile(label, str(value.get("name") or reference), reference))
    return files
