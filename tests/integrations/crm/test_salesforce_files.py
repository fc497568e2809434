"""The resident's files reach a Salesforce CRM as Salesforce Files (a ContentVersion each)
published to the case, each exactly once, and a retry resumes where the last attempt stopped:
against the CRM simulator over loopback, no mocks."""

import base64
import dataclasses
from collections.abc import Iterator

import pytest

from integrations.base import DeliveryFile, PermanentError, Progress, TransientError
from integrations.simulators.crm import CRMSimulator
from tests.integrations.crm.conftest import (
    CLIENT_ID,
    CLIENT_SECRET,
    adapter_for,
    pdf_bytes,
    two_photos_and_a_pdf,
)
from tests.integrations.crm.test_files import ProgressThen

KEY = "5d1c7e2a-3b4f-4c86-9a0e-7f2b1d3c4e5a"
CASE = {"Subject": "Fly-tipping on Mill Lane", "Description": "Three mattresses by the gate"}
FILES_PATH = "/services/data/v60.0/sobjects/ContentVersion"
QUERY_PATH = "/services/data/v60.0/query"


def file_calls(sim: CRMSimulator) -> list[str]:
    """The file requests Salesforce received, oldest first: "POST" a file, "GET" a lookup."""
    return [
        r.method
        for r in sim.requests
        if r.path == FILES_PATH
        or (r.path == QUERY_PATH and "ContentVersion" in (r.param("q") or ""))
    ]


def case_saves(sim: CRMSimulator) -> int:
    return sum(1 for r in sim.requests if r.method == "PATCH")


def key_of(upload: DeliveryFile, key: str = KEY) -> str:
    return f"Portal file {upload.id} of {key} (SHA-256 {upload.sha256[:16]})"


@pytest.fixture
def adapter(salesforce: CRMSimulator):
    return adapter_for(salesforce)


# --- Arriving ------------------------------------------------------------------------------------


def test_two_photos_and_a_pdf_arrive_as_three_byte_identical_files_on_the_case(salesforce, adapter):
    files = two_photos_and_a_pdf()
    progress = Progress()

    reference = adapter.deliver({**CASE, "files": files}, KEY, progress)

    (case,) = salesforce.records
    assert reference == case["id"]
    assert case["data"] == CASE  # the files are Salesforce Files, never a field of the case
    stored = salesforce.files
    assert [(f["name"], f["size"], f["sha256"]) for f in stored] == [
        (f.name, f.size, f.sha256) for f in files
    ]
    assert {f["case_id"] for f in stored} == {reference}
    assert progress.reference == reference
    assert progress.files == {f.id: s["id"] for f, s in zip(files, stored, strict=True)}
    # A case this call created holds no files yet: nothing is looked up
    assert file_calls(salesforce) == ["POST"] * 3


def test_each_file_is_a_content_version_published_to_the_case_and_keyed(salesforce, adapter):
    (photo, *_) = two_photos_and_a_pdf()

    reference = adapter.deliver({**CASE, "files": [photo]}, KEY)

    (post,) = [r for r in salesforce.requests if r.path == FILES_PATH]
    version = post.json()
    assert version["FirstPublishLocationId"] == reference
    assert version["PathOnClient"] == "fly-tipping.jpg"
    assert version["Title"] == "fly-tipping"
    assert version["Description"] == key_of(photo)
    assert base64.b64decode(version["VersionData"]) == photo.read()
    (stored,) = salesforce.files
    assert (stored["title"], stored["content_type"]) == ("fly-tipping", "image/jpeg")


# --- Resuming ------------------------------------------------------------------------------------


def test_a_failure_on_the_third_file_resumes_at_the_third_file(salesforce, adapter):
    # Given a CRM that fails the request after the second file is accepted
    files = two_photos_and_a_pdf()
    payload = {**CASE, "files": files}
    progress = ProgressThen("close_up", lambda: salesforce.set_faults(error_rate=1.0, times=1))
    with pytest.raises(TransientError):
        adapter.deliver(payload, KEY, progress)
    assert [f["name"] for f in salesforce.files] == ["fly-tipping.jpg", "close up.png"]
    salesforce.clear_requests()

    # When the delivery is tried again with what the first attempt got done
    reference = adapter.deliver(payload, KEY, progress)

    # Then only the third file is sent: the case is not saved again, files 1-2 not re-sent
    assert case_saves(salesforce) == 0
    assert file_calls(salesforce) == ["GET", "POST"]  # looked up (the case is not new), then sent
    assert (salesforce.creates, salesforce.updates) == (1, 0)
    assert [(f["name"], f["sha256"]) for f in salesforce.files] == [
        (f.name, f.sha256) for f in files
    ]
    assert progress.reference == reference
    assert set(progress.files) == {"photo", "close_up", "evidence"}


def test_a_file_saved_whose_answer_was_lost_is_adopted_not_sent_again(salesforce):
    # Given a CRM that saves the second file and hangs up before answering
    adapter = adapter_for(salesforce, unanswered_wait=45)
    payload = {**CASE, "files": two_photos_and_a_pdf()}
    progress = ProgressThen("photo", lambda: salesforce.set_faults(drop_response=True, times=1))
    with pytest.raises(TransientError) as lost:
        adapter.deliver(payload, KEY, progress)
    assert len(salesforce.files) == 2  # Salesforce has it; the portal never heard
    assert "close_up" not in progress.files
    # the file may still be being saved: the next attempt waits before looking for it
    assert lost.value.retry_after == 45

    # When the delivery is tried again
    adapter.deliver(payload, KEY, progress)

    # Then the second file is found and adopted, and each file is on the case exactly once
    stored = salesforce.files
    assert [f["name"] for f in stored] == ["fly-tipping.jpg", "close up.png", "letter.pdf"]
    assert progress.files["close_up"] == stored[1]["id"]
    assert case_saves(salesforce) == 1


def test_a_retry_that_lost_all_progress_still_adds_no_second_file(salesforce, adapter):
    # Given a delivery whose case and files were all made, but whose progress was never kept
    files = two_photos_and_a_pdf()
    payload = {**CASE, "files": files}
    adapter.deliver(payload, KEY, Progress())
    salesforce.clear_requests()

    # When it is tried again from nothing
    progress = Progress()
    reference = adapter.deliver(payload, KEY, progress)

    # Then the upsert finds the case and each file is found by its key
    assert (salesforce.creates, salesforce.updates) == (1, 1)
    assert len(salesforce.files) == 3
    assert file_calls(salesforce) == ["GET"] * 3
    assert progress.files == {f.id: s["id"] for f, s in zip(files, salesforce.files, strict=True)}
    assert progress.reference == reference


def test_a_failed_lookup_sends_nothing(salesforce, adapter):
    # Given a case an earlier attempt made, and a CRM that cannot answer the lookup
    progress = Progress()
    adapter.deliver(CASE, KEY, progress)
    salesforce.clear_requests()
    salesforce.set_faults(error_rate=1.0, times=1)

    # When a file is to be added to it
    with pytest.raises(TransientError) as failure:
        adapter.deliver({**CASE, "files": two_photos_and_a_pdf()}, KEY, progress)

    # Then no file is sent blind, and people are told why
    assert file_calls(salesforce) == ["GET"]
    assert salesforce.files == []
    assert failure.value.message.startswith("ambiguous:")
    assert progress.files == {}


# --- The key in an External ID field -------------------------------------------------------------


@pytest.fixture
def org_with_a_key_field() -> Iterator[CRMSimulator]:
    with CRMSimulator(
        style="salesforce",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        content_version_fields=["Portal_Key__c"],
    ) as sim:
        yield sim


def test_a_named_external_id_field_holds_each_files_key_and_finds_it_again(org_with_a_key_field):
    sim = org_with_a_key_field
    adapter = adapter_for(sim, file_key_field="Portal_Key__c")
    files = two_photos_and_a_pdf()
    adapter.deliver({**CASE, "files": files}, KEY)
    sim.clear_requests()

    progress = Progress()
    adapter.deliver({**CASE, "files": files}, KEY, progress)

    assert [f["fields"] for f in sim.files] == [{"Portal_Key__c": key_of(f)} for f in files]
    assert len(sim.files) == 3
    lookups = [r.param("q") for r in sim.requests if r.path == QUERY_PATH]
    assert all("AND Portal_Key__c = 'Portal file " in q for q in lookups)
    assert len(lookups) == 3


def test_a_key_field_the_org_does_not_have_is_refused_permanently(salesforce):
    adapter = adapter_for(salesforce, file_key_field="Portal_Key__c")

    with pytest.raises(PermanentError) as refused:
        adapter.deliver({**CASE, "files": two_photos_and_a_pdf()[:1]}, KEY)

    assert refused.value.message == "The CRM refused the file 'photo' (400 INVALID_FIELD)"
    assert salesforce.files == []


# --- Refusing ------------------------------------------------------------------------------------


def test_a_file_deleted_by_retention_fails_permanently_and_sends_no_file(salesforce, adapter):
    def gone() -> bytes:
        raise PermanentError("The file 'evidence' was deleted by retention")

    letter = DeliveryFile.from_bytes("evidence", "letter.pdf", "application/pdf", pdf_bytes())
    deleted = dataclasses.replace(letter, opener=gone)

    with pytest.raises(PermanentError, match="deleted by retention"):
        adapter.deliver({**CASE, "files": [deleted]}, KEY)

    assert file_calls(salesforce) == []
    assert salesforce.files == []


def test_a_file_salesforce_refuses_is_permanent_and_names_the_file_by_its_id_only():
    with CRMSimulator(
        style="salesforce",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        max_attachment_bytes=100,
    ) as sim:
        photo, *_ = two_photos_and_a_pdf()

        with pytest.raises(PermanentError) as refused:
            adapter_for(sim).deliver({**CASE, "files": [photo]}, KEY)

    assert refused.value.message == "The CRM refused the file 'photo' (400 STRING_TOO_LONG)"
    assert "fly-tipping" not in refused.value.excerpt


def test_a_file_whose_key_salesforce_could_not_hold_is_refused_before_anything_is_sent(
    salesforce, adapter
):
    photo, *_ = two_photos_and_a_pdf()
    long_named = dataclasses.replace(photo, id="q" * 200)

    with pytest.raises(PermanentError, match="255 characters"):
        adapter.deliver({**CASE, "files": [long_named]}, KEY)

    assert [r for r in salesforce.requests if r.path != "/oauth2/token"] == []
