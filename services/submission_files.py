"""The SubmissionFile rows of a submission: one per file answer, made with the submission.

`submit_draft` calls `file_rows` before it saves the submission (a file gone from storage sends
the resident back to upload it again, and nothing is saved) and saves them with it, in its
transaction. The facts are the stored bytes' own: the type from the extension that
services/forms/uploads.py chose by content, the size and the SHA-256 read from storage, so a
delivery can later prove it sends exactly what was uploaded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from django.core.files.storage import Storage, default_storage

from integrations.files import safe_filename
from services.forms.schema import FormSchema
from services.forms.uploads import content_type_of
from services.models import Submission, SubmissionFile

CHUNK_BYTES = 1024 * 1024


class StoredFileMissing(Exception):
    """The bytes of a file answer are not in storage; `question_id` names its question."""

    def __init__(self, question_id: str) -> None:
        super().__init__(question_id)
        self.question_id = question_id


def file_rows(
    schema: FormSchema, answers: Mapping[str, Any], storage: Storage | None = None
) -> list[SubmissionFile]:
    """An unsaved SubmissionFile for each file answer in `answers`, in the form's order; set its
    submission and save it with the submission. Raises StoredFileMissing."""
    storage = storage or default_storage
    rows = []
    for question in schema.questions:
        answer = answers.get(question.id)
        if question.type != "file" or not isinstance(answer, Mapping):
            continue
        reference = str(answer["reference"])
        try:
            size, sha256 = measure(reference, storage)
        except FileNotFoundError:
            raise StoredFileMissing(question.id) from None
        rows.append(
            SubmissionFile(
                question_id=question.id,
                name=safe_filename(str(answer.get("name") or ""), reference.rsplit(".", 1)[-1]),
                storage_name=reference,
                content_type=content_type_of(reference),
                size=size,
                sha256=sha256,
            )
        )
    return rows


def save_file_rows(submission: Submission, rows: list[SubmissionFile]) -> None:
    """Save `rows` (from file_rows) as the files of the just-saved `submission`."""
    for row in rows:
        row.submission = submission
    SubmissionFile.objects.bulk_create(rows)


def measure(storage_name: str, storage: Storage) -> tuple[int, str]:
    """The size and SHA-256 of a stored file, read in chunks; FileNotFoundError if it is gone."""
    digest = hashlib.sha256()
    size = 0
    with storage.open(storage_name, "rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()
