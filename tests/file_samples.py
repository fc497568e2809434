"""Real files for tests of submitted files: a JPEG, a PNG and a PDF (made by
services/seed/sample_files.py, which the demo's seed uses too), stored the way the journey
stores uploads, and the same as DeliveryFile objects."""

from __future__ import annotations

import io

from django.core.files.storage import Storage

from integrations.base import DeliveryFile
from services.forms.uploads import inspect_upload, store_upload
from services.seed.sample_files import jpeg_bytes, pdf_bytes, png_bytes

__all__ = ["jpeg_bytes", "pdf_bytes", "png_bytes", "stored_upload", "two_photos_and_a_pdf"]


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
