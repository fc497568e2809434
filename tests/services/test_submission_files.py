"""Each file answer of a submission gets a SubmissionFile row, made with the submission, and
submissions made before that get theirs from a data migration."""

import hashlib
import importlib

import pytest
from django.apps import apps
from django.core.files.storage import FileSystemStorage

from services.models import Submission, SubmissionFile
from services.seed import seed_catalogue
from services.submissions import AnswersInvalid, submit_draft
from tests.file_samples import jpeg_bytes, pdf_bytes, stored_upload
from tests.portal.dashboard.factories import DraftFactory, SubmissionFactory
from tests.services.factories import FormVersionFactory
from tests.services.helpers import page

backfill_migration = importlib.import_module("services.migrations.0014_files_core_backfill")

SCHEMA = {
    "pages": [
        page("photo", {"id": "photo", "type": "file", "label": {"en": "Add a photo"}}),
        page(
            "letter",
            {"id": "letter", "type": "file", "label": {"en": "Add a letter"}, "required": False},
            {"id": "extra", "type": "file", "label": {"en": "Anything else"}, "required": False},
        ),
    ]
}


@pytest.fixture
def storage(tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return FileSystemStorage(location=str(tmp_path))


@pytest.fixture
def catalogue(db):
    return seed_catalogue()


def sha256_of(storage, reference: str) -> str:
    with storage.open(reference, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def draft_with(storage, **answers):
    version = FormVersionFactory(schema=SCHEMA)
    version.publish()
    uploads = [answer["reference"] for answer in answers.values()]
    return DraftFactory(form_version=version, uploads=uploads, answers=answers)


@pytest.mark.django_db
def test_sending_a_draft_makes_a_row_for_each_file_with_facts_read_from_storage(storage):
    # Given a draft with a photo and a letter
    photo = stored_upload(jpeg_bytes(), "C:\\Users\\sam\\pot hole?.jpeg", storage)
    letter = stored_upload(pdf_bytes(), "letter.pdf", storage)
    draft = draft_with(storage, photo=photo, letter=letter)

    # When it is sent
    submission = submit_draft(draft, user=None, contact_email="sam@example.com", language="en")

    # Then each file has its row: the type of its content, its stored size and hash, a safe name
    rows = {row.question_id: row for row in submission.files.all()}
    assert set(rows) == {"photo", "letter"}
    assert rows["photo"].content_type == "image/jpeg"
    assert rows["photo"].name == "pot hole.jpg"
    assert rows["photo"].storage_name == photo["reference"]
    assert rows["photo"].size == storage.size(photo["reference"])
    assert rows["photo"].sha256 == sha256_of(storage, photo["reference"])
    assert rows["letter"].content_type == "application/pdf"
    assert rows["letter"].name == "letter.pdf"
    assert rows["letter"].sha256 == sha256_of(storage, letter["reference"])
    assert all(row.deleted_at is None for row in rows.values())


@pytest.mark.django_db
def test_a_file_gone_from_storage_sends_the_resident_back_and_saves_nothing(storage):
    # Given a draft whose letter's bytes are no longer stored
    photo = stored_upload(jpeg_bytes(), "photo.jpg", storage)
    letter = stored_upload(pdf_bytes(), "letter.pdf", storage)
    draft = draft_with(storage, photo=photo, letter=letter)
    storage.delete(letter["reference"])

    # When it is sent, then the resident is sent to the letter's page to upload it again
    with pytest.raises(AnswersInvalid) as raised:
        submit_draft(draft, user=None, contact_email="sam@example.com", language="en")
    assert raised.value.page_id == "letter"
    assert set(raised.value.errors) == {"letter"}
    # and nothing was saved
    assert not Submission.objects.exists()
    assert not SubmissionFile.objects.exists()


@pytest.mark.django_db
def test_the_backfill_makes_rows_for_earlier_submissions_and_marks_lost_bytes_deleted(
    storage, catalogue
):
    # Given submissions made before rows were made: one with two files (one of them lost from
    # storage), one with a value that only looks like a file, one with a row already
    kept = stored_upload(jpeg_bytes(), "../../pothole.jpg", storage)
    lost = stored_upload(pdf_bytes(), "letter.pdf", storage)
    storage.delete(lost["reference"])
    earlier = SubmissionFactory(answers={"photo": kept, "letter": lost, "notes": "text"})
    lookalike = SubmissionFactory(
        answers={"photo": {"reference": "settings.py", "name": "settings.py"}}
    )
    already = SubmissionFactory(answers={"photo": kept})
    SubmissionFile.objects.create(
        submission=already,
        question_id="photo",
        name="x.jpg",
        storage_name=kept["reference"],
        content_type="image/jpeg",
        size=1,
        sha256="1" * 64,
    )

    # When the migration runs
    backfill_migration.backfill(apps, None)

    # Then the earlier submission has its two rows, the lost one marked deleted
    rows = {row.question_id: row for row in earlier.files.all()}
    assert set(rows) == {"photo", "letter"}
    assert rows["photo"].name == "pothole.jpg"
    assert rows["photo"].size == storage.size(kept["reference"])
    assert rows["photo"].sha256 == sha256_of(storage, kept["reference"])
    assert rows["photo"].deleted_at is None
    assert rows["photo"].created_at == earlier.created_at
    assert (rows["letter"].size, rows["letter"].sha256) == (0, "")
    assert rows["letter"].deleted_at is not None
    assert rows["letter"].content_type == "application/pdf"
    # and nothing else changed
    assert not lookalike.files.exists()
    assert list(already.files.values_list("sha256", flat=True)) == ["1" * 64]

    # When it runs again, nothing more is made; reversed, the rows go
    backfill_migration.backfill(apps, None)
    assert SubmissionFile.objects.count() == 3
    backfill_migration.remove(apps, None)
    assert not SubmissionFile.objects.exists()
