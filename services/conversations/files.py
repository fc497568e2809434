"""The files a resident sends with a reply: checked by content and stored as a form's files are.

The same checks as a file question (services/forms/uploads.py: the bytes decide the type, a
damaged, encrypted or active PDF is refused, a photo loses its metadata) with the same messages
in English and Welsh (services/forms/types_file.py), so a file the form would refuse a reply
refuses too, in the same words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO

from services.conversations.resident import StoredFile
from services.forms.text import Text
from services.forms.types_file import FileUpload
from services.forms.uploads import DEFAULT_MAX_BYTES, UploadError, inspect_upload, store_upload

# A reply is an answer, not a new form: a few photos or letters at most.
MAX_REPLY_FILES = 5
MAX_MB = f"{DEFAULT_MAX_BYTES // 1024 // 1024:g}"


class ReplyFileError(ValueError):
    """A file refused; `message` says why, in the resident's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def refusal(code: str, lang: str) -> str:
    """The file question's message for `code` (empty, too_big, file_type, ...) in `lang`."""
    _, for_any_question = FileUpload.messages.get(code, FileUpload.messages["invalid"])
    return for_any_question.format(max=MAX_MB).get(lang)


def accept_files(
    uploads: Sequence[tuple[IO[bytes], str]], lang: str, *, store: bool = True
) -> list[StoredFile]:
    """Check each (file, the resident's name for it) by content, then store them all privately
    (unless `store` is False: the rest of the reply is refused anyway, and the resident will
    choose the files again); raises ReplyFileError for the first refused, having stored none."""
    if len(uploads) > MAX_REPLY_FILES:
        raise ReplyFileError(
            Text(
                f"Select up to {MAX_REPLY_FILES} files",
                f"Dewiswch hyd at {MAX_REPLY_FILES} ffeil",
            ).get(lang)
        )
    checked = []
    for fileobj, name in uploads:
        try:
            checked.append((fileobj, name, inspect_upload(fileobj, DEFAULT_MAX_BYTES)))
        except UploadError as exc:
            raise ReplyFileError(refusal(exc.code, lang)) from None
    if not store:
        return []
    return [
        StoredFile(reference=store_upload(fileobj, info), name=name)
        for fileobj, name, info in checked
    ]
