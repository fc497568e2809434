"""A case as people read it: its answers as the resident saw the questions, its contact details
and its files. The domain's one reading of a submission for every screen that shows one (the
resident's account, the admin's submission page, the staff workspace); screens only present
what these return, and record who looked (services.audit) where the reader is staff.

Its timeline is services/delivery/timeline.py; the payload a destination would be sent is
services/routing/preview.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from services.forms.questions import display_answer, resident_answer
from services.forms.schema import SchemaError
from services.forms.text import text
from services.models import Submission, SubmissionFile
from services.routing.mapping import mapping_context_for


@dataclass(frozen=True)
class AnswerRow:
    question: str
    answer: str  # plain text; lines separated by "\n"


# What each type a file can be (services/forms/uploads.py checks it by content) is called.
FILE_KINDS = {
    "image/jpeg": _("JPEG image"),
    "image/png": _("PNG image"),
    "image/webp": _("WebP image"),
    "application/pdf": _("PDF document"),
}


@dataclass(frozen=True)
class CaseFile:
    """A file the resident uploaded: the `question` it answered (as they saw it), the `name`
    they gave it, and what it is. `deleted_at` is set once retention deleted its bytes."""

    question_id: str
    question: str
    name: str
    content_type: str
    size: int  # bytes
    deleted_at: datetime | None

    @property
    def kind(self) -> str:
        return str(FILE_KINDS.get(self.content_type, self.content_type))


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
    """The case's uploaded files (its SubmissionFile rows, one query), in the order they came.

    Only rows are files: an answer that merely looks like a file is never offered as one, and
    where a file is stored is never shown."""
    labels = _question_labels(submission)
    return [
        CaseFile(
            question_id=row.question_id,
            question=labels.get(row.question_id) or _file_label(row.question_id),
            name=row.name,
            content_type=row.content_type,
            size=row.size,
            deleted_at=row.deleted_at,
        )
        for row in submission.files.all()
    ]


def _file_label(question_id: str) -> str:
    # A file the resident sent with a reply (services/conversations/resident.py).
    if question_id.startswith("reply-"):
        return str(_("Sent with the resident’s reply"))
    return question_id


@dataclass(frozen=True)
class FilePlace:
    """Which of its case's files a file is, in words that are not the resident's: the question
    it answered as `case_files` names it, and its `number` among the case's `count` files."""

    question: str
    number: int
    count: int


def file_place(file_row: SubmissionFile) -> FilePlace:
    """Where `file_row` stands among its case's files, in the order `case_files` lists them."""
    submission = file_row.submission
    ids = list(submission.files.values_list("pk", flat=True))
    return FilePlace(
        question=_question_labels(submission).get(file_row.question_id)
        or _file_label(file_row.question_id),
        number=ids.index(file_row.pk) + 1,
        count=len(ids),
    )


def case_file(submission: Submission, question_id: str) -> SubmissionFile | None:
    """The case's file answering `question_id` (kept or deleted by retention), if it has one."""
    return submission.files.filter(question_id=question_id).first()


def _question_labels(submission: Submission) -> dict[str, str]:
    """Each question's label as the resident saw it; none when the version cannot be read."""
    try:
        questions = submission.form_version.parsed.questions
    except SchemaError:
        return {}
    return {question.id: text(question.label, submission.language) for question in questions}
