import io
import random

import pytest
from django.core.files.storage import FileSystemStorage
from PIL import Image

from services.forms.questions import AnswerError
from services.forms.uploads import REFERENCE_PATTERN, UploadError, inspect_upload, store_upload
from tests.services.helpers import question

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def image_bytes(image_format: str, size=(8, 8)) -> bytes:
    """A real image of random pixels (so it does not compress to almost nothing)."""
    buffer = io.BytesIO()
    pixels = random.Random(size[0] * 10_000 + size[1]).randbytes(size[0] * size[1] * 3)
    Image.frombytes("RGB", size, pixels).save(buffer, format=image_format)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("image_format", "content_type", "extension"),
    [("JPEG", "image/jpeg", "jpg"), ("PNG", "image/png", "png"), ("WEBP", "image/webp", "webp")],
)
def test_real_images_are_recognised_by_their_content(image_format, content_type, extension):
    data = image_bytes(image_format)
    info = inspect_upload(io.BytesIO(data), max_bytes=1_000_000)
    assert (info.content_type, info.extension, info.size) == (content_type, extension, len(data))


def test_a_real_pdf_is_recognised():
    info = inspect_upload(io.BytesIO(MINIMAL_PDF))
    assert (info.content_type, info.extension) == ("application/pdf", "pdf")


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "file_type"),  # a Windows .exe named .jpg
        (b"<!DOCTYPE html><script>alert(1)</script>", "file_type"),  # HTML named .pdf
        (MINIMAL_PDF[:-7], "damaged"),  # a PDF cut off before %%EOF
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "file_type"),  # a GIF is not accepted
        (b"", "empty"),
    ],
)
def test_disguised_broken_and_empty_files_are_refused(content, code):
    with pytest.raises(UploadError) as caught:
        inspect_upload(io.BytesIO(content))
    assert caught.value.code == code


@pytest.mark.parametrize("image_format", ["JPEG", "PNG"])
def test_a_truncated_image_is_refused_as_damaged(image_format):
    data = image_bytes(image_format, size=(64, 64))
    with pytest.raises(UploadError) as caught:
        inspect_upload(io.BytesIO(data[: len(data) // 2]))
    assert caught.value.code == "damaged"


def test_an_image_header_with_garbage_after_it_is_refused():
    with pytest.raises(UploadError) as caught:
        inspect_upload(io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"not really a png" * 10))
    assert caught.value.code == "damaged"


def test_a_file_over_the_limit_is_refused():
    data = image_bytes("PNG", size=(64, 64))
    with pytest.raises(UploadError) as caught:
        inspect_upload(io.BytesIO(data), max_bytes=len(data) - 1)
    assert caught.value.code == "too_big"


def test_an_accepted_upload_is_stored_under_an_unguessable_name_and_cleans_as_an_answer(
    tmp_path, settings
):
    # Given private storage and a file question
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    q = question("file", validation={"max_size_mb": 1})
    data = image_bytes("JPEG")
    # When the journey accepts it
    fields = q.kind.accept(q, io.BytesIO(data), "my pothole.jpg")
    # Then it is stored under a random name and the answer refers to it
    reference = fields["answer"]
    assert REFERENCE_PATTERN.fullmatch(reference)
    assert (tmp_path / reference).read_bytes() == data
    assert q.kind.clean(q, fields, "en") == {"reference": reference, "name": "my pothole.jpg"}


def test_a_refused_upload_gives_the_gov_uk_message_and_stores_nothing(tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    q = question("file", validation={"max_size_mb": 0.001})
    with pytest.raises(AnswerError) as caught:
        q.kind.accept(q, io.BytesIO(image_bytes("PNG", size=(200, 200))), "big.png")
    assert caught.value.message == "The selected file must be smaller than 0.001MB"
    with pytest.raises(AnswerError) as caught:
        q.kind.accept(q, io.BytesIO(b"MZ" + b"\x00" * 10), "photo.jpg", "cy")
    assert caught.value.message == "Rhaid i'r ffeil a ddewiswyd fod yn JPG, PNG, WebP neu PDF"
    assert list(tmp_path.iterdir()) == []


def test_store_upload_accepts_an_explicit_storage(tmp_path):
    storage = FileSystemStorage(location=str(tmp_path))
    data = io.BytesIO(MINIMAL_PDF)
    reference = store_upload(data, inspect_upload(data), storage)
    assert reference.endswith(".pdf")
    assert storage.open(reference).read() == MINIMAL_PDF
