"""A cap on uploaded files while they are being received.

Django's own limits (DATA_UPLOAD_MAX_MEMORY_SIZE) leave out file data, and its temporary-file
handler would write a file of any size to disk. This handler, first in FILE_UPLOAD_HANDLERS,
stops receiving a file once it passes the largest size any question allows, drops it, and
notes its field name on the request, so the page can say "The selected file must be smaller
than ..." instead of failing. The question's own, usually smaller, limit is checked later by
content (services/forms/uploads.py).
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, SkipFile

# The schema allows max_size_mb up to 50.
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def too_big_fields(request: Any) -> set[str]:
    """Names of file fields whose file was dropped for being too big."""
    return getattr(request, "_journey_files_too_big", set())


class SizeLimitUploadHandler(FileUploadHandler):
    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, *args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > MAX_UPLOAD_BYTES:
            if self.request is not None:
                dropped = too_big_fields(self.request)
                dropped.add(self.field_name)
                setattr(self.request, "_journey_files_too_big", dropped)  # noqa: B010
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
