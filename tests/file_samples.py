"""Real files for tests of submitted files: a JPEG and a PNG drawn by Pillow, a PDF written by
pypdf, stored the way the journey stores uploads, and the same as DeliveryFile objects."""

from __future__ import annotations

import io

from django.core.files.storage import Storage
from PIL import Image
from pypdf import PdfWriter

from integrations.base import DeliveryFile
from services.forms.uploads import inspect_upload, store_upload


def jpeg_bytes(colour: tuple[int, int, int] = (200, 30, 30), size: int = 16) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(buffer, "JPEG")
    return buffer.getvalue()


def png_bytes(colour: tuple[int, int, int] = (30, 120, 200), size: int = 16) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(buffer, "PNG")
    return buffer.getvalue()


def pdf_bytes(title: str = "") -> bytes:
    """A one-page PDF; a `title` in its metadata makes its bytes differ from another's."""
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    if title:
        writer.add_metadata({"/Title": title})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def stored_upload(data: bytes, name: str, storage: Storage | None = None) -> dict[str, str]:
    """`data` checked and stored as the journey stores an upload; the file answer for it."""
    buffer = io.BytesIO(data)
    return {"reference": store_upload(buffer, inspect_upload(buffer), storage), "name": name}


def two_photos_and_a_pdf() -> list[DeliveryFile]:
    """The contract tests' case: two photos and a letter, as an adapter receives them."""
    return [
        DeliveryFile.from_bytes("photo", "pothole.jpg", "image/jpeg", jpeg_bytes()),
        DeliveryFile.from_bytes("close_up", "close-up.png", "image/png", png_bytes()),
        DeliveryFile.from_bytes("letter", "letter.pdf", "application/pdf", pdf_bytes()),
    ]
