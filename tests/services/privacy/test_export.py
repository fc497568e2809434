"""A resident's data download holds everything the portal keeps about them (profile, every
request's answers, files, status history and messages, drafts, account messages) and nothing
about anyone else; large ones are built by a worker."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.storage import default_storage

from services.models import DataExport, Draft, OutgoingMessage
from services.privacy import export
from tests.file_samples import jpeg_bytes
from tests.portal.accounts.factories import UserFactory
from tests.services.privacy.conftest import close, file_form, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident():
    return UserFactory.create(
        email="ada@example.org",
        full_name="Ada Lovelace",
        phone="+447700900123",
        address={"line1": "1 High Street", "town": "Exampleton", "postcode": "ZZ99 1AA"},
    )


def unzip(user) -> zipfile.ZipFile:
    out = io.BytesIO()
    export.write_zip(user, out)
    return zipfile.ZipFile(io.BytesIO(out.getvalue()))


def test_the_document_holds_the_profile_requests_files_history_messages_and_drafts(
    storage, resident
):
    # Given a resident with a closed request (answers, two files, an update, messages), a draft
    # and an account e-mail
    officer = UserFactory.create(email="officer@council.example", is_staff=True)
    case = make_case(storage, user=resident, details="Pothole by the school")
    close(case, days_ago=1, by=officer)
    Draft.objects.create(form_version=file_form(), user=resident, answers={"details": "Half"})
    OutgoingMessage.objects.create(
        kind="other", recipient=resident.email, user=resident, state="sent"
    )

    # When their data is collected
    data = json.loads(export.as_json(export.collect(resident)))

    # Then it has their profile
    assert data["profile"]["email"] == "ada@example.org"
    assert data["profile"]["full_name"] == "Ada Lovelace"
    assert data["profile"]["phone"] == "+447700900123"
    assert data["profile"]["address"]["postcode"] == "ZZ99 1AA"
    # and the request, with its answers as they read them and as stored
    (request,) = data["requests"]
    assert request["reference"] == case.reference
    assert {"question": "Details", "answer": "Pothole by the school"} in request["answers"]
    assert request["answers_as_stored"]["details"] == "Pothole by the school"
    # its files by name, type and size, and where they are in the ZIP, never where stored
    names = {f["name"]: f for f in request["files"]}
    assert set(names) == {"pothole.jpg", "letter.pdf"}
    assert names["pothole.jpg"]["type"] == "image/jpeg"
    assert names["pothole.jpg"]["size_bytes"] == len(jpeg_bytes())
    stored = list(case.files.values_list("storage_name", flat=True))
    text = json.dumps(data)
    assert not any(name in text for name in stored)
    # its status history, with the words the resident was shown (not the staff's notes)
    (step,) = request["status_history"]
    assert step["status"] == "closed_fixed"
    assert step["text"] == "Fixed, thank you Mrs Jones"
    assert "Spoke to Mrs Jones" not in text
    # the messages sent about it: what, how, when, how it went; never the address or words
    (ack,) = request["messages"]
    assert (ack["kind"], ack["channel"], ack["state"]) == ("acknowledgement", "email", "sent")
    assert "recipient" not in ack
    assert "content" not in ack
    # the unfinished form and the account message
    (draft,) = data["unfinished_forms"]
    assert draft["answers_as_stored"] == {"details": "Half"}
    assert [m["kind"] for m in data["account_messages"]] == ["other"]


def test_another_residents_data_is_never_included(storage, resident):
    # Given another resident with a request, a draft and a message of their own
    other = UserFactory.create(email="bob@example.org", full_name="Bob Other")
    theirs = make_case(storage, user=other, details="Bob's secret")
    Draft.objects.create(form_version=file_form(), user=other, answers={"details": "garden"})
    OutgoingMessage.objects.create(kind="other", recipient=other.email, user=other)
    # and a guest's request made with our resident's address, not through their account
    make_case(storage, email=resident.email, details="A guest's request")
    mine = make_case(storage, user=resident)

    # When our resident's data is collected and zipped
    data = export.collect(resident)
    archive = unzip(resident)

    # Then only their own request is in it, and nothing of the other's
    assert [r["reference"] for r in data["requests"]] == [mine.reference]
    everything = export.as_json(data) + archive.read("your-data.html").decode()
    for foreign in (theirs.reference, "bob@example.org", "Bob Other", "Bob's secret", "garden"):
        assert foreign not in everything
    assert data["unfinished_forms"] == []
    assert data["account_messages"] == []
    assert not any(theirs.reference in name for name in archive.namelist())


def test_the_zip_has_the_json_a_readable_page_and_the_files_byte_identical(storage, resident):
    # Given a resident's request with a photo and a letter
    case = make_case(storage, user=resident)

    # When the ZIP is made
    archive = unzip(resident)

    # Then it holds the JSON, the page and each file where the JSON says, byte for byte
    data = json.loads(archive.read("your-data.json"))
    page = archive.read("your-data.html").decode()
    assert case.reference in page
    assert "Ada Lovelace" in page
    for file in data["requests"][0]["files"]:
        row = case.files.get(pk=file["id"])
        with storage.open(row.storage_name, "rb") as stored:
            assert archive.read(file["in_zip"]) == stored.read()


def test_a_file_retention_deleted_is_listed_but_not_in_the_zip(storage, resident):
    # Given a request whose photo retention has deleted
    case = make_case(storage, user=resident)
    photo = case.files.get(question_id="photo")
    default_storage.delete(photo.storage_name)
    case.files.filter(pk=photo.pk).update(deleted_at=case.created_at)

    # When the ZIP is made
    archive = unzip(resident)

    # Then the photo is listed as deleted, and only the letter is in the ZIP
    (request,) = json.loads(archive.read("your-data.json"))["requests"]
    listed = {f["name"]: f for f in request["files"]}
    assert listed["pothole.jpg"]["in_zip"] is None
    assert listed["pothole.jpg"]["deleted_at"] is not None
    assert [n for n in archive.namelist() if n.startswith("files/")] == [
        listed["letter.pdf"]["in_zip"]
    ]


def test_a_large_account_is_built_by_the_worker_and_kept_for_download(storage, resident, settings):
    # Given a resident with more requests than are zipped while they wait
    settings.DATA_EXPORT_INLINE_MAX_SUBMISSIONS = 1
    make_case(storage, user=resident)
    make_case(storage, user=resident)
    assert export.is_large(resident)

    # When they ask for it twice, and the worker's task runs
    first = export.prepare(resident, "cy")
    assert export.prepare(resident, "cy") == first  # one at a time
    export.build(first.pk)

    # Then it is ready in private storage, with its readable page in their language
    first.refresh_from_db()
    assert first.state == DataExport.State.READY
    assert first.size == default_storage.size(first.storage_name)
    with default_storage.open(first.storage_name, "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    assert 'lang="cy"' in archive.read("your-data.html").decode()
    assert len(json.loads(archive.read("your-data.json"))["requests"]) == 2
    # and building it again changes nothing
    export.build(first.pk)
    assert DataExport.objects.get().storage_name == first.storage_name


def test_prepared_downloads_are_deleted_after_their_keeping_period(storage, resident, settings):
    # Given a ready download made longer ago than downloads are kept
    settings.DATA_EXPORT_INLINE_MAX_SUBMISSIONS = 0
    make_case(storage, user=resident)
    prepared = export.prepare(resident, "en")
    export.build(prepared.pk)
    prepared.refresh_from_db()
    name = prepared.storage_name
    from datetime import timedelta

    DataExport.objects.filter(pk=prepared.pk).update(
        created_at=prepared.created_at - timedelta(days=settings.DATA_EXPORT_KEEP_DAYS + 1)
    )

    # When the daily clean-up runs
    assert export.delete_expired_exports() == 1

    # Then the file and its row are gone
    assert not default_storage.exists(name)
    assert not DataExport.objects.exists()
