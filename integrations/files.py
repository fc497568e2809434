"""Names for files and payload values as text, for adapters that send files.

Files reach adapters as `DeliveryFile` objects (integrations/base.py), already measured and
bound to their bytes and links by the portal: nothing here touches storage.

    safe_filename("C:\\\\photos\\\\pot hole?.jpeg", "jpg") -> "pot hole.jpg"
    unique_names([photo, photo_too]) -> ["pothole.jpg", "pothole-2.jpg"]
    as_text(value) -> a payload value as a person reads it
    is_item_list(value), items_text(value) -> a list of items (a "repeat" answer: a list of
        dicts, one per item) is recognised, and read one numbered line per item
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from integrations.base import DeliveryFile

MAX_NAME_LENGTH = 100
_UNSAFE_NAME = re.compile(r"[^\w.\- ()]+")


def safe_filename(name: str, extension: str) -> str:
    """`name` without directories, control characters or odd punctuation, ending `.extension`
    (the stored file's real type, whatever the resident's name said)."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip(" ._") or "file"
    stem = name.rsplit(".", 1)[0] if "." in name else name
    stem = stem[: MAX_NAME_LENGTH - len(extension) - 1].strip(" ._") or "file"
    return f"{stem}.{extension}"


def unique_names(files: Sequence[DeliveryFile]) -> list[str]:
    """A distinct name for each file, in order: pothole.jpg, pothole-2.jpg, ..."""
    seen: set[str] = set()
    names = []
    for upload in files:
        stem, dot, extension = upload.name.rpartition(".")
        if not dot:
            stem, extension = upload.name, ""
        name, n = upload.name, 1
        while name.lower() in seen:
            n += 1
            name = f"{stem}-{n}.{extension}" if dot else f"{stem}-{n}"
        seen.add(name.lower())
        names.append(name)
    return names


def readable_size(size: int) -> str:
    """A file size as people read it: 812 bytes, 45 KB, 2.3 MB."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def as_text(value: Any) -> str:
    """A payload value as a person reads it: lists joined, addresses on one line, files by name."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, DeliveryFile):
        return value.name
    if is_item_list(value):
        return items_text(value)
    if isinstance(value, list):
        return ", ".join(as_text(item) for item in value)
    if isinstance(value, Mapping):
        return ", ".join(as_text(item) for item in value.values() if item not in (None, ""))
    return str(value)


def is_item_list(value: Any) -> bool:
    """Whether a payload value is a list of items (a list question's answer: dicts, one per
    item, keyed by the questions asked about each item)."""
    return isinstance(value, list) and bool(value) and all(isinstance(v, Mapping) for v in value)


def items_text(items: Sequence[Mapping[str, Any]]) -> str:
    """A list of items as lines a person reads: "1. Sofa, large" then "2. Chair, small"."""
    return "\n".join(f"{number}. {as_text(item)}" for number, item in enumerate(items, start=1))
