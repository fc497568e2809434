"""Checking uploaded files by their content, and storing them privately.

A file's name and the browser's Content-Type are chosen by the sender, so neither is trusted:
`inspect_upload` reads the bytes. Images must be a JPEG, PNG or WebP that Pillow can fully
decode (a truncated or forged image fails). A PDF must end with %%EOF, parse with pypdf down to
every object its catalogue reaches, have a page, not be encrypted (nobody at the council could
open it, and nothing in it can be checked), and carry nothing that runs when it is opened:
JavaScript (/JS, /JavaScript, an /OpenAction of that kind), additional actions (/AA, on pages,
annotations, form fields) or a /Launch action that starts a program.

The journey calls `inspect_upload`, then `store_upload`, and puts the returned reference in the
answer; stored files live in the default storage (settings: VAR_DIR/private), which no URL
serves, so a view must check permission before streaming one back.

Images are stored without the metadata a phone writes into a photo (`without_metadata`): EXIF
says where and when it was taken and names the device, sometimes its owner. The council needs
none of it (a report's location is a question of its own) and would otherwise keep it and send
it on to every back office. PDFs are stored as sent.
"""

from __future__ import annotations

import io
import re
import secrets
import warnings
from dataclasses import dataclass
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import Storage, default_storage
from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject, PdfObject

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
# Decoding a huge-but-compressed image would use gigabytes of memory; no photo of a pothole
# needs more than this many pixels (a 48-megapixel phone camera is under it).
MAX_PIXELS = 60_000_000

_IMAGE_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
_PDF = ("application/pdf", "pdf")
# Keys and action types of a PDF object that make a viewer run something: scripts, additional
# actions fired by opening, closing, printing or pointing at things, and launching a program.
_PDF_ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/AA", "/Launch"})
_PDF_ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch"})
# A many-page scanned letter has hundreds of objects; a file with more is refused rather than
# walked for seconds.
MAX_PDF_OBJECTS = 100_000
_ORIENTATION = 0x0112  # the EXIF tag

REFERENCE_PATTERN = re.compile(r"uploads/[A-Za-z0-9_-]{32}\.(jpg|png|webp|pdf)")
# A stored file's extension was chosen from its content (inspect_upload), so it names its type.
CONTENT_TYPES = {
    extension: content_type for content_type, extension in (*_IMAGE_FORMATS.values(), _PDF)
}


@dataclass(frozen=True)
class UploadInfo:
    """What a file really is: its MIME type, the extension to store it with, and its size."""

    content_type: str
    extension: str
    size: int


class UploadError(ValueError):
    """A file that is refused. `code` is one of: empty, too_big, file_type, damaged,
    encrypted, active_content."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def inspect_upload(fileobj: IO[bytes], max_bytes: int = DEFAULT_MAX_BYTES) -> UploadInfo:
    """Identify `fileobj` by content; raise UploadError unless it is a sound JPEG, PNG, WebP or PDF.

    The file position is left at the start, ready to be stored.
    """
    fileobj.seek(0, io.SEEK_END)
    size = fileobj.tell()
    fileobj.seek(0)
    if size == 0:
        raise UploadError("empty", "The file is empty")
    if size > max_bytes:
        raise UploadError("too_big", f"The file is larger than {max_bytes} bytes")
    head = fileobj.read(16)
    fileobj.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            return _inspect_pdf(fileobj, size)
        if head.startswith((b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")) or (
            head.startswith(b"RIFF") and head[8:12] == b"WEBP"
        ):
            return _inspect_image(fileobj, size)
    finally:
        fileobj.seek(0)
    raise UploadError("file_type", "The file is not a JPEG, PNG, WebP or PDF")


def _inspect_pdf(fileobj: IO[bytes], size: int) -> UploadInfo:
    # A PDF's trailer ends with %%EOF, possibly followed by a newline or a few stray bytes.
    fileobj.seek(max(0, size - 1024))
    if b"%%EOF" not in fileobj.read():
        raise UploadError("damaged", "The PDF is incomplete (no %%EOF trailer)")
    fileobj.seek(0)
    try:
        reader = PdfReader(fileobj)
        if reader.is_encrypted:
            raise UploadError("encrypted", "The PDF is encrypted")
        if len(reader.pages) == 0:
            raise UploadError("damaged", "The PDF has no pages")
        active = _active_content(reader.trailer)
    except UploadError:
        raise
    except Exception as exc:
        # A parser fed hostile bytes fails in many ways (pypdf's own errors, but also KeyError,
        # TypeError, RecursionError on a self-referencing tree...): each means "not a PDF we
        # can read", never a server error.
        raise UploadError("damaged", f"The PDF cannot be read: {type(exc).__name__}") from None
    if active is not None:
        raise UploadError("active_content", f"The PDF has active content ({active})")
    return UploadInfo(*_PDF, size=size)


def _active_content(trailer: DictionaryObject) -> str | None:
    """The first key or action that would run something, found by walking every object the
    trailer reaches (the catalogue, its pages, annotations, names, outlines...), or None."""
    seen: set[tuple[int, int]] = set()
    stack: list[PdfObject] = [trailer]
    while stack:
        obj: PdfObject | None = stack.pop()
        if isinstance(obj, IndirectObject):
            reference = (obj.idnum, obj.generation)
            if reference in seen:
                continue
            seen.add(reference)
            if len(seen) > MAX_PDF_OBJECTS:
                raise UploadError("damaged", "The PDF has too many objects to check")
            obj = obj.get_object()
        if isinstance(obj, dict):  # dictionaries and streams
            for key, value in dict.items(obj):  # unresolved, so references are followed once
                if key in _PDF_ACTIVE_KEYS:
                    return str(key)
                if key == "/S" and value in _PDF_ACTIVE_ACTIONS:
                    return str(value)
                stack.append(value)
        elif isinstance(obj, list):
            stack.extend(obj)
    return None


def _inspect_image(fileobj: IO[bytes], size: int) -> UploadInfo:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(fileobj) as image:
                image_format = image.format or ""
                if image_format not in _IMAGE_FORMATS:
                    raise UploadError("file_type", f"Unsupported image format {image_format}")
                if image.width * image.height > MAX_PIXELS:
                    raise UploadError("too_big", "The image has too many pixels")
                image.verify()
            # verify() checks structure but not that the data is all there; decoding does.
            fileobj.seek(0)
            with Image.open(fileobj) as image:
                image.load()
    except UploadError:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
    ) as exc:
        raise UploadError("damaged", f"The image cannot be read: {type(exc).__name__}") from None
    content_type, extension = _IMAGE_FORMATS[image_format]
    return UploadInfo(content_type, extension, size)


def content_type_of(reference: str) -> str:
    """The MIME type of a stored upload, from the extension `store_upload` gave it."""
    return CONTENT_TYPES[reference.rsplit(".", 1)[-1]]


def store_upload(fileobj: IO[bytes], info: UploadInfo, storage: Storage | None = None) -> str:
    """Save an inspected file under an unguessable name, an image without its metadata;
    returns the reference for the answer."""
    storage = storage or default_storage
    name = f"uploads/{secrets.token_urlsafe(24)}.{info.extension}"
    if info.extension != _PDF[1]:
        fileobj = without_metadata(fileobj)
    fileobj.seek(0)
    saved = storage.save(name, File(fileobj, name=name))
    return saved


def without_metadata(fileobj: IO[bytes]) -> IO[bytes]:
    """An inspected image written again with its pixels and nothing else a camera adds (EXIF
    and its GPS position, XMP, comments, text chunks), in the same format.

    Kept: the EXIF orientation alone, so the photo still shows the right way up; the colour
    profile; and a JPEG's own quantisation tables and subsampling, so it loses no quality. A
    WebP is encoded again at quality 90 (Pillow cannot tell a lossless one from a lossy one).
    """
    fileobj.seek(0)
    output = io.BytesIO()
    with Image.open(fileobj) as image:
        image_format = image.format or ""
        # Every kind of metadata is given explicitly: some of Pillow's writers copy what they
        # are not given from the image they read (a JPEG's comment, a PNG's colour profile).
        options: dict[str, Any] = {"exif": b"", "xmp": b"", "icc_profile": None}
        orientation = image.getexif().get(_ORIENTATION)
        if orientation is not None:
            kept = Image.Exif()
            kept[_ORIENTATION] = orientation
            options["exif"] = kept.tobytes()
        if image.info.get("icc_profile"):
            options["icc_profile"] = image.info["icc_profile"]
        if image_format == "JPEG":
            options.update(
                quality="keep",
                subsampling="keep",
                progressive=bool(image.info.get("progressive")),
                comment=b"",
            )
        elif image_format == "WEBP":
            options["quality"] = 90
        image.save(output, format=image_format, **options)
    output.seek(0)
    return output
