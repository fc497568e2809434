"""Uploaded files in payloads, and payload values as text, for adapters that send files.

A file question's answer, mapped without a part, reaches an adapter as
{"reference": "uploads/<32 random characters>.jpg", "name": "pothole.jpg"}: the reference is
where services/forms/uploads.py stored it privately in Django's default storage, the name is what
the resident called it. Adapters that can carry files (e-mail attachments, a file drop) read
them here through the storage API; no model is involved.

Only references matching the upload pattern are opened, so a payload value that happens to look
like a file answer can never make an adapter read some other stored file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.files.storage import default_storage

from integrations.base import DeliveryFile, PermanentError, TransientError

# A copy of services.forms.uploads.REFERENCE_PATTERN: integrations never import services.
# tests/integrations/email/test_files.py fails if the two drift apart.
REFERENCE_PATTERN = re.compile(r"uploads/[A-Za-z0-9_-]{32}\.(jpg|png|webp|pdf)")

MAX_NAME_LENGTH = 100
_UNSAFE_NAME = re.compile(r"[^\w.\- ()]+")


@dataclass(frozen=True)
class UploadedFile:
    reference: str  # where it is in the default storage
    name: str  # the resident's name for it, made safe to use as a file name

    def read(self) -> bytes:
        """The file's bytes; PermanentError if it is gone, TransientError if storage fails."""
        try:
            with default_storage.open(self.reference, "rb") as handle:
                data: bytes = handle.read()
        except FileNotFoundError:
            raise PermanentError(
                f"The uploaded file {self.name!r} is no longer stored ({self.reference})"
            ) from None
        except OSError as exc:
            raise TransientError(
                f"The uploaded file {self.name!r} could not be read: {exc.__class__.__name__}"
            ) from exc
        return data

    def size(self) -> int:
        try:
            return int(default_storage.size(self.reference))
        except FileNotFoundError:
            raise PermanentError(
                f"The uploaded file {self.name!r} is no longer stored ({self.reference})"
            ) from None
        except OSError as exc:
            raise TransientError(
                f"The uploaded file {self.name!r} could not be read: {exc.__class__.__name__}"
            ) from exc


def file_answer(value: Any) -> UploadedFile | None:
    """The uploaded file `value` is, or None if it is not a file answer."""
    if not isinstance(value, Mapping) or set(value) != {"reference", "name"}:
        return None
    reference, name = value["reference"], value["name"]
    if not isinstance(reference, str) or not REFERENCE_PATTERN.fullmatch(reference):
        return None
    extension = reference.rsplit(".", 1)[1]
    return UploadedFile(reference, safe_filename(str(name or ""), extension))


def files_in(payload: Mapping[str, Any]) -> Iterator[tuple[str, UploadedFile]]:
    """(field, file) for each file answer in `payload`, at the top level or in a list."""
    for field, value in payload.items():
        values = value if isinstance(value, list) else [value]
        for item in values:
            uploaded = file_answer(item)
            if uploaded is not None:
                yield field, uploaded


def safe_filename(name: str, extension: str) -> str:
    """`name` without directories, control characters or odd punctuation, ending `.extension`
    (the stored file's real type, whatever the resident's name said)."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip(" ._") or "file"
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem[: MAX_NAME_LENGTH - len(extension) - 1].strip(" ._") or "file"
    return f"{stem}.{extension}"


def unique_names(files: list[UploadedFile] | list[DeliveryFile]) -> list[str]:
    """A distinct name for each file, in order: pothole.jpg, pothole-2.jpg, ..."""
    seen: set[str] = set()
    names = []
    for uploaded in files:
        stem, extension = uploaded.name.rsplit(".", 1)
        name, n = uploaded.name, 1
        while name.lower() in seen:
            n += 1
            name = f"{stem}-{n}.{extension}"
        seen.add(name.lower())
        names.append(name)
    return names


def as_text(value: Any) -> str:
    """A payload value as a person reads it: lists joined, addresses on one line, files by name."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, DeliveryFile):
        return value.name
    uploaded = file_answer(value)
    if uploaded is not None:
        return uploaded.name
    if isinstance(value, list):
        return ", ".join(as_text(item) for item in value)
    if isinstance(value, Mapping):
        return ", ".join(as_text(item) for item in value.values() if item not in (None, ""))
    return str(value)
