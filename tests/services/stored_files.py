"""Residents' files for tests: real image and PDF bytes, stored the way the journey stores an
upload (services/forms/uploads.py), with the SubmissionFile row a submission gets for each.

`files-core` makes these rows when a submission is made; tests make them here so that a test of
a download or a link needs no whole journey. Import the `stored_files` fixture into a conftest
to use it: it removes the bytes from storage after the test.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from typing import Protocol

import pytest
from django.core.files.storage import default_storage
from PIL import Image
from pypdf import PdfWriter

from services.forms.uploads import inspect_upload, store_upload
from services.models import Submission, SubmissionFile


def png_bytes(width: int = 64, height: int = 48) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (120, 110, 100)).save(buffer, "PNG")
    return buffer.getvalue()


def pdf_bytes() -> bytes:
    """A real one-page PDF (uploads are parsed, so a bare "%PDF" header is refused)."""
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def store_file(submission: Submission, question_id: str, data: bytes, name: str) -> SubmissionFile:
    """`data` inspected and stored as an upload, and its row; the stored bytes are what a
    download must send back (an image is stored without its metadata, so they may differ from
    `data`: read them with `stored_bytes`)."""
    info = inspect_upload(io.BytesIO(data))
    storage_name = store_upload(io.BytesIO(data), info)
    stored = stored_bytes(storage_name)
    return SubmissionFile.objects.create(
        submission=submission,
        question_id=question_id,
        name=name,
        storage_name=storage_name,
        content_type=info.content_type,
        size=len(stored),
        sha256=hashlib.sha256(stored).hexdigest(),
    )


def stored_bytes(storage_name: str) -> bytes:
    with default_storage.open(storage_name, "rb") as handle:
        return handle.read()


class StoreFile(Protocol):
    def __call__(
        self, submission: Submission, question_id: str, data: bytes, name: str
    ) -> SubmissionFile: ...


@pytest.fixture
def stored_files() -> Iterator[StoreFile]:
    """`store_file`, with every file it stored removed from storage after the test."""
    made: list[SubmissionFile] = []

    def make(submission: Submission, question_id: str, data: bytes, name: str) -> SubmissionFile:
        row = store_file(submission, question_id, data, name)
        made.append(row)
        return row

    yield make
    for row in made:
        default_storage.delete(row.storage_name)
