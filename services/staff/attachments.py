"""The files a resident sent with a case, found through the form's own file questions."""

from __future__ import annotations

from dataclasses import dataclass

from services.forms.uploads import REFERENCE_PATTERN
from services.models import Submission

# A stored file's extension -> the type it is served as (uploads are checked by content, so
# the extension the portal chose is the truth).
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class Attachment:
    question_id: str
    name: str
    reference: str  # the storage name, never shown or put in a URL

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.reference.rsplit(".", 1)[-1]]


def case_attachments(submission: Submission) -> list[Attachment]:
    answers = submission.answers if isinstance(submission.answers, dict) else {}
    found = []
    for question in submission.form_version.parsed.questions:
        value = answers.get(question.id)
        if question.type != "file" or not isinstance(value, dict):
            continue
        reference = str(value.get("reference") or "")
        if REFERENCE_PATTERN.fullmatch(reference):
            found.append(Attachment(question.id, str(value.get("name") or ""), reference))
    return found
