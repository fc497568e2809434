"""The file upload question type: photos and PDFs checked by content and stored privately."""

from __future__ import annotations

import os
from typing import IO, TYPE_CHECKING, Any, ClassVar

from services.forms.base import FieldData, Messages, QuestionType, register
from services.forms.text import Text
from services.forms.uploads import (
    DEFAULT_MAX_BYTES,
    REFERENCE_PATTERN,
    UploadError,
    inspect_upload,
    store_upload,
)

if TYPE_CHECKING:
    from services.forms.schema import Question


@register("file")
class FileUpload(QuestionType):
    """A photo or PDF. The value is {"reference": stored name, "name": the resident's file name}.

    A journey passes the uploaded file to `accept()`, which checks it by content and stores it,
    and then cleans the field data `accept()` returned like any other answer.
    """

    validation_keys = frozenset({"max_size_mb"})
    messages: ClassVar[Messages] = {
        "required": (
            Text("Upload {name}", "Uwchlwythwch {name}"),
            Text("Select a file", "Dewiswch ffeil"),
        ),
        "invalid": (
            Text(
                "The selected file could not be uploaded \u2013 try again",
                "Nid oedd modd uwchlwytho'r ffeil a ddewiswyd \u2013 rhowch gynnig arall arni",
            ),
        )
        * 2,
        "empty": (Text("The selected file is empty", "Mae'r ffeil a ddewiswyd yn wag"),) * 2,
        "too_big": (
            Text(
                "The selected file must be smaller than {max}MB",
                "Rhaid i'r ffeil a ddewiswyd fod yn llai na {max}MB",
            ),
        )
        * 2,
        "file_type": (
            Text(
                "The selected file must be a JPG, PNG, WebP or PDF",
                "Rhaid i'r ffeil a ddewiswyd fod yn JPG, PNG, WebP neu PDF",
            ),
        )
        * 2,
        "damaged": (
            Text(
                "The selected file is damaged \u2013 try a different file",
                "Mae'r ffeil a ddewiswyd wedi'i difrodi \u2013 rhowch gynnig ar ffeil wahanol",
            ),
        )
        * 2,
        "encrypted": (
            Text(
                "The selected file is password protected \u2013 upload a copy without a password",
                "Mae'r ffeil a ddewiswyd wedi'i diogelu gan gyfrinair \u2013 uwchlwythwch gopi "
                "heb gyfrinair",
            ),
        )
        * 2,
        "active_content": (
            Text(
                "The selected PDF contains scripts \u2013 print it to a new PDF and upload that",
                "Mae'r PDF a ddewiswyd yn cynnwys sgriptiau \u2013 argraffwch ef i PDF newydd ac "
                "uwchlwythwch hwnnw",
            ),
        )
        * 2,
    }

    def field_names(self, question: Question) -> list[str]:
        return [question.id, f"{question.id}-name"]

    def max_bytes(self, question: Question) -> int:
        size_mb = question.validation.max_size_mb
        return int(size_mb * 1024 * 1024) if size_mb else DEFAULT_MAX_BYTES

    def accept(
        self, question: Question, fileobj: IO[bytes], filename: str, lang: str = "en"
    ) -> dict[str, str]:
        """Inspect and store an uploaded file; returns field data for `clean`, or AnswerError."""
        try:
            info = inspect_upload(fileobj, self.max_bytes(question))
        except UploadError as exc:
            max_mb = f"{question.validation.max_size_mb or DEFAULT_MAX_BYTES // 1024 // 1024:g}"
            raise self.error(question, exc.code, lang, max=max_mb) from None
        reference = store_upload(fileobj, info)
        return {question.id: reference, f"{question.id}-name": filename}

    def parse(self, question: Question, data: FieldData, lang: str) -> dict[str, str] | None:
        reference = self.read(data, question.id)
        if not reference:
            if question.required:
                raise self.error(question, "required", lang)
            return None
        if not REFERENCE_PATTERN.fullmatch(reference):
            raise self.error(question, "invalid", lang)
        # Keep only a plain base name: it is shown back to the resident and to staff.
        name = os.path.basename(self.read(data, f"{question.id}-name").replace("\\", "/"))[:100]
        return {"reference": reference, "name": name or reference.rsplit("/", 1)[-1]}

    def display(self, question: Question, value: Any, lang: str = "en") -> str:
        return value.get("name", "") if value else ""

    def to_data(self, question: Question, value: Any) -> dict[str, Any]:
        value = value or {}
        return {
            question.id: value.get("reference", ""),
            f"{question.id}-name": value.get("name", ""),
        }
