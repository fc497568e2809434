import io
import random
import re

import pytest
from django.core.files.storage import FileSystemStorage
from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from services.forms.questions import AnswerError
from services.forms.types_file import FileUpload
from services.forms.uploads import (
    REFERENCE_PATTERN,
    UploadError,
    inspect_upload,
    store_upload,
    without_metadata,
)
from services.seed import seed_catalogue
from tests.services.helpers import question


def _name(value: str) -> NameObject:
    return NameObject(value)


def pdf_bytes(change=None, password: str | None = None) -> bytes:
    """A real one-page PDF written by pypdf, changed by `change(writer)` before it is written."""
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    if change is not None:
        change(writer)
    if password is not None:
        writer.encrypt(password, algorithm="AES-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def action(kind: str, entries=None) -> DictionaryObject:
    return DictionaryObject({_name("/S"): _name(kind), **(entries or {})})


def with_open_action(action_dict):
    def change(writer):
        writer.root_object[_name("/OpenAction")] = action_dict

    return change


def with_annotation(annotation: DictionaryObject):
    def change(writer):
        writer.add_annotation(0, annotation)

    return change


MINIMAL_PDF = pdf_bytes()
SCRIPT = {_name("/JS"): TextStringObject("app.alert('hello')")}
ACTIVE_PDFS = {
    # a document-level script, in the catalogue's /Names tree
    "names-javascript": pdf_bytes(
        lambda writer: writer.add_open_action(JavaScript("app.alert('hello');"))
    ),
    # a script run on opening
    "open-action-javascript": pdf_bytes(with_open_action(action("/JavaScript", SCRIPT))),
    # a program started on opening
    "open-action-launch": pdf_bytes(
        with_open_action(action("/Launch", {_name("/F"): TextStringObject("calc.exe")}))
    ),
    # a link annotation that starts a program when clicked
    "link-launch": pdf_bytes(
        with_annotation(
            DictionaryObject(
                {
                    _name("/Type"): _name("/Annot"),
                    _name("/Subtype"): _name("/Link"),
                    _name("/Rect"): ArrayObject([]),
                    _name("/A"): action("/Launch", {_name("/F"): TextStringObject("cmd.exe")}),
                }
            )
        )
    ),
    # an annotation's additional action (fired by pointing at it), even one that only prints
    "annotation-additional-action": pdf_bytes(
        with_annotation(
            DictionaryObject(
                {
                    _name("/Type"): _name("/Annot"),
                    _name("/Subtype"): _name("/Widget"),
                    _name("/Rect"): ArrayObject([]),
                    _name("/AA"): DictionaryObject(
                        {_name("/E"): action("/Named", {_name("/N"): _name("/Print")})}
                    ),
                }
            )
        )
    ),
}


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


def test_a_pdf_with_ordinary_links_and_bookmarks_is_accepted():
    # Given a PDF whose opening action goes to its first page and which links to a web page
    def change(writer):
        writer.root_object[_name("/OpenAction")] = ArrayObject(
            [writer.pages[0].indirect_reference, _name("/Fit")]
        )
        with_annotation(
            DictionaryObject(
                {
                    _name("/Type"): _name("/Annot"),
                    _name("/Subtype"): _name("/Link"),
                    _name("/Rect"): ArrayObject([]),
                    _name("/A"): action(
                        "/URI", {_name("/URI"): TextStringObject("https://www.gov.uk/")}
                    ),
                }
            )
        )(writer)

    # Then it is a PDF like any other
    assert inspect_upload(io.BytesIO(pdf_bytes(change))).extension == "pdf"


@pytest.mark.parametrize("content", ACTIVE_PDFS.values(), ids=ACTIVE_PDFS.keys())
def test_a_pdf_that_runs_something_when_opened_is_refused(content):
    with pytest.raises(UploadError) as caught:
        inspect_upload(io.BytesIO(content))
    assert caught.value.code == "active_content"


def test_a_script_hidden_behind_an_escaped_name_is_still_found():
    # Given /JS written as /J#53, which every PDF reader decodes to /JS
    content = pdf_bytes(with_open_action(action("/JavaScript", SCRIPT)))
    disguised = content.replace(b"/JS ", b"/J#53 ").replace(b"/JavaScript", b"/J#61vaScript")
    # The file is longer now; the cross-reference offsets are off, as they often are in the wild
    with pytest.raises(UploadError) as caught:
        inspect_upload(io.BytesIO(disguised))
    assert caught.value.code == "active_content"


def test_a_password_protected_pdf_is_refused():
    with pytest.raises(UploadError) as caught:
        inspect_upload(io.BytesIO(pdf_bytes(password="secret")))
    assert caught.value.code == "encrypted"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "file_type"),  # a Windows .exe named .jpg
        (b"<!DOCTYPE html><script>alert(1)</script>", "file_type"),  # HTML named .pdf
        (MINIMAL_PDF[:-7], "damaged"),  # a PDF cut off before %%EOF
        (MINIMAL_PDF[: len(MINIMAL_PDF) // 2] + b"\n%%EOF\n", "damaged"),  # cut, %%EOF added
        (b"%PDF-1.7\nnot a PDF at all\n%%EOF\n", "damaged"),  # the magic bytes and no more
        (pdf_bytes(lambda writer: writer.remove_page(0)), "damaged"),  # no pages
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
    data = image_bytes("PNG")
    # When the journey accepts it
    fields = q.kind.accept(q, io.BytesIO(data), "my pothole.png")
    # Then it is stored under a random name and the answer refers to it
    reference = fields["answer"]
    assert REFERENCE_PATTERN.fullmatch(reference)
    with Image.open(tmp_path / reference) as stored, Image.open(io.BytesIO(data)) as sent:
        assert stored.tobytes() == sent.tobytes()  # the same picture, written again
    assert q.kind.clean(q, fields, "en") == {"reference": reference, "name": "my pothole.png"}


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


# --- Metadata ----------------------------------------------------------------------------------

GPS_IFD = 0x8825
MAKE, SERIAL, ARTIST, ORIENTATION = 0x010F, 0xA431, 0x013B, 0x0112


def photo_with_metadata(image_format: str, orientation: int | None = 6) -> bytes:
    """A photo as a phone writes it: where it was taken, the device and its owner."""
    exif = Image.Exif()
    exif[MAKE] = "PhoneCo"
    exif[ARTIST] = "Jo Resident"
    exif[SERIAL] = "SN-0042"
    if orientation is not None:
        exif[ORIENTATION] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (52.0, 3.0, 7.5), 3: "W", 4: (1.0, 12.0, 3.0)})
    image = Image.open(io.BytesIO(image_bytes(image_format, size=(32, 16))))
    buffer = io.BytesIO()
    extra: dict = {"exif": exif, "xmp": b"<x:xmpmeta>Jo Resident</x:xmpmeta>"}
    if image_format == "JPEG":
        extra["comment"] = b"Jo's phone"
    if image_format == "PNG":
        from PIL.PngImagePlugin import PngInfo

        text = PngInfo()
        text.add_text("Author", "Jo Resident")
        extra["pnginfo"] = text
    image.save(buffer, format=image_format, **extra)
    return buffer.getvalue()


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
def test_a_stored_photo_loses_where_it_was_taken_and_whose_it_was_but_not_its_orientation(
    tmp_path, image_format
):
    storage = FileSystemStorage(location=str(tmp_path))
    data = io.BytesIO(photo_with_metadata(image_format))
    with Image.open(io.BytesIO(data.getvalue())) as original:
        assert original.getexif()[MAKE] == "PhoneCo"  # the test photo has what it should

    reference = store_upload(data, inspect_upload(data), storage)

    stored_bytes = storage.open(reference).read()
    with Image.open(io.BytesIO(stored_bytes)) as stored:
        assert stored.format == image_format
        assert stored.size == (32, 16)
        assert dict(stored.getexif()) == {ORIENTATION: 6}
        assert not stored.getexif().get_ifd(GPS_IFD)
        assert not {"comment", "xmp", "Author", "XML:com.adobe.xmp"} & set(stored.info)
    for secret in (b"PhoneCo", b"Jo Resident", b"SN-0042", b"Jo's phone"):
        assert secret not in stored_bytes


def test_a_photo_without_an_orientation_is_stored_without_exif():
    stored = without_metadata(io.BytesIO(photo_with_metadata("JPEG", orientation=None)))
    with Image.open(stored) as image:
        assert "exif" not in image.info


def test_a_jpeg_keeps_its_own_quality_when_its_metadata_is_removed():
    buffer = io.BytesIO()
    Image.open(io.BytesIO(image_bytes("PNG", size=(64, 64)))).save(
        buffer, format="JPEG", quality=95, subsampling=0, exif=Image.Exif()
    )
    stored = without_metadata(io.BytesIO(buffer.getvalue()))
    with Image.open(io.BytesIO(buffer.getvalue())) as original, Image.open(stored) as image:
        assert image.quantization == original.quantization
        assert image.layer == original.layer  # the same chroma subsampling


def test_a_stored_pdf_is_the_file_as_sent(tmp_path):
    storage = FileSystemStorage(location=str(tmp_path))
    data = io.BytesIO(MINIMAL_PDF)
    reference = store_upload(data, inspect_upload(data), storage)
    assert storage.open(reference).read() == MINIMAL_PDF


@pytest.mark.parametrize(
    ("content", "lang", "message"),
    [
        (
            ACTIVE_PDFS["open-action-javascript"],
            "en",
            "The selected PDF contains scripts \u2013 print it to a new PDF and upload that",
        ),
        (
            ACTIVE_PDFS["open-action-launch"],
            "cy",
            "Mae'r PDF a ddewiswyd yn cynnwys sgriptiau \u2013 argraffwch ef i PDF newydd ac "
            "uwchlwythwch hwnnw",
        ),
        (
            pdf_bytes(password="secret"),
            "en",
            "The selected file is password protected \u2013 upload a copy without a password",
        ),
        (
            b"%PDF-1.7\nnot a PDF at all\n%%EOF\n",
            "en",
            "The selected file is damaged \u2013 try a different file",
        ),
    ],
    ids=["script", "launch-welsh", "password", "not-a-pdf"],
)
def test_a_refused_pdf_gives_the_resident_a_gov_uk_message_and_stores_nothing(
    tmp_path, settings, content, lang, message
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    q = question("file")

    with pytest.raises(AnswerError) as caught:
        q.kind.accept(q, io.BytesIO(content), "letter.pdf", lang)

    assert caught.value.message == message
    assert list(tmp_path.iterdir()) == []


FILE_TYPES = re.compile(r"\b(JPG|JPEG|PNG|WebP|GIF|HEIC|PDF)\b")
PHOTO = re.compile(r"\b(photo|llun|lun)\b")  # "PDF or photo" ("neu lun"): any image we take


def types_named(hint: str) -> set[str]:
    named = set(FILE_TYPES.findall(hint))
    if named and PHOTO.search(hint):
        named |= {"JPG", "PNG", "WebP"}
    return named


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["en", "cy"])
def test_every_seeded_file_hint_names_the_file_types_its_error_message_names(lang):
    # Given the file types the wrong-type error names (what inspect_upload accepts)
    wrong_type = FileUpload.messages["file_type"][0].get(lang)
    accepted = set(FILE_TYPES.findall(wrong_type))
    assert accepted == {"JPG", "PNG", "WebP", "PDF"}

    # Then a hint that lists file types lists those, so the hint and the error agree
    hints = {
        f"{service.slug}/{question.id}": question.hint.get(lang)
        for service in seed_catalogue()
        for page in service.live_version.parsed.pages
        for question in page.questions
        if question.type == "file" and question.hint is not None
    }
    assert hints, "the seeded catalogue has file questions with hints"
    listed = {where: types_named(hint) for where, hint in hints.items()}
    assert {where: types for where, types in listed.items() if types and types != accepted} == {}
