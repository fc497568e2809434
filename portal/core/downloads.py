"""Sending a resident's uploaded file to someone allowed to have it (a back office holding a
signed link, a member of staff who may see the case): one way, so both get the same headers.

GET sends the whole file (200), or the one part a Range header asks for (206, Content-Range;
portal/core/byte_ranges.py reads the header); a range the file cannot satisfy gets 416 with
`Content-Range: bytes */<size>`. HEAD answers with the headers a GET would have, without the
bytes (RFC 9110 defines ranges for GET only, so HEAD ignores them). If-Range with anything but
the file's ETag (its SHA-256, which never changes) sends the whole file, as the RFC says.

Callers check permission first; this never decides who may have a file.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.core.files import File
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

from portal.core.byte_ranges import UNSATISFIABLE, ByteRange, requested_range
from portal.core.headers import as_download
from services.models import SubmissionFile

CHUNK_BYTES = 64 * 1024


def file_download(request: HttpRequest, file_row: SubmissionFile) -> HttpResponseBase | None:
    """The response carrying `file_row`'s bytes, or None when they are no longer kept (deleted
    by retention, or gone from storage): the caller answers 404."""
    if file_row.deleted_at is not None:
        return None
    try:
        handle = default_storage.open(file_row.storage_name, "rb")
    except FileNotFoundError:
        return None
    size = handle.size
    etag = f'"{file_row.sha256}"'
    part = None
    if request.method == "GET" and request.headers.get("If-Range", etag) == etag:
        part = requested_range(request.headers.get("Range"), size)

    response: HttpResponseBase
    if part == UNSATISFIABLE:
        handle.close()
        response = HttpResponse(status=416, headers={"Content-Range": f"bytes */{size}"})
        response.headers["Accept-Ranges"] = "bytes"
        return response
    if request.method == "HEAD":
        handle.close()
        response = HttpResponse(headers={"Content-Length": str(size)})
    elif isinstance(part, ByteRange):
        response = StreamingHttpResponse(_Part(handle, part), status=206)
        response.headers["Content-Range"] = part.content_range(size)
        response.headers["Content-Length"] = str(part.length)
    else:
        response = FileResponse(handle)  # sets Content-Length; closes the file when sent
    as_download(response, file_row.name, file_row.content_type)
    response.headers["Accept-Ranges"] = "bytes"
    response.headers["ETag"] = etag
    return response


class _Part:
    """Bytes `part.first` to `part.last` of an open file, in chunks. The response closes it
    when sent (StreamingHttpResponse calls close()), which closes the file."""

    def __init__(self, handle: File, part: ByteRange) -> None:
        self.handle = handle
        self.part = part

    def __iter__(self) -> Iterator[bytes]:
        self.handle.seek(self.part.first)
        left = self.part.length
        while left > 0:
            chunk = self.handle.read(min(CHUNK_BYTES, left))
            if not chunk:  # the file shrank under us: stop rather than loop
                return
            left -= len(chunk)
            yield chunk

    def close(self) -> None:
        self.handle.close()
