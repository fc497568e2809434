"""Which part of a file a `Range: bytes=...` request header asks for (RFC 9110, section 14).

Neither Django's FileResponse nor django.views.static answers Range requests, so the portal reads
the header itself, here and nowhere else. Only what a file download needs is supported:

    one range ("bytes=0-99", "bytes=100-", "bytes=-500")  -> that part (206 Partial Content)
    one range that starts past the end ("bytes=5000-" of a 4000-byte file)
                                                          -> UNSATISFIABLE (416)
    several ranges ("bytes=0-9,20-29")                    -> None: the whole file (200), which a
                                                             server may always send instead
    no header, another unit, or a header that breaks the grammar ("bytes=9-1", "bytes=a-b",
    a number of more than 30 digits)                      -> None: ignored, the whole file (200)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

# A range-spec: an int-range "first-last" or "first-", or a suffix-range "-length"; digits only.
# Numbers longer than any file size are refused with the header rather than given to int()
# (which refuses strings of over 4,300 digits with an error).
_ONE_RANGE = re.compile(r"(?P<first>[0-9]{0,30})-(?P<last>[0-9]{0,30})")


@dataclass(frozen=True)
class ByteRange:
    """Bytes `first` to `last` of a file, both included (as Content-Range counts them)."""

    first: int
    last: int

    @property
    def length(self) -> int:
        return self.last - self.first + 1

    def content_range(self, size: int) -> str:
        return f"bytes {self.first}-{self.last}/{size}"


UNSATISFIABLE: Final = "unsatisfiable"


def requested_range(header: str | None, size: int) -> ByteRange | Literal["unsatisfiable"] | None:
    """The one part of a `size`-byte file that `header` asks for; UNSATISFIABLE when it asks
    only for bytes the file does not have; None when the whole file should be sent."""
    if not header:
        return None
    unit, equals, ranges = header.strip().partition("=")
    if not equals or unit.strip().lower() != "bytes" or "," in ranges:
        return None
    found = _ONE_RANGE.fullmatch(ranges.strip())
    if found is None or found["first"] == found["last"] == "":
        return None
    if found["first"] == "":  # a suffix: the last N bytes
        length = int(found["last"])
        if length == 0 or size == 0:
            return UNSATISFIABLE
        return ByteRange(max(0, size - length), size - 1)
    first = int(found["first"])
    last = int(found["last"]) if found["last"] else None
    if last is not None and last < first:
        return None  # not a valid range-spec, so the header is ignored
    if first >= size:
        return UNSATISFIABLE
    return ByteRange(first, size - 1 if last is None else min(last, size - 1))
